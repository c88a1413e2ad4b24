"""Size guards for user programs: refuse a huge result before memory is taken for it."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import torch

from backprop.core.errors import ProgramError
from backprop.core.fmt import first_line
from backprop.core.limits import Limits

# The checks on plain values and outputs live in value_checks.py; the interpreter reaches
# every check as `guards.X`, so they are re-exported here.
from backprop.sandbox.value_checks import (  # noqa: F401
    NUMBERS,
    Err,
    backward_check,
    builtin_check,
    index_check,
    list_check,
    print_check,
    seed_check,
    truncate,
    values_check,
)

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
        nums = [a for a in args if isinstance(a, NUMBERS)]
        steps = kwargs.get("steps", args[2] if len(args) > 2 else None)
        if path == "torch.linspace":
            n = steps if isinstance(steps, int) else 0
        elif not nums or len(nums) != len(args):
            return  # tensors as bounds: call_check's meta run counted the elements
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


# -- issue 11: every call, not a list of known ones ---------------------------------
def _meta(v: Any) -> Any:
    # 0-d tensors stay real: they may be sizes (`torch.ones(n, n)`), and CPU scalars
    # mix with meta tensors in arithmetic
    if isinstance(v, torch.Tensor) and v.dim() > 0:
        return torch.empty(v.shape, dtype=v.dtype, device="meta")
    if isinstance(v, (list, tuple)):
        return type(v)(_meta(x) for x in v)
    return v


def _shape_check(limits: Limits, err: Err, out: Any) -> None:
    for v in out if isinstance(out, (tuple, list)) else (out,):
        if isinstance(v, torch.Tensor):
            if v.dim() > limits.dims:
                raise err("dims", limit=limits.dims)
            if v.numel() > limits.tensor_elements:
                raise err("tensor_size", n=v.numel(), limit=limits.tensor_elements)


def _tensors(args: tuple, kwargs: dict) -> list[torch.Tensor]:
    out = []
    for v in (*args, *kwargs.values()):
        for x in v if isinstance(v, (list, tuple)) else (v,):
            if isinstance(x, torch.Tensor):
                out.append(x)
    return out


def call_check(limits: Limits, err: Err, path: str, fn: Callable, args: tuple,
               kwargs: dict) -> None:
    """Before any torch call or tensor method: clear argument mistakes, then the
    inputs' broadcast size (losses and clamp broadcast inside and return a scalar),
    then the call itself on shape-only `meta` tensors (sizes by keyword, by tensors,
    reductions over a zero-size dimension: whatever the call would make)."""
    name = path.rsplit(".", 1)[-1]
    if name == "arange" and ("start" in kwargs or "end" in kwargs or not args):
        raise err("arange")
    if (path in _FACTORY_NAMES or name in _SHAPE_TAKERS) and (len(args) > limits.dims or any(
            isinstance(v, (list, tuple)) and len(v) > limits.dims for v in args)):
        raise err("dims", limit=limits.dims)  # a shape (a list elsewhere is data: tensor, cat)
    tensors = _tensors(args, kwargs)
    if len(tensors) > 1 and name not in _PRODUCTS:
        try:
            n = math.prod(torch.broadcast_shapes(*(t.shape for t in tensors)))
        except RuntimeError:
            n = 0  # not broadcast together (matmul, cat, ...): the meta run decides
        if n > limits.tensor_elements:
            raise err("tensor_size", n=n, limit=limits.tensor_elements)
    if name in ("stack", "cat"):  # their meta kernels import torch._dynamo (~3 s, once)
        n = sum(t.numel() for t in tensors)
        if n > limits.tensor_elements:
            raise err("tensor_size", n=n, limit=limits.tensor_elements)
        return
    kw = {k: _meta(v) for k, v in kwargs.items() if k != "generator"}
    if path in _FACTORY_NAMES:
        kw["device"] = "meta"
    try:
        out = fn(*_meta(args), **kw)
    except Exception:  # noqa: BLE001 - the real call reports the real error
        return
    _shape_check(limits, err, out)


# calls whose list/tuple arguments are a shape or dimensions (one per dimension)
_SHAPE_TAKERS = frozenset({
    "reshape", "view", "expand", "repeat", "permute", "tile", "broadcast_to", "new_ones",
    "new_zeros", "new_full", "new_empty", "sum", "mean", "amax", "amin",
    "flip", "squeeze", "unflatten", "movedim", "rot90"})
# products: their inputs do not broadcast to the result ((1, n) @ (n, 1) is one number);
# the meta run measures what they make
_PRODUCTS = frozenset({"mm", "matmul", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger",
                       "linear", "addmm", "tensordot", "einsum", "cross", "kron"})
_FACTORY_NAMES = frozenset({
    "torch.ones", "torch.zeros", "torch.rand", "torch.randn", "torch.full", "torch.empty",
    "torch.eye", "torch.arange", "torch.linspace", "torch.randint"})


@cache
def warm_meta() -> None:
    """The first op on meta tensors imports torch._dynamo (~3 s of CPU, once per
    process): pay it before any program's clock starts (forkserver, CLI, first run)."""
    m = torch.empty(2, 2, device="meta")
    torch.add(m, m), torch.diag(m), m.sum(0), m @ m  # noqa: B018
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
    module_check(DEFAULT_WARM_LIMITS, _never, net, [torch.ones(2, 2)])  # linear's meta path
    for loss in (torch.nn.MSELoss(), torch.nn.CrossEntropyLoss(), torch.nn.BCEWithLogitsLoss()):
        module_check(DEFAULT_WARM_LIMITS, _never, loss, [torch.ones(2, 2), torch.ones(2, 2)])


def module_check(limits: Limits, err: Err, module: torch.nn.Module, args: list) -> None:
    """A module or loss called on shape-only tensors (its weights too) before the real
    call: `nn.Linear(1, 10000)(torch.ones(10000, 1))` is refused before 400 MB are
    taken, as call_check does for torch functions."""
    params = {k: _meta(v) for k, v in (*module.named_parameters(), *module.named_buffers())}
    try:
        out = torch.func.functional_call(module, params, tuple(_meta(list(args))))
    except Exception:  # noqa: BLE001 - the real call reports the real error
        return
    _shape_check(limits, err, out)


def _never(key: str, **params: Any) -> ProgramError:
    return ProgramError(key, **params)


DEFAULT_WARM_LIMITS = Limits()
