"""The Tiny Network stage in a real browser, at a projector's, a laptop's and a phone's
size, in both languages: there before any click, playing with the server idle, driven
by the keys, in Bengali digits when asked."""

from __future__ import annotations

import pytest

from bench.net_stage import (
    STAGE,
    caption,
    frames_shown,
    n_frames,
    open_stage,
    play,
    socket_messages,
    wait_done,
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
QUERY = {"en": "lang=en", "bn": "lang=bn&digits=1"}  # bn: the Bengali digits switch on
BN_DIGITS = "০১২৩৪৫৬৭৮৯"
TICKS = f"{STAGE} .xaxislayer-above text, {STAGE} .yaxislayer-above text"  # tick labels
CURVES = {"en": "Loss and weights", "bn": "লস আর ওজন"}


def _context(browser, size: str):  # noqa: ANN001, ANN202
    return browser.new_context(**SIZES[size][1])


def _box(page, selector: str) -> dict:  # noqa: ANN001
    return page.locator(selector).first.bounding_box()


def _inside(box: dict, vw: int, vh: int) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= vw + 1 \
        and box["y"] + box["height"] <= vh + 1


def _state(page, what: str):  # noqa: ANN001, ANN202
    """A value of the TN player's state (e.g. "i", "playing")."""
    return page.evaluate(f"() => document.querySelector('{STAGE}')._bp.{what}")


def _ascii_digits(text: str) -> bool:
    return any(c in "0123456789" for c in text)


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
    query = f"{query}&{QUERY[lang]}" if query else f"?{QUERY[lang]}"
    open_stage(page, f"{server}/tiny_network{query}")
    # the rest of the page (Share last) follows the stage on a first load: let it land
    page.wait_for_selector(".st-key-share button", timeout=60_000)
    page.wait_for_timeout(1000)
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    # the stage's controls, its graph and the explanation inside the first screen,
    # before any click (bounding boxes)
    for part in (".bp-play", ".bp-controls", ".bp-graph", ".bp-panel"):
        assert _inside(_box(page, f"{STAGE} {part}"), vw, vh), part
    stage_box = _box(page, STAGE)
    assert stage_box["y"] < vh / 2 and stage_box["width"] <= vw
    graph, panel = _box(page, f"{STAGE} .bp-graph"), _box(page, f"{STAGE} .bp-panel")
    assert panel["y"] >= graph["y"] + graph["height"] - 1  # the explanation under the graph
    scale = float(_state(page, "scale"))
    if size == "classroom":  # projector: every text in the figure at least 18 px on screen
        sizes = page.evaluate(f"() => [...document.querySelectorAll('{STAGE} svg text')]"
                              ".filter(t => t.textContent.trim())"
                              ".map(t => parseFloat(getComputedStyle(t).fontSize))")
        assert sizes and min(sizes) * scale >= 18
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
    wait_done(page)
    assert _state(page, "i") == n_frames(page) - 1
    assert ("৩০০" if lang == "bn" else "300") in caption(page)
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
    page.wait_for_function(f"() => document.querySelector('{STAGE}')._bp.n > 49",
                           timeout=120_000)
    # the new chunk plays at once, on from step 300 (where the last one ended)
    page.wait_for_function(f"() => {{ const log = document.querySelector('{STAGE}')._bp.log;"
                           " return log.length > 2 && Number(log[0][1]) >= 300; }",
                           timeout=60_000)
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


def test_keys_move_the_stage_with_the_server_idle(browser, server: str) -> None:  # noqa: ANN001
    """← → step through the frames and space plays, like the lab's player; no key
    reaches the server (the step view's own stage below does not take the keys)."""
    ctx = _context(browser, "laptop")
    page = ctx.new_page()
    watch_socket(page)
    open_stage(page, f"{server}/tiny_network?lang=en")
    page.wait_for_timeout(1500)
    t0 = page.evaluate("performance.now()")
    assert _state(page, "i") == 0
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert _state(page, "i") == 3
    assert page.locator(f"{STAGE} .bp-count").inner_text() == f"3 / {n_frames(page) - 1}"
    page.keyboard.press("ArrowLeft")
    assert _state(page, "i") == 2
    assert "Step 2 " in caption(page)
    page.keyboard.press(" ")
    page.wait_for_function(f"() => document.querySelector('{STAGE}')._bp.i >= 6")
    page.keyboard.press(" ")  # pauses
    stopped = _state(page, "i")
    page.wait_for_timeout(400)
    assert not _state(page, "playing") and _state(page, "i") == stopped
    assert socket_messages(page, t0, page.evaluate("performance.now()")) == 0
    ctx.close()


def test_bengali_digits_on_the_stage(browser, server: str) -> None:  # noqa: ANN001
    """In bn with the digits switch on: axes, the explanation and the counter read in
    Bengali digits; in en (or with the switch off) ASCII digits as before."""
    ctx = _context(browser, "laptop")
    page = ctx.new_page()
    open_stage(page, f"{server}/tiny_network?{QUERY['bn']}")
    page.wait_for_timeout(1000)
    page.keyboard.press("End")  # not a stage key: nothing moves
    page.keyboard.press("ArrowRight")
    ticks = page.evaluate(f"() => [...document.querySelectorAll('{TICKS}')]"
                          ".map(t => t.textContent)")
    assert ticks and not any(_ascii_digits(x) for x in ticks)
    assert any(c in BN_DIGITS for x in ticks for c in x)
    words = caption(page)
    assert "১" in words and not _ascii_digits(words)
    count = page.locator(f"{STAGE} .bp-count").inner_text()
    assert count.startswith("১ / ") and not _ascii_digits(count)
    page.goto(f"{server}/tiny_network?lang=en")
    page.wait_for_selector(f"{STAGE} .bp-plot[data-painted]", timeout=120_000)
    ticks = page.evaluate(f"() => [...document.querySelectorAll('{TICKS}')]"
                          ".map(t => t.textContent)")
    assert any(_ascii_digits(x) for x in ticks)
    ctx.close()
