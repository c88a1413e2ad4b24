"""The Tiny Network stage in a real browser, at a projector's, a laptop's and a phone's
size, in both languages: there before any click, playing with the server idle."""

from __future__ import annotations

import pytest

from bench.net_stage import (
    STAGE,
    caption,
    frames_shown,
    open_stage,
    play,
    socket_messages,
    wait_played,
    watch_socket,
)
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

SIZES = {  # name -> (query, context options)
    "classroom": ("?classroom=1", {"viewport": {"width": 1280, "height": 720}}),
    "laptop": ("", {"viewport": {"width": 1366, "height": 768}}),
    "phone": ("", {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                   "has_touch": True, "device_scale_factor": 2,  # a phone: the stage stacks
                   "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
                                 "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"}),
}
TRAIN_MORE = {"en": "Train 300 more steps", "bn": "আরও 300 ধাপ ট্রেন করুন"}
CURVES = {"en": "Loss and weights", "bn": "লস আর ওজন"}


def _context(browser, size: str):  # noqa: ANN001, ANN202
    return browser.new_context(**SIZES[size][1])


def _box(page, selector: str) -> dict:  # noqa: ANN001
    return page.locator(selector).first.bounding_box()


def _inside(box: dict, vw: int, vh: int) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= vw + 1 \
        and box["y"] + box["height"] <= vh + 1


@pytest.mark.parametrize("lang", ["en", "bn"])
@pytest.mark.parametrize("size", list(SIZES))
def test_stage_before_any_click_and_play_with_the_server_idle(browser, server: str,  # noqa: ANN001
                                                              size: str, lang: str) -> None:
    ctx = _context(browser, size)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    watch_socket(page)
    query = SIZES[size][0]
    query = f"{query}&lang={lang}" if query else f"?lang={lang}"
    open_stage(page, f"{server}/tiny_network{query}")
    # the rest of the page (Share last) follows the stage on a first load: let it land
    page.wait_for_selector(".st-key-share button", timeout=60_000)
    page.wait_for_timeout(1000)
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    # the stage, its ▶ and the explanation inside the first screen, before any click
    assert _inside(_box(page, f"{STAGE} .updatemenu-button"), vw, vh)
    explanation = _box(page, f"{STAGE} .subplot.x4y4 .textpoint")
    assert _inside(explanation, vw, vh)
    stage_box = _box(page, STAGE)
    assert stage_box["y"] < vh / 2 and stage_box["width"] <= vw
    if size == "classroom":  # projector: every text in the figure at least 18 px
        sizes = page.evaluate(f"() => [...document.querySelectorAll('{STAGE} svg text')]"
                              ".filter(t => t.textContent.trim())"
                              ".map(t => parseFloat(getComputedStyle(t).fontSize))")
        assert sizes and min(sizes) >= 18
    # no control spills out of its box or covers another (laptop and projector rows)
    boxes = [b.bounding_box() for b in page.locator(
        "[data-testid=stMainBlockContainer] button:visible").all()]
    boxes = [b for b in boxes if b and b["y"] < vh]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap_x = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
            overlap_y = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
            assert overlap_x <= 1 or overlap_y <= 1
    clipped = page.evaluate("() => [...document.querySelectorAll("
                            "'[data-testid=stMainBlockContainer] button p')]"
                            ".filter(p => p.scrollWidth > p.clientWidth + 1).length")
    assert clipped == 0
    before = caption(page)
    page.screenshot(path=str(ARTIFACTS / f"stage-{size}-{lang}-start.png"))
    # Play: the frames advance in the browser, the server hears nothing meanwhile
    play(page)
    wait_played(page, 8)
    shown = frames_shown(page)
    assert [int(name) for _, name in shown[:4]] == sorted(int(n) for _, n in shown[:4])
    assert caption(page) != before
    assert socket_messages(page, shown[0][0], shown[-1][0]) == 0
    n_frames = page.evaluate(f"() => document.querySelector('{STAGE}')"
                             "._transitionData._frames.length")
    wait_played(page, n_frames - 1, timeout=120_000)
    assert "300" in caption(page)
    page.screenshot(path=str(ARTIFACTS / f"stage-{size}-{lang}-played.png"))
    assert not errors
    ctx.close()


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_chosen_view_survives_training(browser, server: str, lang: str) -> None:  # noqa: ANN001
    ctx = _context(browser, "laptop")
    page = ctx.new_page()
    open_stage(page, f"{server}/tiny_network?lang={lang}")
    page.wait_for_selector(".st-key-share button", timeout=60_000)  # the whole page
    page.wait_for_timeout(1000)
    page.get_by_role("radio", name=CURVES[lang]).click()
    page.wait_for_selector(".st-key-net-params_fig .js-plotly-plot", timeout=60_000)
    page.get_by_role("button", name=TRAIN_MORE[lang]).click()
    page.wait_for_function(f"() => document.querySelector('{STAGE}')"
                           "._transitionData._frames.length > 49", timeout=120_000)
    page.wait_for_timeout(1500)
    active = page.locator("[data-testid=stButtonGroup] [role=radio][aria-checked=true]")
    assert active.inner_text().strip() == CURVES[lang]
    assert page.locator(".st-key-net-params_fig .js-plotly-plot").count() == 1
    for _ in range(3):  # a late rerun may redraw the figure under us: try again
        try:
            page.locator(".st-key-net-params_fig").scroll_into_view_if_needed(timeout=10_000)
            break
        except Exception:  # noqa: BLE001 - Playwright's detached-element error
            page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / f"stage-view-kept-{lang}.png"))
    ctx.close()
