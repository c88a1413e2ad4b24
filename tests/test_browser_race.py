"""Real browser: the optimizer race plays, and one scrubber moves every panel together."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

LINK = ("/tiny_network?network=classifier&race=1&racers=sgd,adam,rmsprop&race_steps=100"
        "&race_lr_adam=0.03&branch=1&branch_from=sgd&branch_at=30&branch_opt=adam"
        "&branch_lr=0.03")
FIG = ".st-key-race-fig .js-plotly-plot"

# What every panel shows now: the slider's step, each loss marker's step, each
# caption's update number, and whether each boundary is the frame of that step.
STATE = """(sel) => {
  const gd = document.querySelector(sel);
  const slider = gd._fullLayout.sliders[0];
  const step = slider.steps[slider.active].label;
  const frame = gd._transitionData._frames.find(f => f.name === step);
  const heat = gd.data.map((t, i) => [t, i]).filter(([t]) => t.type === 'heatmap');
  return {
    step: Number(step),
    markers: gd.data.filter(t => t.mode === 'markers' && t.x && t.x.length === 1)
                    .map(t => t.x[0]),
    notes: gd.data.filter(t => t.mode === 'text').map(t => t.text[0]),
    boundaries: heat.map(([t, i]) => JSON.stringify(t.z) ===
      JSON.stringify(frame.data[frame.traces.indexOf(i)].z)),
  };
}"""


def assert_together(state: dict) -> None:
    s = state["step"]
    assert state["markers"] == [max(s, 1)] * 3, state  # the loss panel
    assert len(state["boundaries"]) == 3 and all(state["boundaries"]), state
    assert all((f"update {s} " in n) if s else ("start" in n) for n in state["notes"]), state


def test_race_plays_and_the_scrubber_moves_every_panel(page, server: str) -> None:  # noqa: ANN001
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + LINK)
    page.wait_for_selector(FIG, timeout=120_000)
    page.wait_for_timeout(1500)
    first = page.evaluate(STATE, FIG)
    assert first["step"] == 0
    assert_together(first)
    fig = page.locator(".st-key-race-fig")
    fig.scroll_into_view_if_needed()
    fig.locator("text=▶ Play").click()
    page.wait_for_function(f"() => document.querySelector('{FIG}')._fullLayout.sliders[0]"
                           ".active >= 12", timeout=30_000)
    assert not errors, errors
    fig.locator("text=⏸ Pause").click()
    page.wait_for_timeout(600)
    # Plotly rejects the interrupted Play's promise with no reason (Plotly's own pause
    # recipe, animate([null]), does this on every page); anything else is a failure
    assert set(errors) <= {"undefined"}, errors
    played = page.evaluate(STATE, FIG)
    assert played["step"] >= 12
    assert_together(played)
    page.screenshot(path=str(ARTIFACTS / "race-played.png"), full_page=True)
    fig.screenshot(path=str(ARTIFACTS / "race-played-figure.png"))
    # scrub: a click three quarters along the slider's rail
    rail = fig.locator(".slider-rail-touch-rect").bounding_box()
    page.mouse.click(rail["x"] + rail["width"] * 0.75, rail["y"] + rail["height"] / 2)
    page.wait_for_timeout(1200)
    scrubbed = page.evaluate(STATE, FIG)
    assert scrubbed["step"] > 60
    assert_together(scrubbed)
    fig.screenshot(path=str(ARTIFACTS / "race-scrubbed.png"))
    # the link also opened the branch: against the original from step 30 on
    branch = page.locator(".st-key-race-branch_fig")
    branch.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    names = json.loads(page.evaluate(
        "() => JSON.stringify(document.querySelector('.st-key-race-branch_fig .js-plotly-plot')"
        "._transitionData._frames.map(f => f.name))"))
    assert names[0] == "30" and names[-1] == "100"
    branch.screenshot(path=str(ARTIFACTS / "race-branch.png"))
    assert set(errors) <= {"undefined"}, errors
    assert page.locator("text=Traceback").count() == 0
