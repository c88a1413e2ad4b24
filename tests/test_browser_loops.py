"""Real browser (issue 13): paste a training loop, see the loss per iteration, pick an
iteration, play its backward pass, see its update; repair flattened book text."""

from __future__ import annotations

import pytest

from examples.presets import PRESETS
from tests.conftest import ARTIFACTS
from tests.test_repair import FIRST

pytestmark = pytest.mark.browser

STAGE = ".bp-stage[data-ready='1']"  # the stage player has drawn its first frame


def test_loop_iterations_in_browser(page, server: str) -> None:  # noqa: ANN001
    page.goto(server)
    page.wait_for_selector(STAGE, timeout=60_000)  # the seed example, on the stage
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
    # the stage plays that iteration's forward and backward steps, in the browser
    page.wait_for_selector(STAGE, timeout=60_000)
    page.locator(".bp-stage .bp-speed").select_option(index=3)  # the fastest
    page.locator(".bp-stage .bp-play").click()
    page.wait_for_function("() => document.querySelector('.bp-stage').dataset.phase"
                           " === 'backward'", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "lab-loop-backward.png"), full_page=True)
    assert page.locator("text=Traceback").count() == 0


def test_flattened_book_text_repaired_in_one_click(page, server: str) -> None:  # noqa: ANN001
    page.goto(server)
    page.wait_for_selector(STAGE, timeout=60_000)  # the seed example, on the stage
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
        "() => [...document.querySelectorAll('.bp-stage .bp-plot text')]"
        ".some(t => t.textContent.includes('3×2'))", timeout=60_000)  # the stage redrawn
    page.screenshot(path=str(ARTIFACTS / "lab-repaired.png"), full_page=True)
