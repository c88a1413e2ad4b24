"""Plain, frozen data passed between the stages: values, nodes, edges, traces."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import torch

Json = Any  # numbers, strings, nested lists


def _safe(x: Json) -> Json:
    # JSON has no NaN/Infinity: write them as strings, the way the UI shows them.
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, list):
        return [_safe(v) for v in x]
    return x


def _finite(data: Json, dim: int) -> bool:
    if dim == 0:
        return math.isfinite(data)
    if dim == 1:
        return all(map(math.isfinite, data))
    return all(_finite(row, dim - 1) for row in data)


@dataclass(frozen=True)
class Value:
    """A snapshot of a tensor: shape, dtype and the numbers as nested lists."""

    shape: tuple[int, ...]
    dtype: str
    data: Json
    finite: bool = True

    @classmethod
    def of(cls, t: torch.Tensor) -> Value:
        t = t.detach()
        if t.device.type == "meta":
            return cls(tuple(t.shape), str(t.dtype).removeprefix("torch."), None)
        data = t.tolist()
        finite = True
        if t.is_floating_point():  # small ones in Python: a torch call costs more there
            finite = _finite(data, t.dim()) if t.numel() <= 256 \
                else bool(torch.isfinite(t).all())
        return cls(tuple(t.shape), str(t.dtype).removeprefix("torch."), data, finite)

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    def tensor(self) -> torch.Tensor:
        return torch.tensor(self.data, dtype=getattr(torch, self.dtype))

    def to_json(self) -> Json:
        return self.data if self.finite else _safe(self.data)


@dataclass(frozen=True)
class Node:
    """One node of the autograd graph: a leaf tensor, a grad_fn, or the output."""

    id: str
    kind: str  # "leaf" | "op" | "output"
    op: str | None  # autograd's class name, e.g. "MulBackward0"; None for leaf/output
    name: str | None  # the program variable bound to it, if any
    value: Value | None  # forward value captured while the program ran
    grad: Value | None  # leaf: .grad; op: gradient of its output; output: the seed
    saved: tuple[str, ...] = ()  # names of the tensors autograd saved for backward
    saved_values: dict[str, Value] = field(default_factory=dict, compare=False)  # their values
    # the program's text for an operand that is no graph node: `y` in `y_pred - y`, `1` in
    # `1 - x` (PyTorch does not keep it; labels and the chain rule show it instead of `c`)
    constant: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Edge:
    """Forward data flow: `src` feeds input `slot` of `dst` (next_functions order)."""

    src: str
    dst: str
    slot: int


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node:
        return self.by_id[node_id]

    @cached_property
    def by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def inputs(self) -> dict[str, tuple[Edge, ...]]:
        """Each node's incoming edges in slot order (built once: labels ask per node)."""
        into: dict[str, list[Edge]] = {}
        for e in self.edges:
            into.setdefault(e.dst, []).append(e)
        return {k: tuple(sorted(v, key=lambda e: e.slot)) for k, v in into.items()}

    def to_dict(self) -> dict[str, Json]:
        return {
            "nodes": [
                {"id": n.id, "kind": n.kind, "op": n.op, "name": n.name,
                 "shape": list(n.value.shape) if n.value else None,
                 "value": n.value.to_json() if n.value else None,
                 "grad": n.grad.to_json() if n.grad else None,
                 "saved": list(n.saved),
                 "saved_values": {k: v.to_json() for k, v in n.saved_values.items()}}
                for n in self.nodes
            ],
            "edges": [{"from": e.src, "to": e.dst, "slot": e.slot} for e in self.edges],
        }


@dataclass(frozen=True)
class BackwardPass:
    """One `backward()` call as the autograd engine ran it (captured by hooks)."""

    root: str | None  # node id of the tensor backward was called on (None: other graph)
    order: tuple[str, ...]  # every node the engine ran, leaves included, in order
    grads_in: dict[str, Value] = field(default_factory=dict)  # node -> grad of its output
    grads_sent: dict[tuple[str, str, int], Value] = field(default_factory=dict)  # per edge
    leaf_grads: dict[str, Value] = field(default_factory=dict)  # leaf .grad after the pass
    implicit: bool = False  # the app called it (the program did not)
    summed: bool = False  # the output was not a scalar, so the app summed it first


