"""The update rule of each optimizer (LaTeX, one table) and the numbers of one step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from backprop.train.training import MOMENTUM, History, TrainConfig

UPDATE_RULES: dict[str, str] = {
    "sgd": r"w \leftarrow w - \eta \cdot g",
    "momentum": r"v \leftarrow \mu v + g,\quad w \leftarrow w - \eta \cdot v"
                + rf"\qquad (\mu = {MOMENTUM})",
    # torch.optim.Adam: bias-corrected moments (t = the step count, from 1)
    "adam": r"m \leftarrow \beta_1 m + (1-\beta_1) g,\; v \leftarrow \beta_2 v + (1-\beta_2) g^2,"
            r"\; \hat m = \frac{m}{1-\beta_1^{\,t}},\; \hat v = \frac{v}{1-\beta_2^{\,t}},"
            r"\; w \leftarrow w - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}",
    "rmsprop": r"s \leftarrow \alpha s + (1-\alpha) g^2,\quad "
               r"w \leftarrow w - \eta\,\frac{g}{\sqrt{s} + \epsilon}",
}
# what each optimizer keeps between steps (torch.optim state keys -> symbols)
STATE_SYMBOLS = {"momentum_buffer": "v", "exp_avg": "m", "exp_avg_sq": "v",
                 "square_avg": "s", "step": "t"}


@dataclass(frozen=True)
class UpdateRow:
    name: str
    before: np.ndarray
    grad: np.ndarray
    after: np.ndarray
    state: dict[str, np.ndarray]


def update_rows(h: History, step: int) -> list[UpdateRow]:
    """Parameter by parameter, what update `step` (1-based) did."""
    k = step - 1
    return [UpdateRow(n, h.params[n][k], h.grads[n][k], h.params[n][k + 1],
                      h.state[k].get(n, {})) for n in h.names]


def sgd_check(row: UpdateRow, config: TrainConfig) -> np.ndarray:
    """before - lr*grad, computed the way torch.optim.SGD does (add with alpha=-lr, in
    float32), so the panel can show the equality holds to the last bit."""
    return torch.add(torch.from_numpy(row.before), torch.from_numpy(row.grad),
                     alpha=-config.lr).numpy()
