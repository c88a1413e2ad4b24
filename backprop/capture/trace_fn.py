"""trace_function: capture any PyTorch computation (a model's training step, say)
into the same Trace a typed program gives, so the graph, animation and chain-rule
panel work on it unchanged."""

from __future__ import annotations

from collections.abc import Callable

import torch

from backprop.capture.hooks import ForwardCapture, ForwardLog, GradFn, PassRecord, run_backward
from backprop.capture.program import forward_order, to_pass
from backprop.capture.tensor_graph import build_graph
from backprop.core.graph import Trace
from backprop.core.limits import DEFAULT_LIMITS, Limits


def trace_function(
    fn: Callable[[], tuple[torch.Tensor, dict[str, torch.Tensor]]],
    leaves: dict[str, torch.Tensor],
    out_name: str = "loss",
    limits: Limits = DEFAULT_LIMITS,
) -> Trace:
    """Run `fn` under capture and call backward() on what it returns.

    `fn` returns (loss, taps): taps name intermediate tensors ("h1", "y_pred") so the
    graph can label their nodes; `leaves` names the parameters (and inputs).
    """
    flog = ForwardLog()
    saved: dict[GradFn, dict[str, torch.Tensor]] = {}
    for t in leaves.values():
        flog.record(t)
    with ForwardCapture(flog):
        root, taps = fn()
        rec = run_backward(PassRecord(root, implicit=True), limits.nodes, saved,
                           limits.tensor_elements)
    op_names = {t.grad_fn: name for name, t in taps.items() if t.grad_fn is not None}
    graph, ids = build_graph(
        root, out_name, limits.nodes, {id(t): n for n, t in leaves.items()}, op_names,
        values=lambda f: flog.op_value.get(f, saved.get(f, {}).get("result")),
        grads=rec.grads_in.get, saved=lambda f: saved.get(f, {}))
    out_id = graph.nodes[-1].id
    forward = forward_order(list(ids), ids, flog) or [out_id]
    return Trace("", graph, out_id, tuple(forward), (to_pass(rec, ids, root, out_id),), (), ())
