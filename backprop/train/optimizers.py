"""One record per optimizer of the Tiny Network and the race, keyed by name.

Like Playground's `nn.ts` pairs each activation with its derivative, each record keeps
together what the app needs of one optimizer: the factory (torch.optim with its
defaults), the update rule as LaTeX and as numbers (the change it predicts from the
recorded gradient and state, checked against PyTorch's in the race's captions), the
symbols of the state torch.optim keeps between steps, and the line of the generated
training loop. A new optimizer is one record here (its state lines in the race's
captions: race_notes.note).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch
from torch import nn

MOMENTUM = 0.9  # the "momentum" optimizer: SGD with this μ
# torch.optim's defaults, which the factories below keep
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8
RMS_ALPHA, RMS_EPS = 0.99, 1e-8
State = Mapping[str, float]  # one entry of torch.optim's state after the step


@dataclass(frozen=True)
class Optimizer:
    name: str
    make: Callable[[list[nn.Parameter], float], torch.optim.Optimizer]  # (params, lr)
    rule: str  # the update, LaTeX (g: the gradient, η: the learning rate)
    state: Mapping[str, str]  # torch.optim state key -> the rule's symbol
    code: str  # the constructor in the generated loop: {params} and {lr} filled in
    delta: str  # the change of a weight, as the race's captions write it
    change: Callable[[float, float, State], float]  # (lr, g, state) -> the change

    @property
    def label_key(self) -> str:
        return f"opt.{self.name}"  # its name in the catalogs

    def code_line(self, params: str, lr: float) -> str:
        return self.code.format(params=params, lr=lr)


def adam_hats(s: State) -> tuple[float, float]:
    """Adam's bias-corrected moments m̂ = m/(1-β1^t), v̂ = v/(1-β2^t)."""
    return (s["exp_avg"] / (1 - ADAM_BETAS[0] ** s["step"]),
            s["exp_avg_sq"] / (1 - ADAM_BETAS[1] ** s["step"]))


def _adam_change(lr: float, g: float, s: State) -> float:
    m_hat, v_hat = adam_hats(s)
    return -lr * m_hat / (math.sqrt(v_hat) + ADAM_EPS)


_TABLE = (
    Optimizer("sgd", make=lambda p, lr: torch.optim.SGD(p, lr=lr),
              rule=r"w \leftarrow w - \eta \cdot g", state={},
              code="torch.optim.SGD({params}, lr={lr})",
              delta="−η·g", change=lambda lr, g, s: -lr * g),
    Optimizer("momentum", make=lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=MOMENTUM),
              rule=r"v \leftarrow \mu v + g,\quad w \leftarrow w - \eta \cdot v"
              + rf"\qquad (\mu = {MOMENTUM})", state={"momentum_buffer": "v"},
              code="torch.optim.SGD({params}, lr={lr}, momentum=" + str(MOMENTUM) + ")",
              delta="−η·v", change=lambda lr, g, s: -lr * s["momentum_buffer"]),
    # torch.optim.Adam: bias-corrected moments (t = the step count, from 1)
    Optimizer("adam", make=lambda p, lr: torch.optim.Adam(p, lr=lr),
              rule=r"m \leftarrow \beta_1 m + (1-\beta_1) g,\; "
              r"v \leftarrow \beta_2 v + (1-\beta_2) g^2,"
              r"\; \hat m = \frac{m}{1-\beta_1^{\,t}},\; \hat v = \frac{v}{1-\beta_2^{\,t}},"
              r"\; w \leftarrow w - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}",
              state={"step": "t", "exp_avg": "m", "exp_avg_sq": "v"},
              code="torch.optim.Adam({params}, lr={lr})",
              delta="−η·m̂/(√v̂+ε)", change=_adam_change),
    Optimizer("rmsprop", make=lambda p, lr: torch.optim.RMSprop(p, lr=lr),
              rule=r"s \leftarrow \alpha s + (1-\alpha) g^2,\quad "
              r"w \leftarrow w - \eta\,\frac{g}{\sqrt{s} + \epsilon}",
              state={"step": "t", "square_avg": "s"},
              code="torch.optim.RMSprop({params}, lr={lr})",
              delta="−η·g/(√s+ε)",
              change=lambda lr, g, s: -lr * g / (math.sqrt(s["square_avg"]) + RMS_EPS)),
)
OPTIMIZERS: dict[str, Optimizer] = {o.name: o for o in _TABLE}
# every state key of every record -> its symbol (a loop's optimizer in the Expression Lab)
STATE_SYMBOLS: dict[str, str] = {k: v for o in _TABLE for k, v in o.state.items()}


def make_optimizer(name: str, params: list[nn.Parameter], lr: float) -> torch.optim.Optimizer:
    """torch.optim's optimizer `name` over `params` (ValueError for an unknown name)."""
    if name not in OPTIMIZERS:
        raise ValueError(name)
    return OPTIMIZERS[name].make(params, lr)
