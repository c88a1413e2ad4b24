"""The benchmark cases: the same graphs for us and for the baselines."""

from __future__ import annotations

import torch
from torch import nn

from examples.models import MODELS
from examples.presets import PRESETS
from graphviz_tools import run_program


def seed_tensor() -> torch.Tensor:
    """The seed's first example as a plain tensor (for torchviz): out = mean(3*(x+2)^2)."""
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    return (y * y * 3).mean()


def mlp_tensor(layers: int = 128) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    torch.manual_seed(0)
    model = nn.Sequential(*[m for _ in range(layers) for m in (nn.Linear(8, 8), nn.Tanh())])
    return model(torch.ones(1, 8)).sum(), dict(model.named_parameters())


def resnet_tensor() -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    spec = MODELS["resnet50"]
    model = spec.build()
    return model(spec.example()).sum(), dict(model.named_parameters())


def seed_trace():  # noqa: ANN201
    return run_program(PRESETS["seed-mean"].code)
