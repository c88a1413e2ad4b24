"""The envelope's limits as data (Budget) and on this whole process (limit_self, for
the CLI); envelope.py applies them to its workers, worker.py sets them in each one."""

from __future__ import annotations

import math
import os
import resource
import signal
from dataclasses import dataclass

from backprop.core.errors import ProgramError


@dataclass(frozen=True)
class Budget:
    # The envelope: 2 s CPU for the whole action (trace, figure, fd reruns).
    cpu_seconds: int = 2
    # Above the worker's own start (torch loaded): a 100x100 float tensor is 40 KB,
    # so 512 MB is thousands of times what a lesson needs.
    memory_mb: int = 512
    # CPU time can lag wall time on a busy 2-core box; a worker blocked or starved
    # this long is killed anyway.
    wall_seconds: float = 8.0
    # Pickled result: a 150-node animation figure is well under 1 MB.
    result_bytes: int = 16_000_000


DEFAULT_BUDGET = Budget()


def vm_bytes() -> int:
    with open("/proc/self/statm") as f:  # first field: total program size, in pages
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def limit_self(budget: Budget = DEFAULT_BUDGET) -> None:
    """The same envelope on this whole process (the CLI: one action, then exit).

    CPU counts from now (imports and torch's lazy meta setup already paid); past it,
    one line and exit 2."""
    from backprop.sandbox.guards import warm_meta

    warm_meta()
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(used.ru_utime + used.ru_stime) + budget.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))
    limit = vm_bytes() + budget.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def stop(_sig: int, _frame: object) -> None:
        msg = ProgramError("budget_cpu", seconds=budget.cpu_seconds).message
        os.write(2, (msg + "\n").encode())
        os._exit(2)
    signal.signal(signal.SIGXCPU, stop)
    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, budget.wall_seconds)
