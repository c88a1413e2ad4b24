"""AppTest: the Tiny Network page, driven by widget keys."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import app_test


@pytest.fixture
def at() -> AppTest:
    return app_test("app_pages/tiny_network.py")


def metrics(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def test_step_shows_graph_animation_and_update(at: AppTest) -> None:
    assert not at.exception
    at.button(key="net.do_step").click().run()
    assert not at.exception
    assert metrics(at)[:2] == ["1", "1.277"]
    stage = next(e for e in at.get("bidi_component") if e.proto.component_name == "bp_stage")
    fig = json.loads(stage.proto.json)["fig"]  # the step on the stage: final state first
    assert fig["frames"][0]["name"] == "overview"
    assert fig["frames"][1]["name"].startswith("forward:0:")
    assert fig["frames"][-1]["name"].startswith("backward:")
    table = at.dataframe[-1].value
    assert list(table.iloc[:, 0]) == ["w1", "b1", "w2", "b2"]
    assert set(table.iloc[:, -1]) == {"✓"}  # after = before - lr * grad, every parameter
    assert any(r"w \leftarrow w - \eta" in x.value for x in at.get("latex"))


def test_train_n_steps_and_reset(at: AppTest) -> None:
    at.selectbox(key="net.n").set_value(100)
    at.button(key="net.train").click().run()
    assert metrics(at)[0] == "100"
    loss_100 = metrics(at)[1]
    at.button(key="net.reset").click().run()
    assert metrics(at)[0] == "0"
    at.button(key="net.train").click().run()
    assert metrics(at)[1] == loss_100  # same initial weights, same numbers


def test_classifier_with_adam_shows_boundary_and_state(at: AppTest) -> None:
    at.selectbox(key="net.network").set_value("classifier").run()
    assert at.slider(key="net.hidden").value == 2  # the network's own defaults
    at.selectbox(key="net.optimizer").set_value("adam")
    at.button(key="net.train").click().run()
    assert not at.exception
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    heat = [f for f in figs if f["data"] and f["data"][0].get("type") == "heatmap"]
    assert heat and len(heat[0]["frames"]) == 11
    cols = at.dataframe[-1].value.columns.tolist()
    assert {"m", "v", "t"} <= set(cols)  # Adam's state, per parameter
    assert "torch.optim.Adam" in "\n".join(c.value for c in at.code)


def test_forget_zero_grad_warns(at: AppTest) -> None:
    at.toggle(key="net.forget").set_value(True).run()
    at.button(key="net.do_step").click().run()
    assert any("zero_grad" in w.value for w in at.warning)


def test_linear_has_a_loss_landscape(at: AppTest) -> None:
    at.selectbox(key="net.network").set_value("linear").run()
    at.button(key="net.train").click().run()
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert any(f["data"][0].get("type") == "contour" for f in figs)


def test_bad_csv_upload_is_a_clear_error(at: AppTest) -> None:
    at.selectbox(key="net.network").set_value("classifier").run()
    at.selectbox(key="net.dataset").set_value("upload").run()
    assert any("CSV" in i.value for i in at.info)
