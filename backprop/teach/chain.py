"""The chain rule, one op at a time: local-derivative formulas as one table.

For each autograd node the table gives, per input slot, the local derivative as
LaTeX and how to evaluate it from what autograd saved (`self`, `other`, `result`,
...). `explain()` puts the captured numbers beside it: upstream gradient x local
derivative = the gradient PyTorch sent. The product is shown for teaching only;
tests check it equals the captured gradient for every op in the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from backprop.core.graph import BackwardPass, Graph, Node, Value
from backprop.teach.umath import node_label

T = torch.Tensor
# local(ctx, slot) -> local derivative (elementwise); or grad(ctx, slot, upstream) -> product
Local = Callable[["Ctx", int], T]
Product = Callable[["Ctx", int, T], T]


@dataclass(frozen=True)
class Rule:
    formulas: tuple[str, ...]  # LaTeX per slot; @out @a @b are the symbols of the node
    local: Local | None = None  # elementwise local derivative (upstream * local, reduced)
    product: Product | None = None  # non-elementwise ops (matmul, softmax): the whole term


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


def _d(a: str) -> str:
    return r"\frac{\partial @out}{\partial " + a + "}"


def _one(c: Ctx, s: int) -> T:
    return torch.tensor(1.0, dtype=torch.float64)


RULES: dict[str, Rule] = {
    "AddBackward0": Rule((_d("@a") + " = 1", _d("@b") + r" = \alpha = 1"),
                         lambda c, s: c.get("alpha") if s == 1 else _one(c, s)),
    "SubBackward0": Rule((_d("@a") + " = 1", _d("@b") + " = -1"),
                         lambda c, s: -c.get("alpha") if s == 1 else _one(c, s)),
    "RsubBackward1": Rule((_d("@a") + " = -1",), lambda c, s: -c.get("alpha")),
    "MulBackward0": Rule((_d("@a") + " = @b", _d("@b") + " = @a"),
                         lambda c, s: c.get("other") if s == 0 else c.get("self")),
    "DivBackward0": Rule((_d("@a") + r" = \frac{1}{@b}", _d("@b") + r" = -\frac{@a}{@b^2}"),
                         lambda c, s: 1 / c.get("other") if s == 0
                         else -c.get("self") / c.get("other") ** 2),
    "PowBackward0": Rule((_d("@a") + r" = @n \cdot @a^{@n-1}",),
                         lambda c, s: c.get("exponent") * c.get("self") ** (c.get("exponent") - 1)),
    "NegBackward0": Rule((_d("@a") + " = -1",), lambda c, s: -_one(c, s)),
    "ExpBackward0": Rule((_d("@a") + r" = e^{@a} = @out",), lambda c, s: c.get("result")),
    "LogBackward0": Rule((_d("@a") + r" = \frac{1}{@a}",), lambda c, s: 1 / c.get("self")),
    "SqrtBackward0": Rule((_d("@a") + r" = \frac{1}{2\sqrt{@a}} = \frac{1}{2 \cdot @out}",),
                          lambda c, s: 1 / (2 * c.get("result"))),
    "TanhBackward0": Rule((_d("@a") + r" = 1 - \tanh^2(@a) = 1 - @out^2",),
                          lambda c, s: 1 - c.get("result") ** 2),
    "SigmoidBackward0": Rule((_d("@a") + r" = \sigma(@a)\,(1 - \sigma(@a)) = @out(1 - @out)",),
                             lambda c, s: c.get("result") * (1 - c.get("result"))),
    "ReluBackward0": Rule((_d("@a") + r" = \begin{cases}1 & @a > 0\\ 0 & \text{else}\end{cases}",),
                          lambda c, s: (c.get("result") > 0).double()),
    "SinBackward0": Rule((_d("@a") + r" = \cos(@a)",), lambda c, s: torch.cos(c.get("self"))),
    "CosBackward0": Rule((_d("@a") + r" = -\sin(@a)",), lambda c, s: -torch.sin(c.get("self"))),
    "AbsBackward0": Rule((_d("@a") + r" = \operatorname{sign}(@a)",),
                         lambda c, s: torch.sign(c.get("self"))),
    "SumBackward0": Rule((_d("@a_i") + " = 1",), lambda c, s: _one(c, s)),
    "MeanBackward0": Rule((_d("@a_i") + r" = \frac{1}{N}",),
                          lambda c, s: _one(c, s) / c.inputs[0].value.numel),
    "MseLossBackward0": Rule((_d("@a_i") + r" = \frac{2\,(@a_i - @b_i)}{N}",
                              _d("@b_i") + r" = -\frac{2\,(@a_i - @b_i)}{N}"),
                             lambda c, s: (1 - 2 * s) * 2 * (c.get("self") - c.get("target"))
                             / c.get("self").numel()),
    "DotBackward0": Rule((_d("@a") + " = @b", _d("@b") + " = @a"),
                         lambda c, s: c.get("tensor") if s == 0 else c.get("self")),
    "MmBackward0": Rule(
        (r"\frac{\partial L}{\partial @a} = \frac{\partial L}{\partial @out}\, @b^{\top}",
         r"\frac{\partial L}{\partial @b} = @a^{\top} \frac{\partial L}{\partial @out}"),
        product=lambda c, s, g: g @ c.get("mat2").T if s == 0 else c.get("self").T @ g),
    "SoftmaxBackward0": Rule(
        (r"\frac{\partial s_i}{\partial @a_j} = s_i(\delta_{ij} - s_j)",),
        product=lambda c, s, g: c.get("result") * (
            g - (g * c.get("result")).sum(int(c.get("dim")), keepdim=True))),
    "LogSoftmaxBackward0": Rule(
        (r"\frac{\partial \log s_i}{\partial @a_j} = \delta_{ij} - s_j",),
        product=lambda c, s, g: g - torch.exp(c.get("result"))
        * g.sum(int(c.get("dim")), keepdim=True)),
}
RULES["AddBackward1"] = RULES["AddBackward0"]  # tensor + python number
RULES["SubBackward1"] = Rule((_d("@a") + " = 1",), _one)
RULES["MulBackward1"] = RULES["MulBackward0"]


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
    if node is None:
        return "c"
    name = name or node.name or node.id
    if " " in name:  # an unnamed node's expression label, e.g. `y × y`
        return r"(\mathrm{" + name.replace("_", r"\_") + "})"
    return name.replace("_", r"\_") if len(name) == 1 else r"\mathrm{" + name.replace(
        "_", r"\_") + "}"


def explain(graph: Graph, p: BackwardPass, node_id: str) -> list[SlotStep]:
    """The chain-rule terms for one node in one backward pass, in slot order."""
    node = graph.node(node_id)
    inputs = {e.slot: graph.node(e.src) for e in graph.edges if e.dst == node_id}
    rule = RULES.get(node.op or "")
    upstream = p.grads_in.get(node_id)
    ctx = Ctx(node, inputs)
    out: list[SlotStep] = []
    for slot, src in sorted(inputs.items()):
        sent = p.grads_sent.get((src.id, node_id, slot))
        formula = local = product = None
        if rule is not None and slot < len(rule.formulas):
            formula = (rule.formulas[slot].replace("@out", symbol(node, node_label(graph, node_id)))
                       .replace("@n", _number(node.saved_values.get("exponent")) or "n")
                       .replace("@a", _sym(graph, inputs.get(0)))
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
    # `y * 3`: the other operand is no graph node; show its saved value instead
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
