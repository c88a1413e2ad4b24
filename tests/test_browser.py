"""Real browser: headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
STAGE = ".bp-stage[data-ready='1']"  # the stage player has drawn its first frame


def test_type_a_program_run_it_and_find_the_graph(page, server: str) -> None:  # noqa: ANN001
    page.goto(server)
    page.wait_for_selector(STAGE, timeout=60_000)  # the seed example, on the stage
    code = page.locator("textarea").first
    code.fill("z = x * y + x\nw = torch.tanh(z)")
    code.press("Control+Enter")
    # The stage redraws with the new program's ops.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.bp-plot text')]"
        ".some(t => t.textContent.includes('TanhBackward0'))", timeout=60_000)
    texts = page.locator(".bp-plot text").all_text_contents()
    assert any("MulBackward0" in t for t in texts)
    assert any(t.startswith("w") for t in texts)
    page.screenshot(path=str(ARTIFACTS / "lab-typed-program.png"), full_page=True)
    assert page.locator("text=Traceback").count() == 0


def test_refused_program_message_in_browser(page, server: str) -> None:  # noqa: ANN001
    page.goto(server)
    page.wait_for_selector("textarea", timeout=60_000)
    code = page.locator("textarea").first
    code.fill("import os")
    code.press("Control+Enter")
    page.wait_for_selector("text=Line 1, column 1", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "lab-refused.png"))


def test_bengali_page_in_browser(page, server: str) -> None:  # noqa: ANN001
    page.goto(server + "/?lang=bn")
    page.wait_for_selector(STAGE, timeout=60_000)
    assert page.locator("h1", has_text="এক্সপ্রেশন ল্যাব").count() == 1
    page.screenshot(path=str(ARTIFACTS / "lab-bn.png"), full_page=True)


def _caption(page) -> str:  # noqa: ANN001
    return page.evaluate("() => document.querySelector('.js-plotly-plot')._fullData"
                         ".filter(t => t.mode === 'text' && t.text.length === 1)[0].text[0]")


def _head(page) -> str:  # noqa: ANN001
    return page.locator(".bp-head").first.inner_text()


def test_play_steps_and_nothing_vanishes(page, server: str) -> None:  # noqa: ANN001
    page.goto(server)
    page.wait_for_selector(STAGE, timeout=60_000)
    count = "() => document.querySelectorAll('.bp-plot .scatterlayer .trace').length"
    traces_before = page.evaluate(count)
    assert _head(page).startswith("After backward()")  # opens on the final state
    page.get_by_role("button", name="Next ▶").click()
    page.wait_for_function("() => document.querySelector('.bp-stage').dataset.frame === '1'")
    assert _head(page).startswith("Forward · step 1 of 10 · x")
    page.screenshot(path=str(ARTIFACTS / "anim-forward.png"), full_page=True)
    page.locator(".bp-speed").select_option(label="4×")
    page.get_by_role("button", name="▶ Play").click()
    page.wait_for_function("() => document.querySelector('.bp-stage').dataset.frame === '9'",
                           timeout=30_000, polling=10)
    page.get_by_role("button", name="❚❚ Pause").click()
    page.wait_for_timeout(300)
    frame = int(page.evaluate("() => document.querySelector('.bp-stage').dataset.frame"))
    assert "Backward" in _head(page)
    page.get_by_role("button", name="◀ Back").click()
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.querySelector('.bp-stage').dataset.frame") \
        == str(frame - 1)
    assert page.evaluate(count) == traces_before  # frames left no trace behind
    boxes = page.evaluate("() => [...document.querySelectorAll('.bp-plot path.js-fill')]"
                          ".filter(p => (p.getAttribute('d') || '').length > 0).length")
    assert boxes == 5  # every node box still drawn after the animation
    page.screenshot(path=str(ARTIFACTS / "anim-backward.png"), full_page=True)


def test_standalone_animation_keyboard(browser, tmp_path) -> None:  # noqa: ANN001
    from backprop.draw.export import animation_html
    from examples.presets import PRESETS
    from graphviz_tools import run_program

    html = tmp_path / "anim.html"
    html.write_text(animation_html(run_program(PRESETS["seed-mean"].code)), encoding="utf-8")
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(html.as_uri())
    page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=30_000)
    page.wait_for_timeout(500)
    for _ in range(6):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(150)
    page.wait_for_timeout(400)
    assert _caption(page).startswith("7. backward")
    ctx.close()


def test_tiny_network_step_in_browser(page, server: str) -> None:  # noqa: ANN001
    # the stage and Play: tests/test_browser_stage.py; here the deep view's Step
    page.goto(server + "/tiny_network")
    page.wait_for_selector(".st-key-net-do_step", timeout=60_000)
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function("() => [...document.querySelectorAll('.st-key-net-view input')]"
                           ".some(e => e.value === '2')", timeout=60_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "network-step.png"), full_page=True)
    assert page.locator("text=Traceback").count() == 0


def test_model_anatomy_collapse_and_expand(page, server: str) -> None:  # noqa: ANN001
    page.goto(server + "/model_anatomy")
    page.wait_for_selector("svg .node", timeout=60_000)
    page.wait_for_timeout(1500)
    page.locator("[data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name="ResNet-50 (meta device)").click()
    page.wait_for_function("() => [...document.querySelectorAll('svg .node text')]"
                           ".some(t => t.textContent === 'layer4')", timeout=60_000)
    nodes = page.locator("svg .node").count()
    assert 8 <= nodes <= 16  # depth 1: one node per top-level module
    page.screenshot(path=str(ARTIFACTS / "anatomy-resnet50.png"), full_page=True)


@pytest.mark.parametrize("path", ["", "/tiny_network", "/model_anatomy", "/learn"])
def test_every_page_loads_without_error(page, server: str, path: str) -> None:  # noqa: ANN001
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + path)
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_timeout(2500)
    assert not errors
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.locator("text=Traceback").count() == 0
    name = path.strip("/") or "expression_lab"
    page.screenshot(path=str(ARTIFACTS / f"page-{name}.png"), full_page=True)


def test_language_switch_in_browser(page, server: str) -> None:  # noqa: ANN001
    page.goto(server)
    page.wait_for_selector(STAGE, timeout=60_000)
    page.get_by_text("বাংলা").first.click()
    page.wait_for_selector("h1:has-text('এক্সপ্রেশন ল্যাব')", timeout=60_000)
    assert "lang=bn" in page.url  # remembered in the URL
    page.screenshot(path=str(ARTIFACTS / "language-bn.png"))


def test_shared_link_reopens_in_a_new_context(browser, server: str) -> None:  # noqa: ANN001
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(server)
    page.wait_for_selector(STAGE, timeout=60_000)
    code = page.locator("textarea").first
    code.fill("shared = x * 7 + x")
    code.press("Control+Enter")
    page.wait_for_function("() => [...document.querySelectorAll('.bp-plot text')]"
                           ".some(t => t.textContent.startsWith('shared'))", timeout=60_000)
    page.get_by_role("button", name="Share").click()
    link = page.locator("[data-testid=stPopoverBody] code").filter(has_text="?").first
    url = link.inner_text().strip()
    assert "program=" in url
    page.locator("[data-testid=stPopoverBody] img").first.wait_for()  # the QR code
    page.screenshot(path=str(ARTIFACTS / "share-popover.png"))
    ctx.close()
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    page2 = other.new_page()
    page2.goto(url)
    page2.wait_for_function("() => [...document.querySelectorAll('.bp-plot text')]"
                            ".some(t => t.textContent.startsWith('shared'))", timeout=60_000)
    page2.screenshot(path=str(ARTIFACTS / "shared-link.png"))
    other.close()
