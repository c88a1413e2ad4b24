"""Record what PyTorch does: forward ops, the grad_fn graph, the backward pass.

Nothing here computes a value or a gradient of its own: values are snapshots of
tensors PyTorch produced, structure is the walk of `grad_fn.next_functions`,
and backward order and gradients come from hooks on the graph's nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from backprop.core.errors import ProgramError

GradFn = Any  # torch.autograd.graph.Node (C++ objects, hashable by identity)
SAVED_PREFIX = "_saved_"  # where autograd keeps the tensors a backward formula needs


def is_leaf_fn(fn: GradFn) -> bool:
    return hasattr(fn, "variable")  # AccumulateGrad: its .variable is the leaf tensor


def op_name(fn: GradFn) -> str:
    return type(fn).__name__ if not is_leaf_fn(fn) else "AccumulateGrad"


def saved_names(fn: GradFn) -> tuple[str, ...]:
    """Names of the tensors autograd saved on this node (`_saved_self` -> `self`)."""
    return _saved_names_of(type(fn))


@cache
def _saved_names_of(cls: type) -> tuple[str, ...]:
    # the _saved_* accessors are per grad_fn class: list them once per class
    return tuple(a.removeprefix(SAVED_PREFIX) for a in dir(cls)
                 if a.startswith(SAVED_PREFIX)
                 and not a.endswith(("_sym_sizes", "_sym_numel", "_sym_strides")))


def topo_order(root: GradFn, limit: int) -> list[GradFn]:
    """grad_fn nodes reachable from `root`, inputs before consumers (DFS post-order).

    Iterative with an explicit stack (no recursion limit) and deterministic: the
    order depends only on next_functions, never on ids or set order.
    """
    order: list[GradFn] = []
    seen: set[GradFn] = set()
    stack: list[tuple[GradFn, int]] = [(root, 0)]
    while stack:
        fn, i = stack.pop()
        if i == 0:
            if fn in seen:
                continue
            seen.add(fn)
            if len(seen) > limit:
                raise ProgramError("too_many_nodes", limit=limit)
        nexts = fn.next_functions
        while i < len(nexts) and (nexts[i][0] is None or nexts[i][0] in seen):
            i += 1
        if i < len(nexts):
            stack.append((fn, i + 1))
            stack.append((nexts[i][0], 0))
        else:
            order.append(fn)
    return order


@dataclass
class ForwardLog:
    """Forward ops in execution order, keyed by what they produced."""

    seq: int = 0
    op_seq: dict[GradFn, int] = field(default_factory=dict)  # grad_fn -> position
    op_value: dict[GradFn, torch.Tensor] = field(default_factory=dict)  # its output, cloned
    leaf_seq: dict[int, int] = field(default_factory=dict)  # id(leaf tensor) -> position
    keep: list[torch.Tensor] = field(default_factory=list)  # keeps ids above unique
    scope: Callable[[], str] | None = None  # e.g. the module being called right now
    op_scope: dict[GradFn, str] = field(default_factory=dict)  # grad_fn -> its scope
    on_op: Callable[[Any, tuple, object], None] | None = None  # (func, args, out) per call
    cloned: int = 0  # elements snapshotted so far (issue 11: one total budget)
    max_cloned: int | None = None

    def record(self, out: object) -> None:
        for t in _tensors(out):
            fn = t.grad_fn
            if fn is not None and fn not in self.op_seq:
                self.cloned += t.numel()
                if self.max_cloned is not None and self.cloned > self.max_cloned:
                    raise ProgramError("values_size", limit=self.max_cloned)
                self.op_seq[fn] = self.seq
                self.op_value[fn] = t.detach().clone()
                if self.scope is not None:
                    self.op_scope[fn] = self.scope()
            elif fn is None and t.requires_grad and id(t) not in self.leaf_seq:
                self.leaf_seq[id(t)] = self.seq
                self.keep.append(t)
            else:
                continue
            self.seq += 1


def _tensors(out: object) -> Iterable[torch.Tensor]:
    if isinstance(out, torch.Tensor):
        yield out
    elif isinstance(out, (tuple, list)):
        for o in out:
            if isinstance(o, torch.Tensor):
                yield o


class ForwardCapture(TorchFunctionMode):
    """Logs every torch call's output while active (thread-local, like the mode stack)."""

    def __init__(self, log: ForwardLog, check: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.log, self.check = log, check

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        if self.check is not None:
            self.check()
        out = func(*args, **(kwargs or {}))
        self.log.record(out)
        if self.log.on_op is not None:
            self.log.on_op(func, args, out)
        return out


@dataclass
class PassRecord:
    """One backward pass, keyed by grad_fn objects (ids are assigned later)."""

    root: torch.Tensor
    order: list[GradFn] = field(default_factory=list)
    grads_in: dict[GradFn, torch.Tensor] = field(default_factory=dict)
    grads_sent: dict[tuple[GradFn, int], torch.Tensor] = field(default_factory=dict)
    leaf_grads: dict[GradFn, torch.Tensor | None] = field(default_factory=dict)
    implicit: bool = False
    summed: bool = False


def saved_values(fn: GradFn, max_elements: int) -> dict[str, torch.Tensor]:
    """The tensors (and numbers) autograd saved on `fn`, as tensors, cloned.

    Read before backward() frees them; these are exactly what the backward formula
    of the node uses (the chain-rule panel shows them)."""
    out: dict[str, torch.Tensor] = {}
    for name in saved_names(fn):
        try:
            v = getattr(fn, SAVED_PREFIX + name)
        except (RuntimeError, ValueError, TypeError):  # freed already, or not readable
            continue
        if isinstance(v, torch.Tensor) and v.numel() <= max_elements:
            out[name] = v.detach().clone()
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) < 2**53:
            out[name] = torch.tensor(v)  # (ignore_index arrives as a huge unsigned int)
    return out


