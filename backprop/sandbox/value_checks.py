"""Checks on plain values and outputs, made as the program runs: the seed,
backward's flags, slice steps, builtins, list literals, printed text, the final value's
text and the values kept for the animation. guards.py re-exports them (tensor sizes
are its own job)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from backprop.core.errors import ProgramError
from backprop.core.limits import Limits

Err = Callable[..., ProgramError]  # err(key, **params): an error that points at the node
NUMBERS = (int, float, bool)


def seed_check(err: Err, args: list, kwargs: dict) -> None:
    if len(args) != 1 or kwargs or not isinstance(args[0], int) or isinstance(args[0], bool):
        raise err("manual_seed")
    if not 0 <= args[0] < 2**63:
        raise err("seed_range", limit=2**63 - 1)


def backward_check(err: Err, kwargs: dict) -> None:
    if "retain_graph" in kwargs and not isinstance(kwargs["retain_graph"], bool):
        raise err("retain_graph")


def index_check(err: Err, index: Any) -> None:
    """Slices step forward only (tensors cannot step backwards; 0 never ends)."""
    for s in index if isinstance(index, tuple) else (index,):
        if isinstance(s, slice) and s.step is not None and s.step <= 0:
            raise err("slice_step")


def builtin_check(limits: Limits, err: Err, name: str, args: list) -> None:
    """Python builtins are not interruptible: keep their work small up front."""
    if name == "round" and len(args) > 1 and isinstance(args[1], int) \
            and abs(args[1]) > limits.int_digits:
        raise err("ndigits", limit=limits.int_digits)
    if name == "sum":
        items = args[0] if args and isinstance(args[0], (list, tuple)) else []
        for v in [*items, *args[1:]]:
            if not isinstance(v, (*NUMBERS, torch.Tensor)):
                raise err("operand", kind=type(v).__name__)


def list_check(limits: Limits, err: Err, value: list | tuple) -> None:
    """A list literal: items counted through shared references, depth bounded
    (`b = [a, a, a]` ten times over is 10**10 items to print or sum)."""
    count, stack = 0, [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > limits.list_depth:
            raise err("nesting", limit=limits.list_depth)
        for x in v:
            count += 1
            if count > limits.tensor_elements:
                raise err("list_size", limit=limits.tensor_elements)
            if isinstance(x, (list, tuple)):
                stack.append((x, depth + 1))


def print_check(limits: Limits, err: Err, printed: list[str]) -> None:
    if sum(len(p) for p in printed) > limits.print_chars:
        raise err("print_size", limit=limits.print_chars)


def truncate(text: str, limits: Limits) -> str:
    """The final value's text, cut to the print budget (and saying so)."""
    if len(text) <= limits.print_chars:
        return text
    return text[: limits.print_chars] + f" … [{len(text) - limits.print_chars} more characters]"


def values_check(limits: Limits, kept: int) -> None:
    """Values snapshotted for the animation (forward clones, saved tensors, gradients
    of every pass): one total, so trace assembly stays proportional to it."""
    if kept > limits.values:
        raise ProgramError("values_size", limit=limits.values)
