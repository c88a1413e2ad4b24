"""The chain rule, one op at a time, with the captured numbers beside it.

Each op's local derivative lives in its record (ops.OPS[grad_fn].rule). `explain()`
evaluates it on what autograd saved and puts the captured numbers beside it: upstream
gradient x local derivative = the gradient PyTorch sent. The product is shown for
teaching only; tests check it equals the captured gradient for every op with a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from backprop.core.graph import BackwardPass, Graph, Node, Value
from backprop.teach.ops import OPS, Rule
from backprop.teach.umath import node_label

T = torch.Tensor


class Ctx:
    """Values a formula may use: saved tensors first (what autograd itself uses),
    then the captured forward values of the node's inputs and output."""

    def __init__(self, node: Node, inputs: dict[int, Node]) -> None:
        self.node, self.inputs = node, inputs

    def get(self, name: str) -> T:
        v = self.node.saved_values.get(name)
        if v is None:
            slot = {"self": 0, "other": 1, "mat2": 1, "tensor": 1}.get(name)
            if name == "result":
                v = self.node.value
            elif slot is not None and slot in self.inputs:
                v = self.inputs[slot].value
        if v is None or v.data is None:
            raise KeyError(name)
        return v.tensor().double()


def reduce_to(t: T, shape: tuple[int, ...]) -> T:
    """Match the input's shape: a scalar upstream spreads over every element (sum,
    mean); a broadcast input gets the gradient summed back over the broadcast dims."""
    t = t.expand(torch.broadcast_shapes(t.shape, shape))
    while t.dim() > len(shape):
        t = t.sum(0)
    for i, n in enumerate(shape):
        if n == 1 and t.shape[i] != 1:
            t = t.sum(i, keepdim=True)
    return t


@dataclass(frozen=True)
class SlotStep:
    """One term of the chain rule: what node `dst` sends back to input `slot`."""

    slot: int
    src: str  # node id of the input
    formula: str | None  # LaTeX with the graph's own names filled in
    local: Value | None  # the local derivative, evaluated
    product: Value | None  # upstream x local (reduced to the input's shape)
    sent: Value | None  # what PyTorch actually sent (captured by a hook)


def symbol(node: Node | None, name: str | None = None) -> str:
    if node is None and name is None:
        return "c"
    name = name or node.name or node.id  # type: ignore[union-attr]
    if " " in name:  # an unnamed node's expression label, e.g. `y × y`
        return r"(\mathrm{" + name.replace("_", r"\_") + "})"
    return name.replace("_", r"\_") if len(name) == 1 else r"\mathrm{" + name.replace(
        "_", r"\_") + "}"


def explain(graph: Graph, p: BackwardPass, node_id: str) -> list[SlotStep]:
    """The chain-rule terms for one node in one backward pass, in slot order."""
    node = graph.node(node_id)
    inputs = {e.slot: graph.node(e.src) for e in graph.edges if e.dst == node_id}
    rec = OPS.get(node.op or "")
    rule = rec.rule if rec else None
    upstream = p.grads_in.get(node_id)
    ctx = Ctx(node, inputs)
    out: list[SlotStep] = []
    for slot, src in sorted(inputs.items()):
        sent = p.grads_sent.get((src.id, node_id, slot))
        formula = local = product = None
        if rule is not None and slot < len(rule.formulas):
            formula = (rule.formulas[slot].replace("@out", symbol(node, node_label(graph, node_id)))
                       .replace("@n", _number(node.saved_values.get("exponent")) or "n")
                       .replace("@a", _sym(graph, inputs.get(0)) if 0 in inputs
                                else _constant(node))
                       .replace("@b", _sym(graph, inputs.get(1)) if 1 in inputs
                                else _constant(node)))
            try:
                local, product = _evaluate(rule, ctx, slot, upstream, sent)
            except (KeyError, RuntimeError, ValueError, IndexError, ZeroDivisionError):
                local = product = None
        out.append(SlotStep(slot, src.id, formula, local, product, sent))
    return out


def _sym(graph: Graph, node: Node | None) -> str:
    return symbol(node, node_label(graph, node.id) if node else None)


def _number(v: Value | None) -> str | None:
    if v is None or v.numel != 1 or v.data is None:
        return None
    x = v.tensor().reshape(()).item()
    return f"{x:g}" if isinstance(x, float) else str(x)


def _constant(node: Node) -> str:
    # `y_pred - y`, `y * 3`: the other operand is no graph node; show it as the program
    # wrote it, else the value PyTorch saved
    if node.constant:
        return symbol(None, node.constant) if node.constant.isidentifier() else node.constant
    return _number(node.saved_values.get("other")) or "c"


def _evaluate(rule: Rule, ctx: Ctx, slot: int, upstream: Value | None,
              sent: Value | None) -> tuple[Value | None, Value | None]:
    if upstream is None or sent is None:
        return None, None
    g = upstream.tensor().double()
    if rule.product is not None:
        return None, Value.of(reduce_to(rule.product(ctx, slot, g), sent.shape).float())
    local = rule.local(ctx, slot)  # type: ignore[misc]
    return Value.of(local.float()), Value.of(reduce_to(g * local, sent.shape).float())
