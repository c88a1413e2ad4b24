"""AppTest: a training loop in the Expression Lab (issue 13): the loss per iteration,
the iteration chooser with its graph and update, and the one-click repair."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from examples.presets import PRESETS
from tests.test_repair import FIRST

TIMEOUT = 60
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def at() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def dot_of(at: AppTest) -> str:
    return at.get("graphviz_chart")[0].proto.spec


def test_loop_preset_shows_iterations_and_the_chosen_update(at: AppTest) -> None:
    at.selectbox(key="lab.preset").set_value("book-2layer-manual").run()
    assert not at.exception and not at.error
    slider = at.slider(key="lab.iteration")
    assert (slider.min, slider.max, slider.value) == (1, 5, 5)
    assert at.get("plotly_chart")  # the loss per iteration
    last_dot = dot_of(at)
    at.slider(key="lab.iteration").set_value(2).run()
    assert not at.exception
    dot = dot_of(at)
    assert dot != last_dot and "<B>w1</B>" in dot  # iteration 2's own numbers
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == ["w1", "b1", "w2", "b2"]
    caption = " ".join(c.value for c in at.caption)
    assert "0.375911" in caption  # iteration 2's loss


def test_optimizer_state_in_the_update(at: AppTest) -> None:
    code = PRESETS["seq-regression"].code.replace("lr=0.05)", "lr=0.05, momentum=0.9)")
    at.text_area(key="lab.program").input(code)
    at = at.button(key="lab.run").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == ["model.0.weight", "model.0.bias"]
    assert any("momentum_buffer" in c for c in table.columns)


def test_flattened_text_is_repaired_in_one_click(at: AppTest) -> None:
    at.text_area(key="lab.program").input(FIRST)
    at = at.button(key="lab.run").click().run()
    assert at.error and "line breaks" in at.error[0].value
    at.button(key="lab.program.repair").click().run()
    assert not at.exception and not at.error
    assert at.text_area(key="lab.program").value.startswith("import torch\nx = torch.ones(")
    assert "MeanBackward0" in dot_of(at)


def test_loop_in_bengali() -> None:
    from tests.helpers import app_test

    at = app_test(None, {"lang": "bn"})
    at.selectbox(key="lab.preset").set_value("book-2layer-sgd").run()
    assert not at.exception and not at.error
    assert at.slider(key="lab.iteration").label == "যে ইটারেশন দেখবেন"
    at.text_area(key="lab.program").input("import torch\nx = torch.tensr([1.0])\n")
    at = at.button(key="lab.run").click().run()
    message = at.error[0].value
    assert "আপনি কি `torch.tensor` বোঝাতে চেয়েছেন?" in message
    at.text_area(key="lab.program").input("y = (\n")
    at = at.button(key="lab.run").click().run()
    assert "never" not in at.error[0].value and "বন্ধ করা হয়নি" in at.error[0].value
