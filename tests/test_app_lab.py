"""AppTest: the Expression Lab page, driven by widget keys like a learner would."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from examples.presets import PRESETS

TIMEOUT = 60
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def at() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def dot_of(at: AppTest) -> str:
    return at.get("graphviz_chart")[0].proto.spec


def codes(at: AppTest) -> str:
    return "\n".join(c.value for c in at.code)


def submit(at: AppTest, program: str) -> AppTest:
    at.text_area(key="lab.program").input(program)
    return at.button(key="lab.run").click().run()


def test_first_page_shows_the_seed_graph(at: AppTest) -> None:
    assert not at.exception
    assert at.text_area(key="lab.program").value == PRESETS["seed-mean"].code
    dot = dot_of(at)
    assert "MulBackward0 · multiply" in dot and "MeanBackward0 · mean" in dot
    assert "<B>x</B>" in dot and "grad 2×2 [4.5, 4.5, 4.5, 4.5]" in dot
    assert "tensor([[4.5000, 4.5000]," in codes(at)  # printed output, like a notebook


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_from_the_picker(at: AppTest, key: str) -> None:
    at.selectbox(key="lab.preset").set_value(key).run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.text_area(key="lab.program").value == PRESETS[key].code
    assert "digraph autograd" in dot_of(at)


def test_preset_numbers_reach_the_page(at: AppTest) -> None:
    at.selectbox(key="lab.preset").set_value("seed-diff-squares").run()
    assert "tensor(4.)\ntensor(-6.)" in codes(at)
    assert "grad -6" in dot_of(at) and "SubBackward0 · subtract" in dot_of(at)


def test_typed_program_with_inputs_panel(at: AppTest) -> None:
    at = submit(at, "z = x * y + x")
    assert not at.exception
    at.number_input(key="lab.input.x").set_value(2.0)
    at.number_input(key="lab.input.y").set_value(3.0).run()
    dot = dot_of(at)
    assert "<B>x</B><BR/>value 2<BR/>" in dot and "grad 4</FONT>" in dot
    assert any("backward()" in i.value for i in at.info)  # the app says it called backward


def test_refused_program_shows_one_clear_error(at: AppTest) -> None:
    at = submit(at, "y = x * 2\nz = open('secrets.txt')")
    assert not at.exception
    assert len(at.error) == 1
    assert "Line 2, column 5" in at.error[0].value and "open" in at.error[0].value
    assert not at.get("graphviz_chart")  # nothing drawn: nothing ran
    assert "^" in codes(at)


def test_gradient_check_table(at: AppTest) -> None:
    df = at.dataframe[0].value
    assert list(df.iloc[:, 0]) == ["x"]
    assert df["agree"][0] == "✓" and df["why"][0] == "agree"


def test_bengali_page() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = "bn"
    at.run()
    assert not at.exception
    assert at.title[0].value == "এক্সপ্রেশন ল্যাব"
    assert "গ্র্যাডিয়েন্ট" in dot_of(at)
    at = submit(at, "y = open('f')")
    assert "লাইন 1, কলাম 5" in at.error[0].value


def test_animation_frames_on_the_page(at: AppTest) -> None:
    import json

    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [f["name"] for f in fig["frames"]]
    assert names[0] == "forward:0:n0" and names[-1] == "backward:9:n0"
    assert len(names) == 10


def test_chain_rule_panel_follows_the_step(at: AppTest) -> None:
    import json

    at.slider(key="lab.step").set_value(7).run()  # backward at z = n2 * 3
    text = "\n".join(m.value for m in at.markdown)
    assert "× local `3` = `2×2 [0.75, 0.75, 0.75, 0.75]`" in text and "✓" in text
    assert any(r"\frac{\partial z}" in x.value for x in at.get("latex"))
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert fig["layout"]["sliders"][0]["active"] == 6  # the figure opens on that step
    at.button(key="lab.step_next").click().run()
    assert at.slider(key="lab.step").value == 8
