"""Issue 11's classes, each case run through the envelope (a worker under RLIMIT_CPU,
RLIMIT_AS and a wall-clock kill): refused with a clear message or finished, within
the budget, and its peak memory recorded (test-artifacts/budget-corpus.json)."""

from __future__ import annotations

import json

import pytest

from backprop.sandbox.envelope import DEFAULT_BUDGET, envelope
from graphviz_tools import ProgramError
from tests.conftest import ARTIFACTS
from tests.hostile import BUDGET_CORPUS

CASES = [(cls, i, code) for cls, codes in BUDGET_CORPUS.items() for i, code in enumerate(codes)]
BACKSTOP = {"budget_cpu", "budget_memory", "budget_time", "budget_output", "internal"}
PEAKS: dict[str, float] = {}


@pytest.mark.parametrize(("cls", "i", "code"), CASES, ids=[f"{c}-{i}" for c, i, _ in CASES])
def test_class_is_refused_clearly_within_budget(cls: str, i: int, code: str) -> None:
    env = envelope()
    try:
        result = env.call("program", code, {}, "bn")
    except ProgramError as e:
        # a clear message in the UI language, from a pre-check, on one line
        assert e.key not in BACKSTOP, (e.key, e.message)
        assert "\n" not in e.message and e.lang == "bn"
    else:
        assert result.trace.graph.nodes  # finished: a real trace
    usage = env.last_usage()
    assert usage is not None  # the worker answered: it was not killed
    assert usage.cpu_seconds < DEFAULT_BUDGET.cpu_seconds
    growth = usage.peak_mb - usage.base_mb
    assert growth < DEFAULT_BUDGET.memory_mb
    PEAKS[f"{cls}-{i}"] = round(growth, 1)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "budget-corpus.json").write_text(json.dumps(PEAKS, indent=1))


def test_output_bounds_say_so() -> None:
    from dataclasses import replace

    from backprop.core.limits import DEFAULT_LIMITS
    from backprop.draw.animation import MAX_FRAME_CELLS, figure
    from graphviz_tools import run_program

    small = replace(DEFAULT_LIMITS, print_chars=50, steps=30, edges=3, values=100)
    with pytest.raises(ProgramError) as e:
        run_program("print(x, x, x)\nprint(1234567890 * 10 ** 20)\nz = x * 2", limits=small)
    assert e.value.key == "print_size"
    tr = run_program("a = torch.arange(40.0)\nz = x * 2\nz.backward()\na", limits=small)
    assert tr.result.endswith("more characters]") and len(tr.result) < 100
    with pytest.raises(ProgramError) as e:
        run_program("z = x * y\n" + "z.backward(retain_graph=True)\n" * 12, limits=small)
    assert e.value.key == "too_many_steps"
    with pytest.raises(ProgramError) as e:
        run_program("z = x * y + x * y + y", limits=small)
    assert e.value.key == "too_many_edges"
    with pytest.raises(ProgramError) as e:
        run_program("a = torch.ones(200, requires_grad=True)\nz = (a * 2).sum()", limits=small)
    assert e.value.key == "values_size"
    # within the step bound, but frames x nodes is too big to animate
    many = run_program("w = " + " + ".join(["x * y"] * 40) + "\n"
                       + "w.backward(retain_graph=True)\n" * 20)
    n_steps = len(many.forward_order) + sum(len(p.order) for p in many.passes)
    assert n_steps * len(many.graph.nodes) > MAX_FRAME_CELLS
    with pytest.raises(ProgramError) as e:
        figure(many)
    assert e.value.key == "too_many_steps"
