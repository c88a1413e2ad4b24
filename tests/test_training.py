"""Tiny networks: every recorded number is torch.optim's; same seed, same numbers."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from backprop.train.codegen import training_code
from backprop.train.datasets import DATASETS, generate, parse_csv
from backprop.train.optimizers import OPTIMIZERS
from backprop.train.train_figures import (
    boundary_figure,
    fit_figure,
    landscape_figure,
    network_figure,
)
from backprop.train.training import TrainConfig, Trainer
from backprop.train.updates import sgd_check, update_rows
from examples.networks import NETWORKS
from graphviz_tools import ProgramError


def make(name: str, **kw: object) -> Trainer:
    net = NETWORKS[name]
    s = kw.pop("settings", net.defaults)
    cfg = TrainConfig(network=name, lr=kw.pop("lr", net.lr), settings=s, **kw)
    return Trainer(cfg, net.build(s, cfg.seed), net.data(s, cfg.seed), s.loss)


def test_seed_2layer_first_update_by_hand() -> None:
    t = make("seed-2layer")
    t.step()
    h = t.history
    # h = relu(0.5*2 + 0.1) = 1.1; y_pred = -0.3*1.1 + 0.2 = -0.13; loss = (-1.13)^2
    assert h.losses[0] == pytest.approx(1.2769, abs=1e-6)
    grads = {n: float(h.grads[n][0]) for n in h.names}
    # dL/dy_pred = 2*(-1.13) = -2.26; dL/dw2 = -2.26*1.1; dL/dh = -2.26*-0.3 = 0.678
    assert grads == pytest.approx({"w1": 1.356, "b1": 0.678, "w2": -2.486, "b2": -2.26},
                                  abs=1e-5)
    after = {n: float(h.params[n][1]) for n in h.names}
    assert after == pytest.approx({"w1": 0.5 - 0.1 * 1.356, "b1": 0.1 - 0.1 * 0.678,
                                   "w2": -0.3 + 0.1 * 2.486, "b2": 0.2 + 0.1 * 2.26}, abs=1e-6)


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_plain_sgd_is_exactly_before_minus_lr_grad(name: str) -> None:
    t = make(name, batch_size=8)
    t.run(5)
    h = t.history
    for row_step in range(1, 6):
        for row in update_rows(h, row_step):  # after == before - lr * grad, bit for bit
            assert np.array_equal(row.after, sgd_check(row, t.config))
            np.testing.assert_allclose(row.after, row.before - t.config.lr * row.grad,
                                       rtol=1e-6, atol=1e-7)


def _plain_loop(t: Trainer, steps: int) -> dict[str, np.ndarray]:
    """The generated training code, run as plain Python on the same data (the oracle)."""
    ns: dict = {"x": t.data["x"], "y": t.data["y"]}
    code = training_code(t, steps, NETWORKS[t.config.network].code(t.config.settings))
    exec(compile(code, "<loop>", "exec"), ns)  # noqa: S102 - ours
    if "layers" in ns:
        return {n: p.detach().numpy() for n, p in
                (("layers." + k, v) for k, v in ns["layers"].named_parameters())}
    return {n: ns[n].detach().numpy() for n in t.history.names}


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("name", ["seed-2layer", "classifier", "linear", "xor"])
def test_matches_torch_optim_and_the_generated_code(name: str, optimizer: str) -> None:
    t = make(name, optimizer=optimizer, batch_size=16 if name == "classifier" else 0,
             clip=1.0 if optimizer == "adam" else None)
    t.run(20)
    plain = _plain_loop(make(name, optimizer=optimizer,
                             batch_size=16 if name == "classifier" else 0,
                             clip=1.0 if optimizer == "adam" else None), 20)
    for n in t.history.names:
        np.testing.assert_allclose(t.history.params[n][-1], plain[n], rtol=1e-6, atol=1e-7)


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    a, b, c = make("classifier"), make("classifier"), make("classifier", seed=1)
    for t in (a, b, c):
        t.run(10)
    assert a.history.losses == b.history.losses
    assert a.history.losses != c.history.losses


def test_forgetting_zero_grad_piles_gradients_up() -> None:
    fresh, pile = make("linear"), make("linear", zero_grad=False)
    fresh.run(2)
    pile.run(2)
    # without zero_grad the second step's grad = first grad + the new one
    g_new = fresh.history.grads["w"][1]
    assert pile.history.grads["w"][1] == pytest.approx(pile.history.grads["w"][0] + g_new,
                                                       rel=0.2)
    assert abs(pile.history.grads["w"][1]) > abs(fresh.history.grads["w"][1])


def test_clipping_records_norm_and_limits_grads() -> None:
    t = make("seed-2layer", clip=0.5)
    t.step()
    g = np.array([float(t.history.grads[n][0]) for n in t.history.names])
    assert t.history.norms[0] == pytest.approx(float(np.sqrt(1.356**2 + 0.678**2 + 2.486**2
                                                             + 2.26**2)), rel=1e-5)
    assert np.linalg.norm(g) == pytest.approx(0.5, rel=1e-4)


def test_adam_state_is_recorded() -> None:
    t = make("xor", optimizer="adam")
    t.run(3)
    state = t.history.state[-1]["layers.0.weight"]
    assert set(state) == {"step", "exp_avg", "exp_avg_sq"} and float(state["step"]) == 3


def test_step_capture_and_replay_are_the_same_trace() -> None:
    t = make("classifier", batch_size=16)
    first = t.step(capture=True)
    t.run(3)
    assert t.replay(1).to_dict() == first.to_dict()
    leaves = {n.name for n in first.leaves()}
    assert {"layers.0.weight", "layers.0.bias"} <= leaves
    # the captured gradients are the ones the optimizer used
    w = next(n for n in first.leaves() if n.name == "layers.0.weight")
    np.testing.assert_array_equal(np.array(w.grad.data, dtype=np.float32),
                                  t.history.grads["layers.0.weight"][0])


def test_history_json_contract() -> None:
    t = make("seed-2layer")
    t.run(2)
    d = t.history.to_dict("seed-2layer")
    assert d["network"] == "seed-2layer" and [s["step"] for s in d["steps"]] == [1, 2]
    assert set(d["steps"][0]) >= {"step", "loss", "params_before", "grads", "params_after"}


def test_cli_train_json() -> None:
    r = subprocess.run([sys.executable, "-m", "graphviz_tools", "train", "--network",
                        "seed-2layer", "--steps", "3", "--lr", "0.1", "--optimizer", "sgd",
                        "--seed", "0", "--json"], capture_output=True, text=True, timeout=120,
                       check=False)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    s = d["steps"][0]
    for n in s["grads"]:
        assert s["params_after"][n] == pytest.approx(s["params_before"][n] - 0.1 * s["grads"][n],
                                                     abs=1e-7)
    bad = subprocess.run([sys.executable, "-m", "graphviz_tools", "train", "--network", "nope",
                          "--steps", "1"], capture_output=True, text=True, timeout=120,
                         check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.parametrize("name", DATASETS)
def test_datasets_are_seeded_and_balanced(name: str) -> None:
    x1, y1 = generate(name, 100, 0.1, seed=3)
    x2, _ = generate(name, 100, 0.1, seed=3)
    assert np.array_equal(x1, x2) and x1.shape == (100, 2) and set(y1.tolist()) == {0, 1}


def test_csv_upload_validation() -> None:
    x, y = parse_csv(b"x1,x2,label\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n")
    assert x.shape == (4, 2) and y.tolist() == [0, 1, 1, 0]
    bad = [b"x1,x2,label\n0,0,0\n", b"\xff\xfe\x00", b"0,0,0\n1,1,2\n0,1,1\n1,0,0\n",
           b"0,0,0\n1,1,0\n0,1,0\n1,0,0\n", b"a,b\n1,2\n3,4\n5,6\n7,8\n", b"0," * 200_000,
           # finite as Python floats, inf in float32 (the dtype the network trains in)
           b"0,0,0\n1,1,1\n0,1,1\n1e300,0.5,1\n", b"0,0,0\n1,1,1\n0,1,1\n-4e38,0.5,1\n"]
    for raw in bad:
        with pytest.raises(ProgramError):
            parse_csv(raw)


def test_figures_build_for_every_network() -> None:
    for name in NETWORKS:
        t = make(name)
        t.run(30)
        net = NETWORKS[name]
        fig = boundary_figure(t) if net.task == "classification" else fit_figure(t)
        assert fig["frames"] and fig["frames"][-1]["name"] == "30"
        assert network_figure(t, 30)["data"]
    assert landscape_figure(make("linear")) is not None
    assert landscape_figure(make("classifier")) is None

