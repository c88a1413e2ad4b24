"""One record per autograd op, keyed by its grad_fn class name (`MulBackward0`).

As micrograd keeps an op's forward and its `_backward` side by side, each record keeps
what the app teaches about one node together: its friendly name (catalog key
`op.<key>`, "multiply" / "গুণ"), its chain-rule entry (the local derivative as LaTeX
and how to evaluate it from what autograd saved: `self`, `other`, `result`, ...) and
whether the catalogs explain why autograd saved its tensors (`why.<grad_fn>`).
A new op is one line here (plus its catalog texts). Classes not listed fall back to
the class name without `Backward0`; ops without a rule show no formula.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from backprop.i18n import catalog, t

if TYPE_CHECKING:
    from backprop.teach.chain import Ctx

T = torch.Tensor
# local(ctx, slot) -> local derivative (elementwise); or product(ctx, slot, upstream) -> term
Local = Callable[["Ctx", int], T]
Product = Callable[["Ctx", int, T], T]


@dataclass(frozen=True)
class Rule:
    """The chain-rule entry of one op: LaTeX per input slot and its evaluation."""

    formulas: tuple[str, ...]  # LaTeX per slot; @out @a @b @n are the symbols of the node
    local: Local | None = None  # elementwise local derivative (upstream * local, reduced)
    product: Product | None = None  # non-elementwise ops (matmul, softmax): the whole term


@dataclass(frozen=True)
class Op:
    """What the app says about one autograd node class."""

    grad_fn: str  # autograd's class name, the table's key
    key: str  # friendly-name key: catalog `op.<key>`
    rule: Rule | None = None  # the local derivative; None: no formula is shown
    why: bool = False  # the catalogs explain its saved tensors (`why.<grad_fn>`)

    @property
    def why_key(self) -> str:
        """The catalog key that says why autograd kept this node's saved tensors."""
        return f"why.{self.grad_fn}" if self.why else "why.generic"


def _d(a: str) -> str:
    return r"\frac{\partial @out}{\partial " + a + "}"


def _one(c: Ctx, s: int) -> T:
    return torch.tensor(1.0, dtype=torch.float64)


_ADD = Rule((_d("@a") + " = 1", _d("@b") + r" = \alpha = 1"),
            lambda c, s: c.get("alpha") if s == 1 else _one(c, s))
_MUL = Rule((_d("@a") + " = @b", _d("@b") + " = @a"),
            lambda c, s: c.get("other") if s == 0 else c.get("self"))
_CASES = r" = \begin{cases}1 & @a > 0\\ 0 & \text{else}\end{cases}"

