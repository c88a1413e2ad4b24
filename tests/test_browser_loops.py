"""Real browser (issue 13): paste a training loop, see the loss per iteration, pick an
iteration, play its backward pass, see its update; repair flattened book text."""

from __future__ import annotations

import pytest

from examples.presets import PRESETS
from tests.conftest import ARTIFACTS
from tests.test_repair import FIRST

pytestmark = pytest.mark.browser

_STAGE_TEXT = ("() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => p._fullData"
               " || []).filter(t => t.mode === 'text' && t.text && t.text.length === 1)"
               ".map(t => String(t.text[0]))")


def test_loop_iterations_in_browser(page, server: str) -> None:  # noqa: ANN001
    page.goto(server)
    page.wait_for_selector("svg .node", timeout=60_000)  # the seed example, drawn
    code = page.locator("textarea").first
    code.fill(PRESETS["book-2layer-manual"].code)
    code.press("Control+Enter")
    page.wait_for_selector("text=Loss per iteration", timeout=60_000)  # the loss chart
    page.wait_for_selector("text=The update in iteration 5", timeout=60_000)
    slider = page.locator('[data-testid="stSlider"]', has_text="Iteration to look at") \
        .get_by_role("slider")
    slider.focus()
    slider.press("Home")  # iteration 1
    page.wait_for_selector("text=The update in iteration 1", timeout=60_000)
    page.wait_for_selector("text=Loss in this iteration: 1.2769", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "lab-loop-iteration.png"), full_page=True)
    # the stage plays that iteration's forward and backward steps
    page.get_by_role("tab").first.click()
    page.wait_for_function(f"() => ({_STAGE_TEXT})().length > 0", timeout=60_000)
    page.get_by_text("▶ Play 2×").click()
    page.wait_for_function(f"() => ({_STAGE_TEXT})().some(s => s.includes('backward'))",
                           timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "lab-loop-backward.png"), full_page=True)
    assert page.locator("text=Traceback").count() == 0


def test_flattened_book_text_repaired_in_one_click(page, server: str) -> None:  # noqa: ANN001
    page.goto(server)
    page.wait_for_selector("svg .node", timeout=60_000)  # the seed example, drawn
    code = page.locator("textarea").first
    flat = FIRST.replace("torch.ones(2, 2", "torch.ones(3, 2")  # unlike the seed's graph
    code.fill(flat)
    code.press("Control+Enter")
    page.wait_for_selector("text=line breaks of this program seem to have been lost",
                           timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "lab-flattened.png"), full_page=True)
    page.get_by_role("button", name="Use the repaired program").click()
    page.wait_for_function("() => document.querySelector('textarea').value"
                           ".startsWith('import torch\\nx = torch.ones(3, 2')", timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('svg .node text')]"
        ".some(t => t.textContent.includes('3×2'))", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "lab-repaired.png"), full_page=True)
