"""Size guards for user programs: refuse a huge result before memory is taken for it."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from .errors import ProgramError
from .fmt import first_line
from .limits import Limits

Err = Callable[..., ProgramError]  # err(key, **params): an error that points at the node
_NUMBER = (int, float, bool)

GROWS = frozenset({"expand", "repeat", "matmul", "mm", "mv", "outer", "add", "sub", "mul",
                    "div", "maximum", "minimum", "cat", "stack", "torch.matmul", "torch.mm",
                    "torch.outer", "torch.add", "torch.sub", "torch.mul", "torch.div",
                    "torch.maximum", "torch.minimum", "torch.cat", "torch.stack",
                    "torch.pow", "pow", "torch.nn.functional.linear"})


def result_check(limits: Limits, err: Err, v: Any) -> None:
    """Integers stay small; no tensor exceeds the element limit."""
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10 ** limits.int_digits:
        raise err("int_size", digits=limits.int_digits)
    if isinstance(v, torch.Tensor) and v.numel() > limits.tensor_elements:
        raise err("tensor_size", n=v.numel(), limit=limits.tensor_elements)


def broadcast_check(limits: Limits, err: Err, a: Any, b: Any) -> None:
    shapes = [v.shape for v in (a, b) if isinstance(v, torch.Tensor)]
    try:
        n = math.prod(torch.broadcast_shapes(*shapes))
    except RuntimeError as e:
        raise err("torch", detail=first_line(e)) from None
    if n > limits.tensor_elements:
        raise err("tensor_size", n=n, limit=limits.tensor_elements)


def meta_check(limits: Limits, err: Err, fn: Callable, args: tuple, kwargs: dict) -> None:
    """Run the op on shape-only `meta` tensors first, so a huge result is refused
    before any memory is taken for it."""
    def meta(v: Any) -> Any:
        if isinstance(v, torch.Tensor):
            return torch.empty(v.shape, dtype=v.dtype, device="meta")
        if isinstance(v, (list, tuple)):
            return type(v)(meta(x) for x in v)
        return v
    try:
        out = fn(*meta(args), **{k: meta(v) for k, v in kwargs.items()})
    except Exception:  # noqa: BLE001 - the real call reports the real error
        return
    if isinstance(out, torch.Tensor) and out.numel() > limits.tensor_elements:
        raise err("tensor_size", n=out.numel(), limit=limits.tensor_elements)


def factory_check(limits: Limits, err: Err, path: str, args: list, kwargs: dict) -> None:
    """torch.ones(10**10) and friends: count the elements from the arguments."""
    limit = limits.tensor_elements
    if path in ("torch.arange", "torch.linspace"):
        nums = [a for a in args if isinstance(a, _NUMBER)]
        steps = kwargs.get("steps", args[2] if len(args) > 2 else None)
        if path == "torch.linspace":
            n = steps if isinstance(steps, int) else 0
        else:
            start, end, step = (0, nums[0], 1) if len(nums) == 1 else (*nums, 1)[:3]
            n = math.ceil(abs((end - start) / step)) if step else math.inf
        if n > limit:
            raise err("tensor_size", n=n, limit=limit)
        return
    dims = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    if path == "torch.full":
        dims = args[0] if args else kwargs.get("size", ())
    if path == "torch.eye":
        dims = [args[0], args[0]] if len(args) == 1 else args[:2]
    dims = [d for d in dims if isinstance(d, int) and not isinstance(d, bool)]
    if any(d < 0 for d in dims):
        raise err("torch", detail="negative dimension")
    n = math.prod(dims)
    if n > limit:
        raise err("tensor_size", n=n, limit=limit)


def data_check(limits: Limits, err: Err, data: Any) -> None:
    """torch.tensor(nested lists): count the items without recursion."""
    count, stack = 0, [data]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(v)
        count += 1
        if count > limits.tensor_elements:
            raise err("tensor_size", n=count, limit=limits.tensor_elements)
