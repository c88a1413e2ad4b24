"""The envelope's worker process: actions under OS limits (sandbox/envelope.py starts it).

A worker serves actions until it has used RETIRE_CPU seconds of CPU (or grown), then
exits and a fresh one takes its place. Per action:
- CPU: soft RLIMIT_CPU = floor(CPU used so far) + budget, so an action gets between
  budget - RETIRE_CPU and budget seconds; past it SIGXCPU ends the worker;
- memory: soft RLIMIT_AS = the address space now + the budget. RLIMIT_AS, not
  RLIMIT_DATA: torch's allocator takes big blocks with mmap and both count those,
  but only AS also counts file maps and thread stacks, so nothing escapes it; and
  torch reserves no large virtual ranges on CPU (measured: ~640 MB VmSize after
  import, all of it real libraries), so the limit is the budget (tests prove a 1 GB
  tensor is refused and a 300 MB one is not);
- the hard limits stay unlimited so the next action can get its own soft limits: a
  program cannot call setrlimit (no exec), and the parent's wall-clock kill backs up.
"""

from __future__ import annotations

import importlib
import os
import pickle
import resource
from dataclasses import dataclass
from typing import Any

from backprop.core.errors import ProgramError

RETIRE_CPU = 0.5  # seconds: a worker that has used this much is replaced
RETIRE_GROWTH = 128 * 2**20  # bytes of address space kept from earlier actions
MAX_ACTIONS = 200
# Workers run below the server: the server's own threads (sending pages, cache hits to
# a class) go first, and a session that keeps a worker busy (a worst-case program in a
# loop) takes only what the server leaves, not the server's share of the cores.
NICE = 10
_INF = resource.RLIM_INFINITY


@dataclass(frozen=True)
class Usage:
    """What one action cost (tests and bench read it)."""

    cpu_seconds: float
    peak_mb: float  # resident memory at the action's peak (torch included)
    base_mb: float  # resident memory when the action started


def serve(conn: Any, budget: Any, actions: dict[str, str]) -> None:
    """The worker's main loop."""
    import torch

    torch.set_num_threads(1)  # one intra-op thread: 2 cores are shared by everyone
    os.nice(NICE)  # relative to the forkserver (the server's priority): the server first
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    start_vm = _status("VmSize")
    for _ in range(MAX_ACTIONS):
        try:
            name, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        cpu0, base = _cpu(), _status("VmRSS")
        _reset_peak()
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu0) + budget.cpu_seconds, _INF))
        resource.setrlimit(resource.RLIMIT_AS, (_status("VmSize") + budget.memory_mb * 2**20,
                                                _INF))
        data, fatal = _run(name, args, kwargs, actions, budget)
        resource.setrlimit(resource.RLIMIT_AS, (_INF, _INF))
        resource.setrlimit(resource.RLIMIT_CPU, (_INF, _INF))
        usage = Usage(_cpu() - cpu0, _status("VmHWM") / 2**20, base / 2**20)
        retire = fatal or _cpu() > RETIRE_CPU or _status("VmSize") > start_vm + RETIRE_GROWTH
        conn.send_bytes(pickle.dumps((data, usage, retire), protocol=pickle.HIGHEST_PROTOCOL))
        if retire:
            break
    conn.close()
    os._exit(0)  # skip interpreter teardown: nothing to flush, the reply is sent


def _run(name: str, args: tuple, kwargs: dict, actions: dict[str, str],
         budget: Any) -> tuple[bytes, bool]:
    """(pickled ("ok", result) or ("err", ...), whether the worker should retire)."""
    try:
        module, _, fn = actions[name].partition(":")
        result = getattr(importlib.import_module(module), fn)(*args, **kwargs)
        data = pickle.dumps(("ok", result), protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > budget.result_bytes:
            return _err(ProgramError("budget_output", mb=budget.result_bytes // 10**6)), False
        return data, False
    except ProgramError as e:
        return (_err(_memory(budget)), True) if _is_memory(e) else (_err(e), False)
    except MemoryError:
        return _err(_memory(budget)), True
    except Exception as e:  # noqa: BLE001 - the contract: ProgramError, never anything else
        if "allocat" in str(e):
            return _err(_memory(budget)), True
        return _err(ProgramError("internal", detail=type(e).__name__)), True


def _is_memory(e: ProgramError) -> bool:
    # torch's allocator failure arrives as a RuntimeError the interpreter wrapped
    return e.key in ("torch", "internal") and "allocat" in str(e.params.get("detail", ""))


def _memory(budget: Any) -> ProgramError:
    return ProgramError("budget_memory", mb=budget.memory_mb)


def _err(e: ProgramError) -> bytes:
    params = {k: v if isinstance(v, (int, float)) else str(v) for k, v in e.params.items()}
    return pickle.dumps(("err", e.key, e.line, e.col, params, e.lang))


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _status(field: str) -> int:
    """A /proc/self/status size field, bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    try:  # "5" resets VmHWM (Linux >= 4.0), so each action's peak is its own
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
