"""Tiny networks for the Tiny Network page, registered by name.

Each registry entry carries its own build, data and code functions (a new network is
one entry, plus its catalog texts `net.<name>.title/about`). Every model's forward
returns (prediction, taps): taps name intermediate tensors (h, y_pred, ...) so the
captured graph can label them. Weights are initialised from a torch.Generator, so the
same seed gives the same network in every session.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from backprop.train.codegen import WEIGHTS
from backprop.train.datasets import generate
from backprop.train.losses import ACTIVATIONS, LOSSES

Data = dict[str, torch.Tensor]  # x, y (training), x_test, y_test
Upload = tuple[np.ndarray, np.ndarray] | None  # a CSV's points and labels


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
        self.act = ACTIVATIONS[activation].fn

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


class TinyMLP(nn.Module):
    """2 inputs -> hidden layers -> 1 logit (bce/mse) or 2 logits (cross-entropy)."""

    def __init__(self, hidden: int, units: int, activation: str, outputs: int,
                 generator: torch.Generator) -> None:
        super().__init__()
        sizes = [2] + [units] * hidden + [outputs]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:],
                                                                       strict=False))
        self.act = ACTIVATIONS[activation].fn
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


def _scalar_data(s: NetSettings, seed: int, upload: Upload = None) -> Data:
    x, y = torch.tensor([2.0]), torch.tensor([1.0])  # one example, our numbers: x = 2, target 1
    return {"x": x, "y": y, "x_test": x, "y_test": y}


def _xor_data(s: NetSettings, seed: int, upload: Upload = None) -> Data:
    pts = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32) * 2 - 1
    x, y = torch.tensor(pts), torch.tensor(np.array([0, 1, 1, 0]))
    return {"x": x, "y": y, "x_test": x, "y_test": y}


def _line_data(s: NetSettings, seed: int, upload: Upload = None) -> Data:
    rng = np.random.default_rng(seed)
    xs = rng.uniform(-1, 1, 50).astype(np.float32)
    ys = (1.5 * xs - 0.5 + rng.normal(0, s.noise, 50)).astype(np.float32)
    return _split(xs, ys)


def _points_data(s: NetSettings, seed: int, upload: Upload = None) -> Data:
    pts, labels = upload if upload is not None else generate(s.dataset, s.n_points, s.noise,
                                                             seed)
    return _split(pts, labels)


def _split(pts: np.ndarray, labels: np.ndarray) -> Data:
    n_test = max(1, len(pts) // 5)  # 80/20 split, after the generator's shuffle
    x, y = torch.tensor(pts), torch.tensor(labels)
    return {"x": x[n_test:], "y": y[n_test:], "x_test": x[:n_test], "y_test": y[:n_test]}


def _mlp(s: NetSettings, seed: int) -> nn.Module:
    return TinyMLP(s.hidden_layers, s.units, s.activation, LOSSES[s.loss].outputs,
                   torch.Generator().manual_seed(seed))


# The code templates: plain PyTorch that builds the same model (codegen writes the
# trainer's initial weights at the WEIGHTS line and the loop after the template).
def _scalar_code(s: NetSettings) -> list[str]:
    return ["# the book's network: h = act(w1*x + b1), y_pred = w2*h + b2", WEIGHTS,
            "x, y = torch.tensor([2.0]), torch.tensor([1.0])", "def model(x):",
            "    h = " + ACTIVATIONS[s.activation].code_of("w1 * x + b1"),
            "    return w2 * h + b2", ""]


def _line_code(s: NetSettings) -> list[str]:
    return [WEIGHTS, "# x, y: the 40 training points shown on the page", "def model(x):",
            "    return w * x + b", ""]


def _mlp_code(s: NetSettings) -> list[str]:
    sizes = [2] + [s.units] * s.hidden_layers + [LOSSES[s.loss].outputs]
    act = ACTIVATIONS[s.activation].code
    return [f"layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip({sizes}, {sizes[1:]}))",
            WEIGHTS, "def model(x):", "    for i, layer in enumerate(layers):",
            "        x = layer(x)",
            *(["        if i < len(layers) - 1:", f"            x = {act}(x)"] if act else []),
            "    return x.squeeze(-1) if x.shape[-1] == 1 else x",
            "# x, y: the training points shown on the page", ""]


@dataclass(frozen=True)
class Network:
    name: str
    task: str  # "regression" | "classification"
    options: tuple[str, ...]  # NetSettings fields the page lets the learner change
    defaults: NetSettings
    lr: float
    build: Callable[[NetSettings, int], nn.Module]  # (settings, seed) -> the model
    data: Callable[..., Data]  # (settings, seed, upload=None) -> train/test tensors
    code: Callable[[NetSettings], list[str]]  # the model as plain PyTorch (codegen)
    optimizer: str = "sgd"

    @property
    def title_key(self) -> str:
        return f"net.{self.name}.title"

    @property
    def about_key(self) -> str:
        return f"net.{self.name}.about"


NETWORKS: dict[str, Network] = {n.name: n for n in (
    Network("seed-2layer", "regression", ("activation",),
            NetSettings(hidden_layers=1, units=1, activation="relu", loss="mse"), 0.1,
            lambda s, seed: ScalarNet(s.activation), _scalar_data, _scalar_code),
    Network("xor", "classification", ("hidden_layers", "units", "activation", "loss"),
            NetSettings(hidden_layers=1, units=2, activation="tanh", loss="bce"), 0.5,
            _mlp, _xor_data, _mlp_code),
    Network("classifier", "classification",
            ("hidden_layers", "units", "activation", "loss", "dataset", "noise"),
            NetSettings(hidden_layers=2, units=6, activation="tanh", loss="bce"), 0.1,
            _mlp, _points_data, _mlp_code),
    Network("linear", "regression", ("noise",), NetSettings(loss="mse", noise=0.2), 0.1,
            lambda s, seed: Line(), _line_data, _line_code),
)}
