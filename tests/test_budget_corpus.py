"""Issue 11's classes, each case run through the envelope (a worker under RLIMIT_CPU,
RLIMIT_AS and a wall-clock kill): refused with a clear message or finished, within
the budget, and its peak memory recorded (test-artifacts/budget-corpus.json)."""

from __future__ import annotations

import json

import pytest

from graphviz_tools import ProgramError
from graphviz_tools.sandbox import DEFAULT_BUDGET, envelope
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
