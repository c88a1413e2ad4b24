"""What a run leaves behind (RunState), the backward() calls it made, and the hooks
the capture puts around each loop iteration. Plain data shared by the interpreter,
the capture (program.py, iterations.py) and the finite-difference runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass
class Backward:
    """A backward() call the program made: what on, and where in the text."""

    root: torch.Tensor
    source: str
    kwargs: dict[str, Any]


@dataclass
class RunState:
    """What the interpreter leaves behind for the capture and the page."""

    env: dict[str, Any] = field(default_factory=dict)
    bindings: list[tuple[str, Any]] = field(default_factory=list)  # every (name, value)
    prints: list[str] = field(default_factory=list)
    result: Any = None  # value of a final bare expression
    result_source: str | None = None
    last_assigned: tuple[str, Any] | None = None
    backward_roots: list[Backward] = field(default_factory=list)
    executed: int = 0  # statements run, loop bodies counted once per iteration
    iterations: int = 0  # loop iterations run, nested loops counted together
    # grad_fn -> the program's text for its operand that is no graph node (see Node.constant)
    operands: dict[Any, str] = field(default_factory=dict)


class LoopHooks:
    """What the capture does around each loop iteration (see iterations.py)."""

    def begin(self, records: bool) -> object:  # noqa: D102
        return None

    def end(self, token: object) -> None:  # noqa: D102
        return None
