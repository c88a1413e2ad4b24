"""One record per optimizer of the Tiny Network and the race, keyed by name.

Like Playground's `nn.ts` pairs each activation with its derivative, each record keeps
together what the app needs of one optimizer: the factory (torch.optim with its
defaults), the update rule as LaTeX, the symbols of the state torch.optim keeps between
steps, and the line of the generated training loop. A new optimizer is one record here
(plus `race_notes` if the race should explain its numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch
from torch import nn

MOMENTUM = 0.9  # the "momentum" optimizer: SGD with this μ


@dataclass(frozen=True)
class Optimizer:
    name: str
    make: Callable[[list[nn.Parameter], float], torch.optim.Optimizer]  # (params, lr)
    rule: str  # the update, LaTeX (g: the gradient, η: the learning rate)
    state: Mapping[str, str]  # torch.optim state key -> the rule's symbol
    code: str  # the constructor in the generated loop: {params} and {lr} filled in

    @property
    def label_key(self) -> str:
        return f"opt.{self.name}"  # its name in the catalogs

    def code_line(self, params: str, lr: float) -> str:
        return self.code.format(params=params, lr=lr)


_TABLE = (
    Optimizer("sgd", lambda p, lr: torch.optim.SGD(p, lr=lr),
              r"w \leftarrow w - \eta \cdot g", {},
              "torch.optim.SGD({params}, lr={lr})"),
    Optimizer("momentum", lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=MOMENTUM),
              r"v \leftarrow \mu v + g,\quad w \leftarrow w - \eta \cdot v"
              + rf"\qquad (\mu = {MOMENTUM})", {"momentum_buffer": "v"},
              "torch.optim.SGD({params}, lr={lr}, momentum=" + str(MOMENTUM) + ")"),
    # torch.optim.Adam: bias-corrected moments (t = the step count, from 1)
    Optimizer("adam", lambda p, lr: torch.optim.Adam(p, lr=lr),
              r"m \leftarrow \beta_1 m + (1-\beta_1) g,\; v \leftarrow \beta_2 v + (1-\beta_2) g^2,"
              r"\; \hat m = \frac{m}{1-\beta_1^{\,t}},\; \hat v = \frac{v}{1-\beta_2^{\,t}},"
              r"\; w \leftarrow w - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}",
              {"step": "t", "exp_avg": "m", "exp_avg_sq": "v"},
              "torch.optim.Adam({params}, lr={lr})"),
    Optimizer("rmsprop", lambda p, lr: torch.optim.RMSprop(p, lr=lr),
              r"s \leftarrow \alpha s + (1-\alpha) g^2,\quad "
              r"w \leftarrow w - \eta\,\frac{g}{\sqrt{s} + \epsilon}",
              {"step": "t", "square_avg": "s"},
              "torch.optim.RMSprop({params}, lr={lr})"),
)
OPTIMIZERS: dict[str, Optimizer] = {o.name: o for o in _TABLE}
# every state key of every record -> its symbol (a loop's optimizer in the Expression Lab)
STATE_SYMBOLS: dict[str, str] = {k: v for o in _TABLE for k, v in o.state.items()}


def make_optimizer(name: str, params: list[nn.Parameter], lr: float) -> torch.optim.Optimizer:
    """torch.optim's optimizer `name` over `params` (ValueError for an unknown name)."""
    if name not in OPTIMIZERS:
        raise ValueError(name)
    return OPTIMIZERS[name].make(params, lr)
