"""trace_function: capture any PyTorch computation (a model's training step, say)
into the same Trace a typed program gives, so the graph, animation and chain-rule
panel work on it unchanged."""

from __future__ import annotations

from collections.abc import Callable

import torch

from backprop.capture.assemble import assemble
from backprop.capture.hooks import ForwardCapture, ForwardLog, GradFn, PassRecord, run_backward
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
    return assemble(root, out_name, [rec], flog, saved, limits,
                    {id(t): n for n, t in leaves.items()}, op_names)
