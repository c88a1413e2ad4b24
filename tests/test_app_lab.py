"""AppTest: the Expression Lab page, driven by widget keys like a learner would."""

from __future__ import annotations

import json
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
    """The graph's DOT source (shown under "Graph files"; the stage draws the graph)."""
    return next(c.value for c in at.code if c.language == "dot")


def stages(at: AppTest) -> list:
    return [e for e in at.get("bidi_component") if e.proto.component_name == "bp_stage"]


def stage_of(at: AppTest) -> dict:
    """The data the stage component got: the figure with frames, labels, start frame."""
    return json.loads(stages(at)[0].proto.json)


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
    assert "<B>x</B><BR/>leaf tensor<BR/>value 2<BR/>" in dot and "grad 4</FONT>" in dot
    assert any("backward()" in i.value for i in at.info)  # the app says it called backward


def test_refused_program_shows_one_clear_error(at: AppTest) -> None:
    at = submit(at, "y = x * 2\nz = open('secrets.txt')")
    assert not at.exception
    assert len(at.error) == 1
    assert "Line 2, column 5" in at.error[0].value and "open" in at.error[0].value
    assert not at.get("graphviz_chart") and not stages(at)  # nothing drawn: nothing ran
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


def test_one_graph_on_screen_the_stage(at: AppTest) -> None:
    assert not at.get("graphviz_chart") and not at.get("plotly_chart")  # no second copy
    fig = stage_of(at)["fig"]
    names = [f["name"] for f in fig["frames"]]
    assert names[0] == "overview" and names[1] == "forward:0:n0"
    assert names[-1] == "backward:9:n0" and len(names) == 11
    assert stage_of(at)["start"] == 0  # opens on the final state: every value and gradient
    labels = fig["data"][-1]["text"]
    assert any("grad 2×2 [4.5, 4.5, 4.5, …]" in x for x in labels)
    assert all("n2" not in x for x in labels)  # the unnamed y*y is named `y × y`


def test_each_frame_carries_its_explanation(at: AppTest) -> None:
    frames = stage_of(at)["fig"]["frames"]
    z = frames[8]["explain"]  # backward at y × y: two gradients to y, shown apart
    assert z["phase"] == "backward" and "y × y" in z["head"]
    assert sum(line.startswith("→ y (input") for line in z["math"]) == 2
    y = frames[9]["explain"]  # ... then added at y
    assert "2×2 [2.25, 2.25, 2.25, …] + 2×2 [2.25, 2.25, 2.25, …] = 2×2 [4.5, 4.5, 4.5, …]" \
        in y["math"]
    assert any("1/N = 0.25" in line for line in frames[6]["explain"]["math"])
    assert all(" n2" not in line for f in frames for line in f["explain"]["math"])


def test_chain_rule_detail_follows_its_slider(at: AppTest) -> None:
    at.slider(key="lab.detail").set_value(7).run()  # backward at z = (y × y) * 3
    text = "\n".join(m.value for m in at.markdown)
    assert "× local `3` = `2×2 [0.75, 0.75, 0.75, 0.75]`" in text and "✓" in text
    assert any(r"\frac{\partial z}" in x.value for x in at.get("latex"))
    at.button(key="lab.step_next").click().run()
    assert at.slider(key="lab.detail").value == 8


def test_a_link_with_a_step_opens_the_stage_there() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["step"] = "7"
    at.run()
    assert stage_of(at)["start"] == 7


def test_editing_a_setting_reruns_with_a_new_episode(at: AppTest) -> None:
    before = stage_of(at)["sig"]
    at = submit(at, "z = x * y + x")
    at.number_input(key="lab.input.x").set_value(2.0).run()
    after = stage_of(at)
    assert after["sig"] != before
    assert any("value 2" in x for x in after["fig"]["data"][-1]["text"])


def test_switching_language_runs_no_program_again(monkeypatch) -> None:  # noqa: ANN001
    """The Trace and a refusal are data: the page translates, the runner is not called."""
    import streamlit as st

    import ui.lab_runs

    calls: list[str] = []
    real = ui.lab_runs.run_program

    def counting(text: str, *args: object, **kwargs: object) -> object:
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(ui.lab_runs, "run_program", counting)  # what the page calls
    checks: list[str] = []
    real_fd = ui.lab_runs.finite_differences

    def counting_fd(text: str, *args: object, **kwargs: object) -> object:
        checks.append(text)
        return real_fd(text, *args, **kwargs)

    monkeypatch.setattr(ui.lab_runs, "finite_differences", counting_fd)
    st.cache_data.clear()
    ui.lab_runs.run_cached.cache.clear()  # shared by every session of this process
    ui.lab_runs.fd_cached.cache.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert calls == [PRESETS["seed-mean"].code]
    assert at.title[0].value == "Expression Lab" and "multiply" in dot_of(at)
    at.sidebar.radio(key="lang").set_value("bn").run()
    assert not at.exception
    assert at.title[0].value == "এক্সপ্রেশন ল্যাব" and "গুণ" in dot_of(at)
    assert len(calls) == 1 and len(checks) == 1  # still the one run, the one check
    at = submit(at, "y = open('f')")
    assert len(calls) == 2 and "লাইন 1, কলাম 5" in at.error[0].value
    at.sidebar.radio(key="lang").set_value("en").run()
    assert len(calls) == 2  # the refusal was kept, and is said again in English
    assert "Line 1, column 5" in at.error[0].value
