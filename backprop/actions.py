"""The actions the envelope runs in a worker (sandbox.ACTIONS names them).

Each takes and returns plain picklable data and does the whole job a page asks for
inside the worker, so the CPU and memory budget covers all of it (trace assembly,
`to_dict`, the transcript, every finite-difference rerun), not only the statements.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from backprop.capture.program import run_program
from backprop.core.graph import Trace
from backprop.core.limits import DEFAULT_LIMITS, Limits
from backprop.i18n import DEFAULT_LANG
from backprop.teach.fd import FDCheck, finite_differences
from backprop.teach.steps import transcript
from backprop.train.checkpoint import Plain, read_state, to_plain
from backprop.train.datasets import parse_csv
from backprop.train.training import Trainer


@dataclass(frozen=True)
class ProgramResult:
    trace: Trace
    json: dict[str, Any]  # trace.to_dict(), built under the budget
    transcript: tuple[str, ...]
    figure: dict[str, Any] | None  # the animation from step 0, when asked for


def trace(text: str, inputs: dict[str, float] | None = None,
          limits: Limits = DEFAULT_LIMITS) -> Trace:
    """run_program, in the worker (the sandboxed Python API and the CLI)."""
    result = run_program(text, inputs, limits)
    result.to_dict()  # what the caller will do next is covered by the budget too
    return result


def program(text: str, inputs: dict[str, float] | None = None, lang: str = DEFAULT_LANG,
            with_figure: bool = False) -> ProgramResult:
    """What a page shows for a program: the trace, its JSON, transcript, animation."""
    tr = run_program(text, inputs)
    fig = None
    if with_figure:
        from backprop.draw.animation import figure
        fig = figure(tr, lang)
    return ProgramResult(tr, tr.to_dict(), tuple(transcript(tr, lang)), fig)


def fd(text: str, names: list[str], inputs: dict[str, float] | None = None
       ) -> dict[str, FDCheck]:
    return finite_differences(text, names, inputs)


def csv(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    return parse_csv(raw)


def checkpoint(raw: bytes) -> Plain:
    """An uploaded state_dict, unzipped and unpickled here, never in the server; sent
    back as plain data (checkpoint.from_plain makes the server's tensors of it)."""
    return to_plain(read_state(raw))


def train(trainer: Trainer, n: int) -> Trainer:
    trainer.run(n)
    return trainer


def probe(kind: str, amount: float = 0) -> Any:
    """Misbehave on purpose (tests, bench): spin, allocate, sleep, return a lot."""
    if kind == "spin":
        x = 0
        while True:
            x += 1
    if kind == "alloc":  # MB, touched
        return float(torch.ones(int(amount * 2**20 / 4)).sum())
    if kind == "sleep":
        time.sleep(amount)
    if kind == "big":  # MB of result
        return b"x" * int(amount * 2**20)
    if kind == "crash":
        import os
        import signal
        os.kill(os.getpid(), signal.SIGSEGV)
    if kind == "threads":
        return torch.get_num_threads()
    if kind == "nice":  # the worker's niceness (os.nice(0) reads it)
        import os
        return os.nice(0)
    return "ok"
