"""The records (one per op, optimizer, loss, activation, network) are complete: every
catalog key they name exists in every language, and what they claim matches PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from backprop.i18n import LANGUAGES, catalog
from backprop.teach.ops import OPS, friendly, why_saved
from backprop.train.codegen import WEIGHTS, number
from backprop.train.losses import ACTIVATIONS, LOSSES
from backprop.train.optimizers import OPTIMIZERS, STATE_SYMBOLS
from examples.networks import NETWORKS


def _keys() -> list[str]:
    return ([f"op.{o.key}" for o in OPS.values()] + [o.why_key for o in OPS.values()]
            + [r.label_key for r in (*OPTIMIZERS.values(), *LOSSES.values(),
                                     *ACTIVATIONS.values())]
            + [k for n in NETWORKS.values() for k in (n.title_key, n.about_key)])


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_record_key_is_in_every_catalog(lang: str) -> None:
    missing = sorted({k for k in _keys() if k not in catalog(lang)})
    assert not missing, missing


def test_no_loose_op_or_why_keys() -> None:
    """Every `op.*` and `why.*` text belongs to a record (no parallel table of keys)."""
    used = {f"op.{o.key}" for o in OPS.values()} | {o.why_key for o in OPS.values()}
    loose = {k for k in catalog("en") if k.split(".")[0] in ("op", "why")} - used
    assert not loose, loose


def test_op_records_are_keyed_by_their_grad_fn() -> None:
    assert all(name == rec.grad_fn and name.endswith(("Backward0", "Backward1", "Backward2"))
               for name, rec in OPS.items())
    assert friendly("MulBackward0", "en") == "multiply"
    assert friendly("SomethingNewBackward0", "en") == "SomethingNew"  # unlisted: its name
    assert why_saved("MulBackward0", "en") != why_saved("CloneBackward0", "en")
    assert why_saved("CloneBackward0", "en") == catalog("en")["why.generic"]
    for rec in OPS.values():  # a rule has formulas and one way to evaluate them
        if rec.rule is not None:
            assert rec.rule.formulas and (rec.rule.local is None) != (rec.rule.product is None)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_state_symbols_are_what_torch_keeps(name: str) -> None:
    """...and the change each record predicts from the gradient and that state is
    torch.optim's own change, step after step."""
    rec = OPTIMIZERS[name]
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = rec.make([w], 0.1)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        before, g = w.detach().clone(), w.grad.clone()
        opt.step()
        for i in range(2):
            state = {k: float(v.reshape(-1)[i] if v.numel() > 1 else v)
                     for k, v in opt.state[w].items()}
            assert rec.change(0.1, float(g[i]), state) == pytest.approx(
                float(w.detach()[i] - before[i]), rel=1e-5, abs=1e-7)
    assert set(opt.state[w]) == set(rec.state)
    assert all(STATE_SYMBOLS[k] == v for k, v in OPTIMIZERS[name].state.items())
    assert OPTIMIZERS[name].code_line("params", 0.1).startswith("torch.optim.")


def test_loss_records_match_their_outputs() -> None:
    pred2, labels = torch.tensor([[0.3, -0.2], [1.0, 0.5]]), torch.tensor([1, 0])
    pred1 = torch.tensor([0.3, -0.4])
    assert torch.equal(LOSSES["cross_entropy"].fn(pred2, labels),
                       torch.nn.functional.cross_entropy(pred2, labels))
    assert LOSSES["cross_entropy"].outputs == 2 and LOSSES["bce"].outputs == 1
    assert torch.allclose(LOSSES["cross_entropy"].readout(pred2).sum(), torch.tensor(
        float(torch.softmax(pred2, -1)[:, 1].sum())))
    assert torch.equal(LOSSES["bce"].readout(pred1), torch.sigmoid(pred1))
    assert ACTIVATIONS["none"].code_of("w * x") == "w * x"
    assert ACTIVATIONS["tanh"].code_of("w * x") == "torch.tanh(w * x)"


@pytest.mark.parametrize("name", list(NETWORKS))
def test_network_entries_build_their_model_data_and_code(name: str) -> None:
    net = NETWORKS[name]
    model, data = net.build(net.defaults, 0), net.data(net.defaults, 0)
    pred, taps = model(data["x"])
    assert pred.shape[0] == len(data["y"]) and taps
    assert net.code(net.defaults).count(WEIGHTS) == 1


def test_numbers_in_generated_code_read_back_exactly() -> None:
    xs = np.random.default_rng(0).standard_normal(20_000).astype(np.float32)
    xs = np.concatenate([xs, np.float32([0.5, -0.3, 0.1, 1e-8, 3.4e38, -0.0])])
    for x in xs:
        assert np.float32(float(number(x))) == x
    assert [number(np.float32(v)) for v in (0.5, -0.3, 0.1, -1.0)] == ["0.5", "-0.3", "0.1",
                                                                       "-1.0"]
