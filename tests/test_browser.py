"""Real browser: headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def test_type_a_program_run_it_and_find_the_graph(page, server: str) -> None:  # noqa: ANN001
    page.goto(server)
    page.wait_for_selector("svg .node", timeout=60_000)  # the seed example, drawn
    code = page.locator("textarea").first
    code.fill("z = x * y + x\nw = torch.tanh(z)")
    code.press("Control+Enter")
    # The graph redraws with the new program's ops (drawn by Graphviz in the page).
    page.wait_for_function(
        "() => [...document.querySelectorAll('svg .node text')]"
        ".some(t => t.textContent.includes('TanhBackward0'))", timeout=60_000)
    texts = page.locator("svg .node text").all_text_contents()
    assert any("MulBackward0" in t for t in texts)
    assert any(t.strip() == "w" for t in texts)
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
    page.wait_for_selector("svg .node", timeout=60_000)
    assert page.locator("h1", has_text="এক্সপ্রেশন ল্যাব").count() == 1
    page.screenshot(path=str(ARTIFACTS / "lab-bn.png"), full_page=True)
