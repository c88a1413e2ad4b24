"""Training loops in the program language (issue 13), with PyTorch as the oracle: each
program's final parameters and every recorded gradient equal a plain PyTorch run of the
same code, written out below as ordinary Python (user text is never executed)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from examples.presets import PRESETS
from graphviz_tools import run_program
from tests.loop_programs import LINEAR_MOMENTUM, SEQ_ADAM, grads_of, same_as_pytorch, tensor_of

MANUAL = PRESETS["book-2layer-manual"].code


def test_manual_update_under_no_grad_matches_pytorch() -> None:
    tr = run_program(MANUAL)
    x, y, lr = torch.tensor(2.0), torch.tensor(1.0), 0.1
    w1 = torch.tensor(0.5, requires_grad=True)
    b1 = torch.tensor(0.1, requires_grad=True)
    w2 = torch.tensor(-0.3, requires_grad=True)
    b2 = torch.tensor(0.2, requires_grad=True)
    ps = [("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)]
    grads, losses, before = [], [], []
    for _ in range(5):
        before.append({n: p.detach().clone() for n, p in ps})
        h = torch.relu(w1 * x + b1)
        y_pred = w2 * h + b2
        loss = (y_pred - y) ** 2
        loss.backward()
        grads.append(grads_of(ps))
        losses.append(loss.item())
        with torch.no_grad():
            for _, p in ps:
                p -= lr * p.grad
        for _, p in ps:
            p.grad.zero_()
    same_as_pytorch(tr, dict(ps), grads, losses)
    for it, b in zip(tr.iterations, before, strict=True):  # params_before, as trained
        assert {k: tensor_of(v) for k, v in it.params_before.items()}.keys() >= b.keys()
        assert all(torch.equal(tensor_of(it.params_before[k]), v) for k, v in b.items())
    assert tr.prints[0] == f"iteration 0: loss {losses[0]:.4f}"


def test_optimizer_sgd_gives_the_same_numbers_as_the_update_by_hand() -> None:
    by_hand = run_program(MANUAL)
    sgd = run_program(PRESETS["book-2layer-sgd"].code)
    # SGD computes p.add_(grad, alpha=-lr), by hand p -= lr * grad: float rounding apart
    for name in ("w1", "b1", "w2", "b2"):
        assert torch.allclose(tensor_of(by_hand.final[name]), tensor_of(sgd.final[name]), atol=1e-6)
    assert [i.loss for i in by_hand.iterations] == pytest.approx(
        [i.loss for i in sgd.iterations], abs=1e-6)




def test_linear_with_sgd_momentum_matches_pytorch() -> None:
    tr = run_program(LINEAR_MOMENTUM)
    torch.manual_seed(3)
    lin = nn.Linear(3, 2)
    opt = torch.optim.SGD(lin.parameters(), lr=0.05, momentum=0.9)
    x, t = torch.randn(4, 3), torch.randn(4, 2)
    grads, losses = [], []
    named = [(f"lin.{n}", p) for n, p in lin.named_parameters()]
    for _ in range(6):
        opt.zero_grad()
        loss = ((lin(x) - t) ** 2).mean()
        loss.backward()
        grads.append(grads_of(named))
        losses.append(loss.item())
        opt.step()
    same_as_pytorch(tr, dict(named), grads, losses)
    last = tr.iterations[-1]
    assert torch.equal(tensor_of(last.optimizer_state["lin.weight"]["momentum_buffer"]),
                       opt.state[lin.weight]["momentum_buffer"])
    assert list(tr.final)[:2] == ["lin.weight", "lin.bias"]




def test_sequential_adam_with_clipping_matches_pytorch() -> None:
    tr = run_program(SEQ_ADAM)
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.99))
    X, labels = torch.randn(5, 2), torch.tensor([0, 2, 1, 1, 0])
    named = [(f"model.{n}", p) for n, p in model.named_parameters()]
    grads, losses, prints = [], [], []
    for epoch in range(8):
        optimizer.zero_grad()
        loss = loss_fn(model(X), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
        grads.append(grads_of(named))  # recorded after backward, i.e. before clipping
        optimizer.step()
        prints.append(f"{epoch:>2} {loss.item():.6f}")
        losses.append(loss.item())
    assert list(tr.prints) == prints
    for name, p in named:
        assert torch.equal(tensor_of(tr.final[name]), p.detach()), name
    assert [i.loss for i in tr.iterations] == losses
    assert set(tr.iterations[-1].optimizer_state["model.0.weight"]) >= {"exp_avg", "exp_avg_sq"}
    assert list(tr.final)[:4] == ["model.0.weight", "model.0.bias", "model.2.weight",
                                  "model.2.bias"]


def test_gradients_recorded_right_after_backward_before_clipping() -> None:
    tr = run_program(SEQ_ADAM)
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3))
    X, labels = torch.randn(5, 2), torch.tensor([0, 2, 1, 1, 0])
    nn.CrossEntropyLoss()(model(X), labels).backward()
    assert torch.equal(tensor_of(tr.iterations[0].grads["model.2.weight"]), model[2].weight.grad)


RMSPROP_PARAMS_LOOP = """\
import torch
import torch.nn as nn
torch.manual_seed(1)
net = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Tanh())
opt = torch.optim.RMSprop(net.parameters(), lr=0.01, alpha=0.9)
x = torch.rand(6, 2)
y = torch.rand(6, 1)
mse = nn.MSELoss()
for i in range(4):
    opt.zero_grad()
    loss = mse(net(x), y)
    loss.backward()
    opt.step()
