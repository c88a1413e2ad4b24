"""Issue 11 in a real browser: no markup from user text (page and exported HTML), and
the language switched back and forth on the pages that lost state before. Offline:
every non-local request is aborted."""

from __future__ import annotations

import pytest

from backprop.draw.export import animation_html
from graphviz_tools import run_program

pytestmark = pytest.mark.browser

EVIL = "http://e.vil"
# Comments and a string carry Markdown links, an image, raw HTML and </script>; the
# bare final expression makes its source segment (comment included) the output's name.
HOSTILE = (
    "w = x * 2  # [click](http://e.vil/a) ![img](http://e.vil/i.png)\n"
    "(w  # <img src=http://e.vil/x.png> </script><script>window.pwned=1</script> <!--\n"
    " * y  # [b](http://e.vil/b) <a href=http://e.vil/c>c</a> :red[x] $x$\n"
    ")\n"
)


def _offline(page) -> None:  # noqa: ANN001
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        ("http://127.0.0.1", "http://localhost", "data:", "blob:")) else r.abort())


def _no_markup_from(page) -> None:  # noqa: ANN001
    assert page.locator("a[href*='e.vil']").count() == 0
    assert page.locator("img[src*='e.vil']").count() == 0
    assert page.evaluate("() => window.pwned === undefined")


def test_user_text_makes_no_markup_on_the_page(page, server: str) -> None:  # noqa: ANN001
    _offline(page)
    page.goto(server + "/?lang=en")
    page.wait_for_selector(".bp-stage[data-ready='1']", timeout=60_000)  # the lab's stage
    code = page.locator("textarea").first
    code.fill(HOSTILE)
    code.press("Control+Enter")
    page.wait_for_selector("text=called", timeout=60_000)  # the implicit-backward note
    page.wait_for_timeout(1500)
    _no_markup_from(page)
    scripts = page.evaluate("() => [...document.scripts].map(s => s.textContent)")
    assert not any("pwned" in s for s in scripts)
    assert page.locator("[data-testid=stException]").count() == 0


def test_user_text_makes_no_markup_in_the_exported_html(page) -> None:  # noqa: ANN001
    _offline(page)
    html = animation_html(run_program(HOSTILE, {"x": 1.0, "y": 2.0}))
    assert html.count("<script>") == 2 and html.count("</script>") == 2  # plotly.js + ours
    page.set_content(html, wait_until="load")
    page.wait_for_selector("#fig .main-svg", timeout=60_000)
    _no_markup_from(page)
    assert page.evaluate("() => document.scripts.length") == 2  # none came from user text
    assert page.evaluate("() => typeof fig === 'object' && fig.frames.length > 0")
    assert "</script><script>window.pwned=1" in page.locator("pre").inner_text()


@pytest.mark.parametrize("path", ["/", "/tiny_network"])
def test_language_switch_back_and_forth(page, server: str, path: str) -> None:  # noqa: ANN001
    _offline(page)
    page.goto(server + path + "?lang=en")
    page.wait_for_selector("h1", timeout=60_000)
    for label in ("বাংলা", "English", "বাংলা", "English"):
        page.locator("[data-testid=stSidebar]").get_by_text(label, exact=True).click()
        page.wait_for_timeout(2500)
        assert page.locator("[data-testid=stException]").count() == 0, label
    # the page still works after the round trips: its preset menu changes the program
    assert page.locator("h1").count() == 1
