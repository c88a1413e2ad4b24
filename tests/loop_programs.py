"""Shared by the loop tests: two training-loop programs and the bit-for-bit comparison
of a run's parameters, gradients and losses with plain PyTorch."""

from __future__ import annotations

import pytest
import torch

from backprop.core.graph import Trace, Value


def tensor_of(v: Value) -> torch.Tensor:
    return v.tensor()


def same_as_pytorch(trace: Trace, final: dict[str, torch.Tensor],
          grads: list[dict[str, torch.Tensor]], losses: list[float]) -> None:
    """Parameters at the end, each iteration's gradients and loss: equal, bit for bit."""
    for name, want in final.items():
        assert torch.equal(tensor_of(trace.final[name]), want.detach()), name
    assert len(trace.iterations) == len(grads)
    for it, g, loss in zip(trace.iterations, grads, losses, strict=True):
        assert it.loss == pytest.approx(loss, rel=0, abs=0)
        for name, want in g.items():
            assert torch.equal(tensor_of(it.grads[name]), want), (it.step, name)


def grads_of(named: list[tuple[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {n: p.grad.detach().clone() for n, p in named if p.grad is not None}


LINEAR_MOMENTUM = """\
import torch
import torch.nn as nn
torch.manual_seed(3)
lin = nn.Linear(3, 2)
opt = torch.optim.SGD(lin.parameters(), lr=0.05, momentum=0.9)
x = torch.randn(4, 3)
t = torch.randn(4, 2)
for step in range(6):
    opt.zero_grad()
    loss = ((lin(x) - t) ** 2).mean()
    loss.backward()
    opt.step()
"""


SEQ_ADAM = """\
import torch
import torch.nn as nn
torch.manual_seed(7)
model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.99))
X = torch.randn(5, 2)
labels = torch.tensor([0, 2, 1, 1, 0])
for epoch in range(8):
    optimizer.zero_grad()
    out = model(X)
    loss = loss_fn(out, labels)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
    optimizer.step()
    print(f"{epoch:>2} {loss.item():.6f}")
"""