"""


def test_rmsprop_matches_pytorch() -> None:
    tr = run_program(RMSPROP_PARAMS_LOOP)
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Tanh())
    opt = torch.optim.RMSprop(net.parameters(), lr=0.01, alpha=0.9)
    x, y = torch.rand(6, 2), torch.rand(6, 1)
    named = [(f"net.{n}", p) for n, p in net.named_parameters()]
    grads, losses = [], []
    for _ in range(4):
        opt.zero_grad()
        loss = nn.MSELoss()(net(x), y)
        loss.backward()
        grads.append(grads_of(named))
        losses.append(loss.item())
        opt.step()
    same_as_pytorch(tr, dict(named), grads, losses)


PARAM_LOOP = """\
import torch
from torch import nn
torch.manual_seed(5)
model = nn.Linear(2, 1)
x = torch.tensor([[1.0, 2.0], [3.0, -1.0]])
y = torch.tensor([[1.0], [0.0]])
lossf = nn.BCEWithLogitsLoss()
for it in range(3):
    loss = lossf(model(x), y)
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p.sub_(0.5 * p.grad)
    for name, p in model.named_parameters():
        p.grad.zero_()
    w = model.weight
    b = model.bias
"""


def test_parameters_loop_with_sub_and_named_parameters_matches_pytorch() -> None:
    tr = run_program(PARAM_LOOP)
    torch.manual_seed(5)
    model = nn.Linear(2, 1)
    x, y = torch.tensor([[1.0, 2.0], [3.0, -1.0]]), torch.tensor([[1.0], [0.0]])
    named = [(f"model.{n}", p) for n, p in model.named_parameters()]
    grads, losses = [], []
    for _ in range(3):
        loss = nn.BCEWithLogitsLoss()(model(x), y)
        loss.backward()
        grads.append(grads_of(named))
        losses.append(loss.item())
        with torch.no_grad():
            for p in model.parameters():
                p.sub_(0.5 * p.grad)
        for _, p in model.named_parameters():
            p.grad.zero_()
    same_as_pytorch(tr, dict(named), grads, losses)
    # w and b are the module's own tensors: named once, as PyTorch names them
    assert "w" not in tr.final and "model.weight" in tr.final
