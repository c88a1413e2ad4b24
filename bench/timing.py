"""Medians of repeated runs after a warm-up; ratios, not wall-clock limits."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_s(fn: Callable[[], object], repeat: int = 7, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def row(name: str, value: str, goal: str, ok: bool | None) -> tuple[str, str, str, str]:
    mark = "" if ok is None else ("met" if ok else "MISSED")
    return (name, value, goal, mark)


def table(rows: list[tuple[str, str, str, str]]) -> str:
    head = ("measure", "result", "goal", "")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r) for r in rows]
    return "\n".join(lines)
