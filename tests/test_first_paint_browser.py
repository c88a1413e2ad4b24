"""First load in a fresh browser: the stage comes first, drawn with the cartesian
plotly.js bundle served from static/ (offline), and the rest of the page follows
without a click (ui/first_paint.py)."""

from __future__ import annotations

import pytest

from backprop.draw.plotly_bundle import plotly_js_name

pytestmark = pytest.mark.browser

LAB_STAGE = ".bp-stage[data-ready='1'] .bp-plot .main-svg"
NET_STAGE = ".st-key-net-stage .main-svg"


def _rest_of_page(page: object) -> None:
    """Below the stage and the Share popover: sent by the rerun the stage triggers."""
    page.wait_for_selector(".st-key-share button", timeout=60_000)  # type: ignore[attr-defined]


def test_lab_stage_first_then_the_whole_page(browser, server: str) -> None:  # noqa: ANN001
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    scripts: list[str] = []
    page.on("requestfinished", lambda r: scripts.append(r.url) if r.url.endswith(".js") else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server)
    page.wait_for_selector(LAB_STAGE, timeout=60_000)
    _rest_of_page(page)
    page.get_by_role("tab").first.wait_for(timeout=60_000)  # the tabs under the stage
    assert page.get_by_role("tab").count() == 4
    page.get_by_text("tensor([[4.5000").first.wait_for(timeout=60_000)  # the printed output
    # the player loaded the vendored cartesian bundle, and only that plotly.js
    assert any(u.endswith("/app/static/" + plotly_js_name()) for u in scripts)
    assert page.evaluate("() => window.Plotly.version") == "4.1.1"
    assert not any(u.endswith("plotly.min.js") or "/plotly-7" in u for u in scripts)
    assert not errors
    ctx.close()


def test_tiny_network_stage_first_then_the_whole_page(browser, server: str) -> None:  # noqa: ANN001
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    page.goto(server + "/tiny_network")
    page.wait_for_selector(NET_STAGE, timeout=60_000)
    _rest_of_page(page)
    # the view picker under the stage (One step / Loss and weights / Code)
    page.locator("[data-testid=stButtonGroup]").first.wait_for(timeout=60_000)
    ctx.close()
