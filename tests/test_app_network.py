"""AppTest: the Tiny Network page, driven by widget keys."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import app_test


@pytest.fixture
def at() -> AppTest:
    return app_test("app_pages/tiny_network.py")


def figures(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def player_of(at: AppTest) -> dict:
    """What the stage's player got: the figure, the frame it opens on, autoplay."""
    return next(d for e in at.get("bidi_component") if e.proto.component_name == "bp_stage"
                for d in [json.loads(e.proto.json)]
                if d["fig"].get("meta", {}).get("painter") == "net")


def stage_of(at: AppTest) -> dict:
    """The stage: the figure whose frames carry the unit heatmaps and the text."""
    return player_of(at)["fig"]


def text_at(fig: dict, step: int) -> str:
    frame = next(f for f in fig["frames"] if f["name"] == str(step))
    return " ".join([frame["explain"]["head"], *frame["explain"]["body"]])


def test_stage_is_there_before_any_click(at: AppTest) -> None:
    assert not at.exception
    fig = stage_of(at)
    assert fig["frames"][0]["name"] == "0" and fig["frames"][-1]["name"] == "300"
    data = player_of(at)
    assert data["start"] == 0 and not data["autoplay"]  # opens on the weights it starts from
    assert data["claim_keys"] and data["panel_below"]  # ← → space drive this stage
    net = fig["frames"][-1]["net"]
    assert fig["meta"]["classify"] and len(net["o"]) == 30 * 30  # the decision boundary
    assert len(net["u"]) == 16 + 1  # each hidden unit, and the output node
    assert "test accuracy" in text_at(fig, 300)
    assert not figures(at) or all("frames" not in f for f in figures(at))  # no Plotly frames
    assert not at.warning  # the default run is healthy


def test_book_network_step_opens_the_deep_view(at: AppTest) -> None:
    at.selectbox(key="net.network").set_value("seed-2layer").run()
    assert at.number_input(key="net.view").value == 1  # step 1 is open before any click
    assert at.dataframe[-1].value.iloc[0, 1] == "0.5"  # w1 before step 1: the book's value
    at.button(key="net.do_step").click().run()
    assert not at.exception
    assert at.number_input(key="net.view").value == 2
    fig = next(d["fig"] for e in at.get("bidi_component")  # the step view's stepper
               if e.proto.component_name == "bp_stage"
               for d in [json.loads(e.proto.json)] if "painter" not in d["fig"].get("meta", {}))
    # the step on the stage: final state first
    assert fig["frames"][0]["name"] == "overview"
    assert fig["frames"][1]["name"].startswith("forward:0:")
    assert fig["frames"][-1]["name"].startswith("backward:")
    table = at.dataframe[-1].value
    assert list(table.iloc[:, 0]) == ["w1", "b1", "w2", "b2"]
    assert set(table.iloc[:, -1]) == {"✓"}  # after = before - lr * grad, every parameter
    assert any(r"w \leftarrow w - \eta" in x.value for x in at.get("latex"))
    assert "loss on the training data" in text_at(stage_of(at), 1)  # test set = training set


def test_next_chunk_and_reset(at: AppTest) -> None:
    first = text_at(stage_of(at), 300)
    at.button(key="net.train").click().run()
    fig = stage_of(at)
    assert fig["frames"][-1]["name"] == "600"
    data = player_of(at)
    assert fig["frames"][data["start"]]["name"] == "300"  # plays on from where it ended
    assert data["autoplay"]  # and plays at once
    at.button(key="net.reset").click().run()
    fig = stage_of(at)
    assert fig["frames"][-1]["name"] == "300"
    assert text_at(fig, 300) == first  # same initial weights, same numbers


def test_the_chosen_view_survives_training(at: AppTest) -> None:
    at.segmented_control(key="net.view_mode").set_value("curves").run()
    at.button(key="net.train").click().run()
    assert not at.exception
    assert at.segmented_control(key="net.view_mode").value == "curves"
    assert any(f["layout"].get("title", {}).get("text") == "Parameters" for f in figures(at))


def test_adam_state_in_the_update_table(at: AppTest) -> None:
    assert at.selectbox(key="net.optimizer").value == "adam"  # the moons recipe
    cols = at.dataframe[-1].value.columns.tolist()
    assert {"m", "v", "t"} <= set(cols)  # Adam's state, per parameter
    at.segmented_control(key="net.view_mode").set_value("code").run()
    assert "torch.optim.Adam" in "\n".join(c.value for c in at.code)


def test_a_new_dataset_gets_its_recipe(at: AppTest) -> None:
    at.selectbox(key="net.dataset").set_value("spiral").run()
    assert not at.exception
    assert at.slider(key="net.hidden").value == 3 and at.slider(key="net.noise").value == 0.05
    assert "test accuracy" in text_at(stage_of(at), 300)


def test_a_stuck_run_says_what_to_try(at: AppTest) -> None:
    at.selectbox(key="net.optimizer").set_value("sgd")
    at.select_slider(key="net.lr").set_value(0.001).run()
    assert any("barely moved" in w.value for w in at.warning)


def test_forget_zero_grad_warns(at: AppTest) -> None:
    at.toggle(key="net.forget").set_value(True).run()
    assert any("zero_grad" in w.value for w in at.warning)


def test_linear_has_a_loss_landscape(at: AppTest) -> None:
    at.selectbox(key="net.network").set_value("linear").run()
    at.segmented_control(key="net.view_mode").set_value("curves").run()
    assert any(f["data"][0].get("type") == "contour" for f in figures(at))


def test_bad_csv_upload_is_a_clear_error(at: AppTest) -> None:
    at.selectbox(key="net.dataset").set_value("upload").run()
    assert any("CSV" in i.value for i in at.info)
