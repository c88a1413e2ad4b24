"""The envelope's own cost (issue 11): a normal Run with and without it, the first run
after start, and the memory the worker pool adds to an idle server."""

from __future__ import annotations

import time
from pathlib import Path

from bench.timing import median_s, row
from graphviz_tools import run_program

MB = 1024 * 1024
SEED = ("x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)\n"
        "y = x + 2\nz = y * y * 3\nout = z.mean()\nout.backward()")


def pss(pid: int) -> int:
    """Proportional set size, bytes: shared pages split between the processes sharing
    them (a worker forked from the forkserver shares torch with it)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc)."""
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


def envelope_costs(rows: list) -> None:
    import os

    from backprop.sandbox.envelope import Envelope

    before = {p: pss(p) for p in descendants(os.getpid())}
    t0 = time.perf_counter()
    env = Envelope()
    env.call("trace", SEED)  # cold: forkserver start, torch import, warm-up, fork, run
    first = time.perf_counter() - t0
    time.sleep(1.0)  # the spare worker is forked in the background
    direct = median_s(lambda: run_program(SEED), repeat=21, warmup=3)
    boxed = median_s(lambda: env.call("trace", SEED), repeat=21, warmup=3)
    page = median_s(lambda: env.call("program", SEED, None, "en"), repeat=11, warmup=2)
    time.sleep(1.0)
    pool = [p for p in descendants(os.getpid()) if p not in before]
    pool_pss = sum(pss(p) for p in pool)
    rows.append(row("Run with the envelope / without (seed)", f"{boxed / direct:.1f}x "
                    f"({boxed * 1000:.1f} vs {direct * 1000:.1f} ms)",
                    "a run costs milliseconds", boxed < 0.05))
    rows.append(row("page action in the envelope (run + JSON + transcript)",
                    f"{page * 1000:.1f} ms", "", None))
    rows.append(row("first run after start (forkserver + torch + warm-up)",
                    f"{first:.2f} s", "once per server", None))
    rows.append(row(f"idle pool: forkserver + spare worker ({len(pool)} processes, PSS)",
                    f"{pool_pss / MB:.0f} MB", "", None))
