"""The benchmark runs (on its tiny case); it prints ratios, the tests assert none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_quick_runs_and_prints_the_table() -> None:
    r = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=ROOT, capture_output=True,
                       text=True, timeout=600, check=False)
    assert r.returncode == 0, r.stderr
    assert "bare dot" in r.stdout and "torchviz" in r.stdout
    assert "animation JSON: seed-mean" in r.stdout
    assert "race playback JSON" in r.stdout  # the optimizer race (issue 17)


def test_protocol_client_gets_the_lab_stage_from_a_real_server(server) -> None:  # noqa: ANN001
    """bench/wsclient.py: one session over the websocket receives the lab's stage data,
    reports the stage drawn (the first-paint trigger) and gets the rest of the page."""
    import asyncio

    from bench.classroom import LAB_LINK
    from bench.wsclient import visit

    v = asyncio.run(visit(server, LAB_LINK))
    assert v.errors == []
    assert v.stage_s > 0 and v.done_s >= v.stage_s
    assert v.triggered and v.rest > 0  # the server sent the rest after the trigger


def test_the_class_bound_is_the_floor_times_the_visits_against_the_window() -> None:
    """bench/floor.py: 95% of 2N visits each cost at least the floor, all before the last
    deadline (last arrival + a visit + watching + a visit)."""
    from bench.floor import wave_bound

    need, window, give = wave_bound(60, 1.0, arrival_s=20, budget_s=5, between_s=1.5, cores=2)
    assert (need, window, give) == (114.0, 31.5, 63.0)
