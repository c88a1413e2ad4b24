"""Train a small network step by step, recording every update as plain arrays.

One Trainer per session (the page keeps it in session state). Each step records the
loss, the parameters before, the gradients the optimizer used, the parameters after
and the optimizer's own state (momentum / Adam moments), all read from PyTorch.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from backprop.capture.trace_fn import trace_function
from backprop.core.graph import Trace
from backprop.train.losses import LOSSES, loss_of
from backprop.train.optimizers import make_optimizer


@dataclass(frozen=True)
class TrainConfig:
    network: str = "seed-2layer"
    optimizer: str = "sgd"
    lr: float = 0.1
    batch_size: int = 0  # 0: the whole training set every step
    seed: int = 0
    clip: float | None = None  # max gradient norm (clip_grad_norm_), None: off
    zero_grad: bool = True  # False shows what the book warns about: gradients pile up
    settings: Any = None  # examples.networks.NetSettings (the engine never imports it)


@dataclass
class History:
    """Per step: loss, params before/after, grads, optimizer state (numpy, compact)."""

    names: list[str]
    losses: list[float] = field(default_factory=list)
    test_losses: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)
    params: dict[str, list[np.ndarray]] = field(default_factory=dict)  # steps + 1 entries
    grads: dict[str, list[np.ndarray]] = field(default_factory=dict)
    state: list[dict[str, dict[str, np.ndarray]]] = field(default_factory=list)
    norms: list[float | None] = field(default_factory=list)  # grad norm before clipping
    batches: list[np.ndarray | None] = field(default_factory=list)  # rows used (None: all)

    @property
    def steps(self) -> int:
        return len(self.losses)

    def to_dict(self, network: str) -> dict[str, Any]:
        """The train JSON of DESIGN.md."""
        def lst(a: np.ndarray) -> Any:
            return a.tolist()
        return {"network": network, "steps": [
            {"step": k + 1, "loss": self.losses[k], "test_loss": self.test_losses[k],
             "params_before": {n: lst(self.params[n][k]) for n in self.names},
             "grads": {n: lst(self.grads[n][k]) for n in self.names},
             "params_after": {n: lst(self.params[n][k + 1]) for n in self.names},
             "optimizer_state": {n: {s: lst(v) for s, v in st.items()}
                                 for n, st in self.state[k].items()},
             "grad_norm": self.norms[k]}
            for k in range(self.steps)]}


class Trainer:
    """A model, its data and optimizer, stepping and recording."""

    def __init__(self, config: TrainConfig, model: nn.Module, data: dict[str, torch.Tensor],
                 loss: str) -> None:
        self.config, self.model, self.data, self.loss = config, model, data, loss
        self.params = dict(model.named_parameters())
        self.opt = make_optimizer(config.optimizer, list(self.params.values()), config.lr)
        self.gen = torch.Generator().manual_seed(config.seed)  # minibatch order
        self.history = History(list(self.params))
        for n, p in self.params.items():
            self.history.params[n] = [p.detach().numpy().copy()]
            self.history.grads[n] = []

    def __getstate__(self) -> dict[str, Any]:
        # A pickled Parameter drops its .grad: keep them, or a run that forgets
        # zero_grad() would start from clean gradients after every envelope chunk.
        grads = {n: None if p.grad is None else p.grad.detach().clone()
                 for n, p in self.params.items()}
        return {**self.__dict__, "_grads": grads}

    def __setstate__(self, state: dict[str, Any]) -> None:
        grads = state.pop("_grads", {})
        self.__dict__.update(state)
        for n, g in grads.items():
            self.params[n].grad = g

    def _batch(self) -> torch.Tensor | None:
        bs = self.config.batch_size
        if bs and bs < len(self.data["x"]):
            return torch.randperm(len(self.data["x"]), generator=self.gen)[:bs]
        return None

    def _rows(self, idx: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = self.data["x"], self.data["y"]
        return (x, y) if idx is None else (x[idx], y[idx])

    def _forward(self, x: torch.Tensor, y: torch.Tensor):  # noqa: ANN202
        pred, taps = self.model(x)
        return loss_of(self.loss, pred, y), taps

    def step(self, capture: bool = False) -> Trace | None:
        """One training step: zero_grad (unless switched off), forward, backward,
        clip (if on), optimizer.step(). With `capture`, the forward and backward are
        captured as a Trace (graph, values, gradients) for the animation."""
        idx = self._batch()
        x, y = self._rows(idx)
        if self.config.zero_grad:
            self.opt.zero_grad()
        trace = None
        if capture:
            trace = trace_function(lambda: self._forward(x, y), {**self.params, "x": x})
            loss_value = float(trace.output_node.value.data)
        else:
            loss, _ = self._forward(x, y)
            loss.backward()
            loss_value = float(loss.detach())
        norm = None
        if self.config.clip is not None:
            norm = float(torch.nn.utils.clip_grad_norm_(list(self.params.values()),
                                                        self.config.clip))
        self.opt.step()
        self._record(loss_value, norm, idx)
        return trace

    def replay(self, step: int) -> Trace:
        """Capture step `step` (1-based) again: the same batch, the parameters it
        started from, PyTorch's forward and backward, without touching the model."""
        model = copy.deepcopy(self.model)
        params = dict(model.named_parameters())
        with torch.no_grad():
            for n, p in params.items():
                p.copy_(torch.from_numpy(self.history.params[n][step - 1]))
                p.grad = None
        b = self.history.batches[step - 1]
        x, y = self._rows(None if b is None else torch.from_numpy(b))

        def fwd():  # noqa: ANN202
            pred, taps = model(x)
            return loss_of(self.loss, pred, y), taps
        return trace_function(fwd, {**params, "x": x})

    def run(self, n: int) -> None:
        for _ in range(n):
            self.step()

    def _record(self, loss: float, norm: float | None, idx: torch.Tensor | None) -> None:
        h = self.history
        h.losses.append(loss)
        h.norms.append(norm)
        h.batches.append(None if idx is None else idx.numpy())
        for n, p in self.params.items():
            g = p.grad
            h.grads[n].append(np.zeros_like(h.params[n][0]) if g is None
                              else g.detach().numpy().copy())
            h.params[n].append(p.detach().numpy().copy())
        h.state.append({n: {k: (v.detach().numpy().copy() if isinstance(v, torch.Tensor)
                                else np.asarray(v))
                            for k, v in self.opt.state.get(p, {}).items()}
                        for n, p in self.params.items()})
        test_loss, acc = self.evaluate()
        h.test_losses.append(test_loss)
        h.accuracy.append(acc)

    @torch.no_grad()
    def evaluate(self) -> tuple[float, float | None]:
        pred, _ = self.model(self.data["x_test"])
        y = self.data["y_test"]
        loss = float(loss_of(self.loss, pred, y))
        if y.dtype.is_floating_point:
            return loss, None
        cls = pred.argmax(-1) if pred.dim() == 2 else (pred > 0).long()
        return loss, float((cls == y).float().mean())

    @torch.no_grad()
    def predict_at(self, step: int, points: torch.Tensor) -> torch.Tensor:
        """The model's output on `points` with the parameters it had after `step`."""
        params = {n: torch.from_numpy(self.history.params[n][step]) for n in self.params}
        pred, _ = self.stateless(params, points)
        return LOSSES[self.loss].readout(pred)

    def stateless(self, params: dict[str, torch.Tensor], points: torch.Tensor) -> Any:
        """The model with `params` on `points`. On a copy: functional_call swaps the
        parameters in place and back, and one Trainer is read by many sessions at once
        (ui/shared.py): two overlapping calls would leave one's tensors in the model."""
        return torch.func.functional_call(copy.deepcopy(self.model), params, (points,))
