"""One record per loss and per activation of the Tiny Network, keyed by name.

Each record keeps the function the trainer calls beside the text the generated
training loop uses for it, so the page's numbers and the copied code cannot drift
apart, and names its catalog key (`label_key`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F  # noqa: N812

T = torch.Tensor


@dataclass(frozen=True)
class Loss:
    name: str
    fn: Callable[[T, T], T]  # (prediction, target) -> the scalar loss
    code: str  # the same call in the generated loop (on `pred`, `yb`)
    outputs: int  # numbers the network emits per point (cross-entropy: one per class)
    readout: Callable[[T], T]  # prediction -> what the figures draw (P(class 1), or y)

    @property
    def label_key(self) -> str:
        return f"loss.{self.name}"


@dataclass(frozen=True)
class Activation:
    name: str
    fn: Callable[[T], T]
    code: str  # the function in the generated code ("" for none)

    @property
    def label_key(self) -> str:
        return f"act.{self.name}"

    def code_of(self, expr: str) -> str:
        """`w1 * x + b1` -> `torch.tanh(w1 * x + b1)` (unchanged for none)."""
        return f"{self.code}({expr})" if self.code else expr


LOSSES: dict[str, Loss] = {r.name: r for r in (
    Loss("mse", lambda p, y: F.mse_loss(p, y.float()), "F.mse_loss(pred, yb)", 1,
         lambda p: p),
    Loss("bce", lambda p, y: F.binary_cross_entropy_with_logits(p, y.float()),
         "F.binary_cross_entropy_with_logits(pred, yb.float())", 1, torch.sigmoid),
    Loss("cross_entropy", lambda p, y: F.cross_entropy(p, y.long()),
         "F.cross_entropy(pred, yb)", 2, lambda p: torch.softmax(p, -1)[:, 1]),
)}
ACTIVATIONS: dict[str, Activation] = {r.name: r for r in (
    Activation("relu", torch.relu, "torch.relu"),
    Activation("tanh", torch.tanh, "torch.tanh"),
    Activation("sigmoid", torch.sigmoid, "torch.sigmoid"),
    Activation("none", lambda x: x, ""),
)}


def loss_of(name: str, pred: T, y: T) -> T:
    """The loss `name` of `pred` against the targets `y`."""
    return LOSSES[name].fn(pred, y)
