"""AppTest: the optimizer race and its branch on the Tiny Network page."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

from streamlit.testing.v1 import AppTest

from tests.helpers import app_test

PAGE = "app_pages/tiny_network.py"


def figure(at: AppTest, key: str) -> dict:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key)
                 or key in c.proto.id)
    return json.loads(chart.proto.spec)


def captions(fig: dict, frame: int) -> list[str]:
    f = fig["frames"][frame]
    return [d["text"][0] for d in f["data"] if d["type"] == "scatter" and "text" in d]


def race(at: AppTest, steps: int = 50) -> AppTest:
    at.multiselect(key="race.optimizers").set_value(["sgd", "momentum", "adam"])
    at.select_slider(key="race.steps").set_value(steps)
    return at.button(key="race.go").click().run()


def test_race_shows_one_figure_for_every_optimizer() -> None:
    at = app_test(PAGE)
    assert not at.exception
    assert not any("race" in (c.proto.id or "") for c in at.get("plotly_chart"))
    at = race(at)
    assert not at.exception
    fig = figure(at, "race.fig")
    frames = fig["frames"]
    assert [f["name"] for f in frames] == [str(s) for s in range(51)]
    # one slider drives every panel: each frame moves a loss marker, a fit and a
    # caption per optimizer (seed-2layer is a regression: fits, not boundaries)
    assert len(frames[0]["traces"]) == 3 * 3
    notes = captions(fig, 10)
    assert len(notes) == 3
    assert "SGD with momentum" in notes[1] and "v ← 0.9·" in notes[1]
    assert "m̂ = m/(1−β₁ᵗ)" in notes[2] and "t = 10" in notes[2]
    # the rule, applied to the recorded numbers, gives PyTorch's change at every step
    assert all(n.endswith("✓") for k in range(1, len(frames)) for n in captions(fig, k))


def test_classifier_race_boundaries_and_chosen_parameter() -> None:
    at = app_test(PAGE)
    at.selectbox(key="net.network").set_value("classifier").run()
    at.selectbox(key="race.param").set_value("layers.1.weight:9")  # 8 units (moons recipe)
    at = race(at)
    fig = figure(at, "race.fig")
    heat = [d for d in fig["data"] if d["type"] == "heatmap"]
    assert len(heat) == 3 and all(d["zmax"] == 100 for d in heat)
    assert "layers.1.weight[1, 1]" in captions(fig, 5)[0]


def test_branch_against_the_original_and_the_link_reopens_it() -> None:
    at = race(app_test(PAGE), 100)
    at.selectbox(key="race.branch_from").set_value("adam")
    at.number_input(key="race.branch_at").set_value(40)
    at.selectbox(key="race.branch_opt").set_value("sgd")
    at.select_slider(key="race.branch_lr").set_value(0.3)
    at.button(key="race.branch_go").click().run()
    assert not at.exception
    fig = figure(at, "race.branch_fig")
    assert fig["frames"][0]["name"] == "40"
    notes = captions(fig, 1)
    assert notes[0].startswith("Original: Adam") and notes[1].startswith("Branch at step 40")
    link = next(c.value for c in at.code if "race=" in c.value)  # the Share popover
    q = dict(parse_qsl(urlsplit(link).query))
    assert q["race"] == "1" and q["branch"] == "1" and q["branch_at"] == "40"
    again = app_test(PAGE, q)
    assert not again.exception
    assert figure(again, "race.branch_fig") == fig
    assert figure(again, "race.fig") == figure(at, "race.fig")


def test_bad_link_values_fall_back_to_valid_ones() -> None:
    q = {"race": "1", "racers": "adam,nope,adam,sgd", "race_lr_adam": "7",
         "race_steps": "123", "race_param": "zzz", "branch_at": "99999"}
    at = app_test(PAGE, q)
    assert not at.exception
    assert at.multiselect(key="race.optimizers").value == ["adam", "sgd"]
    assert at.select_slider(key="race.lr.adam").value == 1.0
    assert at.select_slider(key="race.steps").value == 100
    assert at.number_input(key="race.branch_at").value == 100


def test_race_in_bengali() -> None:
    at = race(app_test(PAGE, {"lang": "bn"}))
    assert not at.exception
    fig = figure(at, "race.fig")
    assert "আপডেট" in captions(fig, 3)[0]
