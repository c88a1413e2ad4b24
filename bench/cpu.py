"""Where the CPU goes during a class run: the server (with its envelope workers) vs the
browsers vs the whole machine (other users of a shared box included), from /proc."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from bench.server import CHROMIUM, _children

TICK = os.sysconf("SC_CLK_TCK")


def _times(pid: int, children: bool) -> float:
    """utime + stime (+ reaped children's, for exited workers) of one process, seconds."""
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in f[11:15 if children else 13]) / TICK


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its descendants, reaped ones included (a worker
    that retired counts in its parent's cutime)."""
    return sum(_times(p, True) for p in [pid, *_children(pid)])


def browser_cpu(pid: int) -> float:
    """CPU seconds of every Chromium process under `pid` (the bench's own tree)."""
    total = 0.0
    for p in _children(pid):
        try:
            exe = os.readlink(f"/proc/{p}/exe")
        except OSError:
            continue
        if "chromium" in exe:
            total += _times(p, False)
    return total


def machine_cpu() -> float:
    """CPU seconds spent by the whole machine (every process, every user), busy only."""
    f = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in f[:8])
    return (user + nice + system + irq + softirq + steal) / TICK


def idle_chromium() -> str:
    """A launcher that runs Chromium's page processes under SCHED_IDLE (renderers fork
    from the zygote and inherit it): they only get CPU the server leaves, as on a
    classroom's own devices."""
    chrt = shutil.which("chrt")
    if chrt is None:
        return CHROMIUM
    path = Path(tempfile.mkdtemp(prefix="bp-chromium-")) / "chromium"
    # only the page processes (zygote, renderers: parsing, layout, Plotly) go idle; the
    # browser and network processes keep normal priority, so sockets are served on time
    path.write_text('#!/bin/sh\ncase "$*" in *--type=zygote*|*--type=renderer*)\n'
                    f'  exec {chrt} --idle 0 {CHROMIUM} "$@";;\nesac\nexec {CHROMIUM} "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)