def snapshot_saved(nodes: Iterable[GradFn], into: dict[GradFn, dict[str, torch.Tensor]],
                   max_elements: int) -> None:
    """Saved tensors of every op node not snapshotted yet (before backward frees them)."""
    for fn in nodes:
        if fn not in into and not is_leaf_fn(fn):
            into[fn] = saved_values(fn, max_elements)


def run_backward(rec: PassRecord, limit: int, saved: dict[GradFn, dict[str, torch.Tensor]],
                 max_elements: int = 10_000, **kwargs: object) -> PassRecord:
    """Call `rec.root.backward(**kwargs)` with hooks on every node of its graph."""
    root = rec.root
    nodes = topo_order(root.grad_fn, limit) if root.grad_fn is not None else []
    snapshot_saved(nodes, saved, max_elements)
    handles = []
    for fn in nodes:
        handles.append(fn.register_prehook(_pre(rec, fn)))
        handles.append(fn.register_hook(_post(rec, fn)))
    try:
        root.backward(**kwargs)
    finally:
        for h in handles:
            h.remove()
    for fn in nodes:
        if is_leaf_fn(fn):
            g = fn.variable.grad
            rec.leaf_grads[fn] = None if g is None else g.detach().clone()
    return rec


def _pre(rec: PassRecord, fn: GradFn) -> Callable:
    def hook(grad_outputs: tuple[torch.Tensor | None, ...]) -> None:
        rec.order.append(fn)
        g = grad_outputs[0] if grad_outputs else None
        if g is not None:
            rec.grads_in[fn] = g.detach().clone()

    return hook


def _post(rec: PassRecord, fn: GradFn) -> Callable:
    def hook(grad_inputs: tuple[torch.Tensor | None, ...], _outputs: object) -> None:
        for slot, g in enumerate(grad_inputs):
            if g is not None:
                rec.grads_sent[(fn, slot)] = g.detach().clone()

    return hook
