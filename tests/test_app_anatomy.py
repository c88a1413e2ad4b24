"""AppTest: the Model Anatomy page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import app_test


@pytest.fixture
def at() -> AppTest:
    return app_test("app_pages/model_anatomy.py")


def metrics(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def test_resnet50_summary_and_collapsed_graph(at: AppTest) -> None:
    at.selectbox(key="anat.model").set_value("resnet50").run()
    assert not at.exception
    assert metrics(at)[:3] == ["25,557,032", "25,557,032", "0"]
    dot = at.get("graphviz_chart")[0].proto.spec
    assert '"m:layer3"' in dot and "7,098,368 params" in dot
    at.multiselect(key="anat.expand").set_value(["layer3"]).run()
    dot = at.get("graphviz_chart")[0].proto.spec
    assert '"m:layer3"' not in dot and '"m:layer3.5"' in dot
    at.select_slider(key="anat.depth").set_value(0).run()
    dot = at.get("graphviz_chart")[0].proto.spec
    assert "ConvolutionBackward0" in dot and "subgraph cluster_" in dot


def test_vgg16_counts(at: AppTest) -> None:
    at.selectbox(key="anat.model").set_value("vgg16").run()
    assert metrics(at)[0] == "138,357,544"


def test_freeze_changes_trainable_and_graph(at: AppTest) -> None:
    at.selectbox(key="anat.model").set_value("lenet5").run()
    before = at.get("graphviz_chart")[0].proto.spec
    at.multiselect(key="anat.freeze").set_value(["features"]).run()
    assert metrics(at)[1] == f"{61_706 - 156 - 2416:,}"
    assert metrics(at)[2] == f"{156 + 2416:,}"
    assert at.get("graphviz_chart")[0].proto.spec != before


def test_seed_simple_and_checkpoint_tab(at: AppTest) -> None:
    assert metrics(at)[:3] == ["2", "1", "1"]  # one trainable, one non-trainable scalar
    assert any("a_variable" in c.value for c in at.code) or at.dataframe
    assert not at.exception