@dataclass(frozen=True)
class Iteration:
    """One loop iteration that ran backward(): the update it made (issue 13)."""

    step: int  # 1-based, in the order the iterations ran
    loss: float | str  # the value backward() was called on ("nan" if not finite)
    params_before: dict[str, Value]  # every trained tensor when the iteration began
    grads: dict[str, Value]  # their .grad right after the backward pass
    params_after: dict[str, Value]  # when the iteration ended (after the update)
    optimizer_state: dict[str, dict[str, Value]] = field(default_factory=dict)
    detail: bool = True  # False: past the record budget, only the loss was kept

    def to_dict(self) -> dict[str, Json]:
        def d(m: dict[str, Value]) -> dict[str, Json]:
            return {k: v.to_json() for k, v in m.items()}
        return {"step": self.step, "loss": self.loss, "params_before": d(self.params_before),
                "grads": d(self.grads), "params_after": d(self.params_after),
                "optimizer_state": {k: d(v) for k, v in self.optimizer_state.items()},
                "detail": self.detail}


@dataclass(frozen=True)
class Trace:
    """Everything one program run showed PyTorch doing."""

    source: str
    graph: Graph
    output: str  # node id of the output
    forward_order: tuple[str, ...]
    passes: tuple[BackwardPass, ...]
    prints: tuple[str, ...]
    result: str | None = None  # repr of a final bare expression, notebook-style
    # every name bound to a tensor and every module parameter (`model.0.weight`) at the end
    final: dict[str, Value] = field(default_factory=dict, compare=False)
    iterations: tuple[Iteration, ...] = ()
    # (step, that iteration's own Trace: graph, forward, backward), within the budget
    details: tuple[tuple[int, Trace], ...] = field(default=(), compare=False)

    def iteration(self, step: int) -> Trace | None:
        """The Trace of iteration `step` (its graph and passes), if it was kept."""
        return dict(self.details).get(step)

    @property
    def output_node(self) -> Node:
        return self.graph.node(self.output)

    @property
    def last_pass(self) -> BackwardPass | None:
        return self.passes[-1] if self.passes else None

    def leaves(self) -> list[Node]:
        return [n for n in self.graph.nodes if n.kind == "leaf"]

    def to_dict(self) -> dict[str, Json]:
        g = self.graph.to_dict()
        out = self.output_node
        last = self.last_pass
        return {
            "output": {"name": out.name, "value": out.value.to_json() if out.value else None},
            # the leaves by name (the JSON contract's "inputs"), computed from the nodes
            "inputs": {
                n.name: {"value": n.value.to_json() if n.value else None,
                         "grad": n.grad.to_json() if n.grad else None}
                for n in self.leaves() if n.name
            },
            "nodes": g["nodes"],
            "edges": g["edges"],
            "forward_order": list(self.forward_order),
            # op nodes (the output's grad_fn included), in the engine's execution order
            "backward_order": [i for i in (last.order if last else ())
                               if self.graph.node(i).op is not None],
            "backward_passes": [
                {"root": p.root, "order": list(p.order), "implicit": p.implicit,
                 "summed": p.summed,
                 "grads_in": {k: v.to_json() for k, v in p.grads_in.items()},
                 "grads_sent": [{"from": s, "to": d, "slot": k, "grad": v.to_json()}
                                for (s, d, k), v in p.grads_sent.items()],
                 "leaf_grads": {k: v.to_json() for k, v in p.leaf_grads.items()}}
                for p in self.passes
            ],
            "prints": list(self.prints),
            "result": self.result,
            "final": {k: v.to_json() for k, v in self.final.items()},
            "iterations": [it.to_dict() for it in self.iterations],
        }
