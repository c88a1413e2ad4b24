"""Tiny networks for the Tiny Network page, registered by name.

Every model's forward returns (prediction, taps): taps name intermediate tensors
(h, y_pred, ...) so the captured graph can label them. Weights are initialised from
a torch.Generator, so the same seed gives the same network in every session.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from backprop.train.datasets import generate

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "none": lambda x: x,
}
LOSSES = ("mse", "bce", "cross_entropy")


@dataclass(frozen=True)
class NetSettings:
    """What the learner picks (the page shows only the fields a network uses)."""

    hidden_layers: int = 1  # 0-3
    units: int = 4  # 1-8
    activation: str = "tanh"
    loss: str = "bce"
    dataset: str = "moons"
    n_points: int = 200
    noise: float = 0.15


class ScalarNet(nn.Module):
    """The book's network: h = act(w1*x + b1), y_pred = w2*h + b2 (scalar weights)."""

    def __init__(self, activation: str = "relu") -> None:
        super().__init__()
        # our values (the book gives the formulas, no numbers); the same as the lab's
        # seed-2layer preset, so step 1 shows the same gradients there and here
        self.w1 = nn.Parameter(torch.tensor(0.5))
        self.b1 = nn.Parameter(torch.tensor(0.1))
        self.w2 = nn.Parameter(torch.tensor(-0.3))
        self.b2 = nn.Parameter(torch.tensor(0.2))
        self.act = ACTIVATIONS[activation]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        h = self.act(self.w1 * x + self.b1)  # (N,)
        y_pred = self.w2 * h + self.b2  # (N,)
        return y_pred, {"h": h, "y_pred": y_pred}


class Line(nn.Module):
    """Linear regression y = w*x + b: two parameters, so its loss landscape is a map."""

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.tensor(-1.0))
        self.b = nn.Parameter(torch.tensor(1.0))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        y_pred = self.w * x + self.b  # (N,)
        return y_pred, {"y_pred": y_pred}


class MLP(nn.Module):
    """2 inputs -> hidden layers -> 1 logit (bce/mse) or 2 logits (cross-entropy)."""

    def __init__(self, hidden: int, units: int, activation: str, outputs: int,
                 generator: torch.Generator) -> None:
        super().__init__()
        sizes = [2] + [units] * hidden + [outputs]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:],
                                                                       strict=False))
        self.act = ACTIVATIONS[activation]
        with torch.no_grad():  # PyTorch's default bounds, drawn from our own generator
            for layer in self.layers:
                bound = 1 / math.sqrt(layer.in_features)
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        taps = {}
        for i, layer in enumerate(self.layers):
            x = layer(x)  # (N, units)
            if i < len(self.layers) - 1:
                x = self.act(x)
                taps[f"h{i + 1}"] = x
        out = x.squeeze(-1) if x.shape[-1] == 1 else x  # (N,) or (N, 2)
        taps["logits"] = out
        return out, taps


@dataclass(frozen=True)
class Recipe:
    """Settings that fit a dataset within the page's first chunk of steps (the test
    `test_every_dataset_fits_in_the_first_chunk` holds them to >= 90% accuracy)."""

    hidden_layers: int
    units: int
    activation: str
    noise: float
    optimizer: str
    lr: float


# Adam at a moderate rate fits all of them; the spiral needs a third layer and less
# noise (with 0.15 its arms overlap and 40 test points cannot reach 90%).
RECIPES: dict[str, Recipe] = {
    "moons": Recipe(2, 8, "tanh", 0.15, "adam", 0.03),
    "circles": Recipe(2, 8, "tanh", 0.1, "adam", 0.03),
    "spiral": Recipe(3, 8, "tanh", 0.05, "adam", 0.05),
    "xor": Recipe(2, 8, "tanh", 0.05, "adam", 0.03),
    "blobs": Recipe(2, 8, "tanh", 0.15, "adam", 0.03),
}


@dataclass(frozen=True)
class Network:
    name: str
    task: str  # "regression" | "classification"
    options: tuple[str, ...]  # NetSettings fields the page lets the learner change
    defaults: NetSettings
    lr: float
    optimizer: str = "sgd"

    def build(self, s: NetSettings, seed: int) -> nn.Module:
        g = torch.Generator().manual_seed(seed)
        if self.name == "seed-2layer":
            return ScalarNet(s.activation)
        if self.name == "linear":
            return Line()
        outputs = 2 if s.loss == "cross_entropy" else 1
        return MLP(s.hidden_layers, s.units, s.activation, outputs, g)

    def data(self, s: NetSettings, seed: int,
             upload: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, torch.Tensor]:
        """Train/test tensors: x (N,) or (N, 2); y float targets or int labels."""
        if self.name == "seed-2layer":  # one example, our numbers: x = 2, target 1
            x, y = torch.tensor([2.0]), torch.tensor([1.0])
            return {"x": x, "y": y, "x_test": x, "y_test": y}
        if self.name == "linear":
            rng = np.random.default_rng(seed)
            xs = rng.uniform(-1, 1, 50).astype(np.float32)
            ys = (1.5 * xs - 0.5 + rng.normal(0, s.noise, 50)).astype(np.float32)
            pts, labels = xs, ys
        elif self.name == "xor":
            pts = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32) * 2 - 1
            labels = np.array([0, 1, 1, 0])
            t = {"x": torch.tensor(pts), "y": torch.tensor(labels)}
            return {**t, "x_test": t["x"], "y_test": t["y"]}
        else:
            pts, labels = upload if upload is not None else generate(
                s.dataset, s.n_points, s.noise, seed)
        n_test = max(1, len(pts) // 5)  # 80/20 split, after the generator's shuffle
        x, y = torch.tensor(pts), torch.tensor(labels)
        return {"x": x[n_test:], "y": y[n_test:], "x_test": x[:n_test], "y_test": y[:n_test]}


NETWORKS: dict[str, Network] = {n.name: n for n in (
    Network("seed-2layer", "regression", ("activation",),
            NetSettings(hidden_layers=1, units=1, activation="relu", loss="mse"), 0.1),
    Network("xor", "classification", ("hidden_layers", "units", "activation", "loss"),
            NetSettings(hidden_layers=1, units=2, activation="tanh", loss="bce"), 0.5),
    Network("classifier", "classification",
            ("hidden_layers", "units", "activation", "loss", "dataset", "noise"),
            NetSettings(hidden_layers=2, units=6, activation="tanh", loss="bce"), 0.1),
    Network("linear", "regression", ("noise",), NetSettings(loss="mse", noise=0.2), 0.1),
)}
