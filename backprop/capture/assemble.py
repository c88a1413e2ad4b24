"""assemble: what one captured run left behind (the forward log, the saved tensors,
the backward passes) as a Trace. The one place a Trace is built: a typed program
(program.py) and any PyTorch function (trace_fn.py) both come through here."""

from __future__ import annotations

import torch

from backprop.capture.hooks import ForwardLog, GradFn, PassRecord, is_leaf_fn
from backprop.capture.tensor_graph import build_graph
from backprop.core.errors import ProgramError
from backprop.core.graph import BackwardPass, Trace, Value
from backprop.core.limits import Limits


def assemble(root: torch.Tensor, out_name: str, records: list[PassRecord], flog: ForwardLog,
             saved: dict[GradFn, dict[str, torch.Tensor]], limits: Limits,
             leaf_names: dict[int, str], op_names: dict[GradFn, str], source: str = "",
             prints: tuple[str, ...] = (), result: str | None = None,
             constants: dict[GradFn, str] | None = None) -> Trace:
    """The Trace of the graph under `root`; `leaf_names` keys are id(leaf tensor)."""
    last_in: dict[GradFn, torch.Tensor] = {}
    for rec in records:
        last_in.update(rec.grads_in)
    graph, ids = build_graph(
        root, out_name, limits.nodes, leaf_names, op_names,
        # ops run inside a composite call (cross_entropy) have no log entry of their
        # own: their value is the result autograd saved, where it saved one
        values=lambda fn: flog.op_value.get(fn, saved.get(fn, {}).get("result")),
        grads=last_in.get,
        saved=lambda fn: saved.get(fn, {}),
        constants=constants,
    )
    out_id = graph.nodes[-1].id
    fns = list(ids)
    if len(graph.edges) > limits.edges:
        raise ProgramError("too_many_edges", limit=limits.edges)
    n_steps = len(fns) + sum(len(r.order) for r in records)
    if n_steps > limits.steps:
        raise ProgramError("too_many_steps", n=n_steps, limit=limits.steps)
    passes = tuple(to_pass(rec, ids, root, out_id) for rec in records)
    forward = forward_order(fns, ids, flog) or [out_id]
    return Trace(source, graph, out_id, tuple(forward), passes, prints, result)


def to_pass(rec: PassRecord, ids: dict[GradFn, str], root: torch.Tensor,
            out_id: str) -> BackwardPass:
    root_id = out_id if rec.root is root else ids.get(rec.root.grad_fn)
    sent = {}
    for (fn, slot), g in rec.grads_sent.items():
        src = fn.next_functions[slot][0]
        if fn in ids and src in ids:
            sent[(ids[src], ids[fn], slot)] = Value.of(g)
    return BackwardPass(
        root=root_id,
        order=tuple(ids[fn] for fn in rec.order if fn in ids),
        grads_in={ids[fn]: Value.of(g) for fn, g in rec.grads_in.items() if fn in ids},
        grads_sent=sent,
        leaf_grads={ids[fn]: Value.of(g) for fn, g in rec.leaf_grads.items()
                    if fn in ids and g is not None},
        implicit=rec.implicit,
        summed=rec.summed,
    )


def forward_order(fns: list[GradFn], ids: dict[GradFn, str], flog: ForwardLog) -> list[str]:
    """Nodes in the order PyTorch produced them; ops made inside a composite call
    (no log entry of their own) go just before their first consumer."""
    key: dict[GradFn, float] = {}
    for fn in fns:
        seq = flog.leaf_seq.get(id(fn.variable)) if is_leaf_fn(fn) else flog.op_seq.get(fn)
        if seq is not None:
            key[fn] = float(seq)
    consumers: dict[GradFn, list[GradFn]] = {}
    for fn in fns:
        for c, _ in fn.next_functions:
            if c is not None:
                consumers.setdefault(c, []).append(fn)
    for fn in reversed(fns):
        if fn not in key:
            after = [key[c] for c in consumers.get(fn, []) if c in key]
            key[fn] = (min(after) if after else 0.0) - 0.5
    pos = {fn: i for i, fn in enumerate(fns)}
    return [ids[fn] for fn in sorted(fns, key=lambda f: (key[f], pos[f]))]