_TABLE: tuple[Op, ...] = (
    # arithmetic
    Op("AddBackward0", "add", _ADD, why=True),
    Op("AddBackward1", "add", _ADD),  # tensor + python number
    Op("SubBackward0", "sub", Rule((_d("@a") + " = 1", _d("@b") + " = -1"),
                                   lambda c, s: -c.get("alpha") if s == 1 else _one(c, s)),
       why=True),
    Op("SubBackward1", "sub", Rule((_d("@a") + " = 1",), _one)),
    Op("RsubBackward1", "sub", Rule((_d("@a") + " = -1",), lambda c, s: -c.get("alpha"))),
    Op("MulBackward0", "mul", _MUL, why=True),
    Op("MulBackward1", "mul", _MUL),
    Op("DivBackward0", "div", Rule(
        (_d("@a") + r" = \frac{1}{@b}", _d("@b") + r" = -\frac{@a}{@b^2}"),
        lambda c, s: 1 / c.get("other") if s == 0 else -c.get("self") / c.get("other") ** 2),
       why=True),
    Op("DivBackward1", "div"),
    Op("PowBackward0", "pow", Rule(
        (_d("@a") + r" = @n \cdot @a^{@n-1}",),
        lambda c, s: c.get("exponent") * c.get("self") ** (c.get("exponent") - 1)), why=True),
    Op("PowBackward1", "pow"), Op("PowBackward2", "pow"),
    Op("NegBackward0", "neg", Rule((_d("@a") + " = -1",), lambda c, s: -_one(c, s))),
    # elementwise functions
    Op("ExpBackward0", "exp", Rule((_d("@a") + r" = e^{@a} = @out",),
                                   lambda c, s: c.get("result")), why=True),
    Op("LogBackward0", "log", Rule((_d("@a") + r" = \frac{1}{@a}",),
                                   lambda c, s: 1 / c.get("self")), why=True),
    Op("SqrtBackward0", "sqrt", Rule(
        (_d("@a") + r" = \frac{1}{2\sqrt{@a}} = \frac{1}{2 \cdot @out}",),
        lambda c, s: 1 / (2 * c.get("result"))), why=True),
    Op("AbsBackward0", "abs", Rule((_d("@a") + r" = \operatorname{sign}(@a)",),
                                   lambda c, s: torch.sign(c.get("self")))),
    Op("SinBackward0", "sin", Rule((_d("@a") + r" = \cos(@a)",),
                                   lambda c, s: torch.cos(c.get("self")))),
    Op("CosBackward0", "cos", Rule((_d("@a") + r" = -\sin(@a)",),
                                   lambda c, s: -torch.sin(c.get("self")))),
    Op("TanhBackward0", "tanh", Rule((_d("@a") + r" = 1 - \tanh^2(@a) = 1 - @out^2",),
                                     lambda c, s: 1 - c.get("result") ** 2), why=True),
    Op("SigmoidBackward0", "sigmoid", Rule(
        (_d("@a") + r" = \sigma(@a)\,(1 - \sigma(@a)) = @out(1 - @out)",),
        lambda c, s: c.get("result") * (1 - c.get("result"))), why=True),
    Op("ReluBackward0", "relu", Rule((_d("@a") + _CASES,),
                                     lambda c, s: (c.get("result") > 0).double()), why=True),
    Op("LeakyReluBackward0", "relu"), Op("GeluBackward0", "gelu"),
    Op("ClampBackward1", "clamp"),
    # reductions
    Op("SumBackward0", "sum", Rule((_d("@a_i") + " = 1",), _one), why=True),
    Op("SumBackward1", "sum"),
    Op("MeanBackward0", "mean", Rule((_d("@a_i") + r" = \frac{1}{N}",),
                                     lambda c, s: _one(c, s) / c.inputs[0].value.numel),
       why=True),
    Op("MeanBackward1", "mean"),
    Op("MaxBackward0", "max"), Op("MaxBackward1", "max"),
    Op("MinBackward0", "min"), Op("MinBackward1", "min"),
    Op("ProdBackward0", "prod"), Op("StdBackward0", "std"), Op("VarBackward0", "var"),
    Op("NormBackward1", "norm"), Op("LinalgVectorNormBackward0", "norm"),
    # matrices and softmax: the whole term, not an elementwise local derivative
    Op("DotBackward0", "matmul", Rule((_d("@a") + " = @b", _d("@b") + " = @a"),
                                      lambda c, s: c.get("tensor") if s == 0 else c.get("self"))),
    Op("MmBackward0", "matmul", Rule(
        (r"\frac{\partial L}{\partial @a} = \frac{\partial L}{\partial @out}\, @b^{\top}",
         r"\frac{\partial L}{\partial @b} = @a^{\top} \frac{\partial L}{\partial @out}"),
        product=lambda c, s, g: g @ c.get("mat2").T if s == 0 else c.get("self").T @ g),
       why=True),
    Op("MvBackward0", "matmul"), Op("BmmBackward0", "matmul"),
    Op("AddmmBackward0", "linear"),
    Op("SoftmaxBackward0", "softmax", Rule(
        (r"\frac{\partial s_i}{\partial @a_j} = s_i(\delta_{ij} - s_j)",),
        product=lambda c, s, g: c.get("result") * (
            g - (g * c.get("result")).sum(int(c.get("dim")), keepdim=True))), why=True),
    Op("LogSoftmaxBackward0", "log_softmax", Rule(
        (r"\frac{\partial \log s_i}{\partial @a_j} = \delta_{ij} - s_j",),
        product=lambda c, s, g: g - torch.exp(c.get("result"))
        * g.sum(int(c.get("dim")), keepdim=True)), why=True),
    # losses
    Op("MseLossBackward0", "mse_loss", Rule(
        (_d("@a_i") + r" = \frac{2\,(@a_i - @b_i)}{N}",
         _d("@b_i") + r" = -\frac{2\,(@a_i - @b_i)}{N}"),
        lambda c, s: (1 - 2 * s) * 2 * (c.get("self") - c.get("target"))
        / c.get("self").numel()), why=True),
    Op("NllLossBackward0", "nll_loss"), Op("L1LossBackward0", "l1_loss"),
    Op("BinaryCrossEntropyBackward0", "bce"),
    # shapes and copies: the gradient is moved, not scaled
    Op("TBackward0", "transpose"), Op("TransposeBackward0", "transpose"),
    Op("PermuteBackward0", "transpose"),
    Op("ViewBackward0", "reshape"), Op("UnsafeViewBackward0", "reshape"),
    Op("ReshapeAliasBackward0", "reshape"), Op("UnsqueezeBackward0", "reshape"),
    Op("SqueezeBackward0", "reshape"), Op("SqueezeBackward1", "reshape"),
    Op("ExpandBackward0", "expand"), Op("CloneBackward0", "copy"),
    Op("ToCopyBackward0", "copy"),
    Op("SelectBackward0", "index"), Op("SliceBackward0", "index"),
    Op("IndexBackward0", "index"), Op("StackBackward0", "stack"), Op("CatBackward0", "cat"),
    # layers (Model Anatomy)
    Op("ConvolutionBackward0", "conv"), Op("MaxPool2DWithIndicesBackward0", "max_pool"),
    Op("AvgPool2DBackward0", "avg_pool"), Op("AdaptiveAvgPool2DBackward0", "avg_pool"),
    Op("NativeBatchNormBackward0", "batch_norm"), Op("NativeLayerNormBackward0", "layer_norm"),
)
OPS: dict[str, Op] = {o.grad_fn: o for o in _TABLE}


def op_key(op: str) -> str:
    """`MulBackward0` -> "mul"; an unlisted class -> its name without `Backward0`, lowered."""
    rec = OPS.get(op)
    return rec.key if rec else op.removesuffix("Backward0").lower()


def friendly(op: str | None, lang: str) -> str:
    """`MulBackward0` -> "multiply" (or "গুণ")."""
    if op is None:
        return ""
    rec = OPS.get(op)
    if rec and f"op.{rec.key}" in catalog("en"):
        return t(f"op.{rec.key}", lang)
    return re.sub(r"Backward\d*$", "", op)


def why_saved(op: str | None, lang: str) -> str:
    """Why autograd kept this node's saved tensors, in the UI language."""
    rec = OPS.get(op or "")
    return t(rec.why_key if rec else "why.generic", lang)
