"""DOT text, the dot subprocess, and the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from backprop.draw.layout import layout
from examples.presets import PRESETS
from graphviz_tools import ProgramError, render, run_program, to_dot

SEED = PRESETS["seed-mean"].code


def test_dot_is_deterministic_and_lists_every_node_and_edge() -> None:
    a, b = to_dot(run_program(SEED)), to_dot(run_program(SEED))
    assert a == b
    trace = run_program(SEED)
    for n in trace.graph.nodes:
        assert f'  "{n.id}" [' in a
    assert a.count(" -> ") == len(trace.graph.edges)
    assert "MulBackward0 · multiply" in a
    assert '"n1" -> "n2";\n  "n1" -> "n2";' in a  # y used twice: two edges, as autograd has


def test_dot_in_bengali() -> None:
    dot = to_dot(run_program(SEED), "bn")
    assert "গুণ" in dot and "গ্র্যাডিয়েন্ট" in dot


def test_render_svg_png_dot() -> None:
    trace = run_program(SEED)
    svg = render(trace, "svg")
    assert svg.startswith(b"<?xml") and b"MulBackward0" in svg
    assert render(trace, "png").startswith(b"\x89PNG")
    assert render(trace, "dot").decode() == to_dot(trace)
    with pytest.raises(ProgramError):
        render(trace, "gif")


def test_layout_ignores_values_and_is_cached() -> None:
    a = run_program("z = x * y + x", {"x": 1.0, "y": 2.0})
    b = run_program("z = x * y + x", {"x": 5.0, "y": -7.0})
    la, lb = layout(a.graph), layout(b.graph)
    assert la is lb  # same structure: one layout, computed once
    assert set(la.nodes) == {n.id for n in a.graph.nodes}


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graphviz_tools", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_trace_json_contract() -> None:
    r = _cli("trace", "-", "--json", stdin=PRESETS["seed-diff-squares"].code)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["output"] == {"name": "z", "value": -5.0}
    assert d["inputs"]["x"] == {"value": 2.0, "grad": 4.0}
    assert d["inputs"]["y"] == {"value": 3.0, "grad": -6.0}
    assert {n["kind"] for n in d["nodes"]} == {"leaf", "op", "output"}
    assert all({"id", "kind", "op", "name", "value", "grad"} <= set(n) for n in d["nodes"])
    assert all({"from", "to"} <= set(e) for e in d["edges"])
    assert d["forward_order"][-1] == d["nodes"][-1]["id"]
    assert d["backward_order"][0] == d["nodes"][-1]["id"]  # the engine starts at the output


def test_cli_render_and_inputs(tmp_path) -> None:  # noqa: ANN001
    prog = tmp_path / "p.py"
    prog.write_text("z = x * y", encoding="utf-8")
    out = tmp_path / "g.svg"
    r = _cli("render", str(prog), "-o", str(out), "-i", "x=2", "-i", "y=5")
    assert r.returncode == 0, r.stderr
    assert b"grad 5" in out.read_bytes()


@pytest.mark.parametrize("stdin", ["import os", "y = (", "y = 9 ** 9 ** 9", ""])
def test_cli_refusal_exit_2_one_line(stdin: str) -> None:
    r = _cli("trace", "-", stdin=stdin)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_cli_bad_arguments_exit_2() -> None:
    r = _cli("bogus")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = _cli("trace", "/no/such/file")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
