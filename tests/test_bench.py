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
