"""The numbers of one update, parameter by parameter (the rules: optimizers.OPTIMIZERS)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from backprop.train.training import History, TrainConfig


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
