"""Faults: a failing, killed or slow `dot`, a missing `dot`, an oversized graph.
Each gives one clear message and the session goes on (no traceback)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from backprop.draw import layout as layout_mod
from backprop.draw.layout import layout, run_dot
from graphviz_tools import ProgramError, run_program

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_dot_failure_is_a_program_error() -> None:
    with pytest.raises(ProgramError) as err:
        run_dot("digraph { this is not dot", "svg")
    assert err.value.key == "layout"


def test_dot_timeout_is_a_program_error(monkeypatch) -> None:  # noqa: ANN001
    def slow(*a: object, **k: object) -> None:
        raise subprocess.TimeoutExpired("dot", 0.01)
    monkeypatch.setattr(layout_mod.subprocess, "run", slow)
    with pytest.raises(ProgramError) as err:
        run_dot("digraph { a -> b }", "svg")
    assert err.value.key == "layout_timeout"


def test_dot_killed_is_a_program_error(monkeypatch) -> None:  # noqa: ANN001
    real = subprocess.run

    def killed(cmd: list[str], **kw: object) -> subprocess.CompletedProcess:
        return real(["sh", "-c", "kill -9 $$"], **kw)
    monkeypatch.setattr(layout_mod.subprocess, "run", killed)
    with pytest.raises(ProgramError) as err:
        run_dot("digraph { a -> b }", "svg")
    assert err.value.key == "layout"


def test_missing_dot_is_a_program_error(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(layout_mod.shutil, "which", lambda _: None)
    with pytest.raises(ProgramError) as err:
        run_dot("digraph { a -> b }", "svg")
    assert err.value.key == "no_graphviz"


def test_page_survives_a_broken_dot(monkeypatch) -> None:  # noqa: ANN001
    def broken(*a: object, **k: object) -> bytes:
        raise ProgramError("layout", detail="dot crashed")
    monkeypatch.setattr(layout_mod, "run_dot", broken)
    layout_mod._layouts.data.clear()
    at = AppTest.from_file(APP, default_timeout=90)
    at.text_area  # noqa: B018
    at.run()
    at.text_area(key="lab.program").input("q = u * v + u")
    at.button(key="lab.run").click().run()
    assert not at.exception
    assert any("Graphviz" in e.value for e in at.error)  # one clear message
    assert at.dataframe  # the table view still lists the nodes
    assert "MulBackward0" in at.get("graphviz_chart")[0].proto.spec  # the browser still draws


def test_oversized_graph_falls_back_to_the_table() -> None:
    code = "y = x\n" + "y = (y * 1.01 + 0.1) * 0.99\n" * 150  # ~450 nodes
    trace = run_program(code, {"x": 1.0})
    assert len(trace.graph.nodes) > 400
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.text_area(key="lab.program").input(code)
    at.button(key="lab.run").click().run()
    assert not at.exception
    assert not at.get("graphviz_chart")
    assert any("nodes" in i.value for i in at.info)


def test_layout_cache_survives_a_failure(monkeypatch) -> None:  # noqa: ANN001
    trace = run_program("z = a * b", {"a": 1.0, "b": 2.0})
    layout_mod._layouts.data.clear()
    calls = []

    def flaky(*a: object, **k: object) -> bytes:
        calls.append(1)
        raise ProgramError("layout", detail="boom")
    monkeypatch.setattr(layout_mod, "run_dot", flaky)
    with pytest.raises(ProgramError):
        layout(trace.graph)
    monkeypatch.undo()
    assert layout(trace.graph).nodes  # nothing bad was cached
