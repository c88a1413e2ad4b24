"""Training episodes and the stage figure: frames are the History's numbers and
PyTorch's activations, the same every time, and small enough to ship."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from backprop.train.diagnose import diagnose
from backprop.train.episode import GRID, UNIT_GRID, Episode, frame_steps, quantise
from backprop.train.stage_figure import stage_figure
from backprop.train.training import TrainConfig, Trainer
from examples.networks import NETWORKS, RECIPES, NetSettings

CHUNK = 300  # ui.net_stage.CHUNK (the page's first chunk); the engine does not import ui


def classifier(dataset: str = "moons", hidden: int | None = None, activation: str = "",
               optimizer: str = "", lr: float = 0.0, seed: int = 0) -> Trainer:
    r = RECIPES[dataset]
    s = NetSettings(hidden if hidden is not None else r.hidden_layers, r.units,
                    activation or r.activation, "bce", dataset, 200, r.noise)
    cfg = TrainConfig("classifier", optimizer or r.optimizer, lr or r.lr, 0, seed, None,
                      True, s)
    net = NETWORKS["classifier"]
    return Trainer(cfg, net.build(s, seed), net.data(s, seed), "bce")


def network(name: str) -> Trainer:
    net = NETWORKS[name]
    s = net.defaults
    cfg = TrainConfig(name, net.optimizer, net.lr, 0, 0, None, True, s)
    return Trainer(cfg, net.build(s, 0), net.data(s, 0), s.loss)


def size(fig: dict) -> int:
    return len(json.dumps(fig, separators=(",", ":"), ensure_ascii=False).encode())


def test_frame_steps_are_dense_early_and_keep_both_ends() -> None:
    steps = frame_steps(0, 1000)
    assert steps[:11] == list(range(11))  # every step at first
    assert steps[-1] == 1000 and steps == sorted(set(steps))
    gaps = np.diff(steps)
    assert list(gaps) == sorted(gaps)  # sparser later, never denser
    assert len(steps) <= 80
    assert frame_steps(300, 600)[0] == 300 and frame_steps(300, 600)[-1] == 600
    assert frame_steps(0, 7) == list(range(8))


def test_frames_are_the_historys_numbers_and_pytorchs_activations() -> None:
    tr = classifier(hidden=1)
    tr.run(40)
    h = tr.history
    ep = Episode(tr)
    frames = ep.frames()
    assert [f.step for f in frames] == frame_steps(0, 40)
    gx, gy = ep.geometry.unit_axes
    pts = torch.cartesian_prod(torch.from_numpy(gy), torch.from_numpy(gx))[:, [1, 0]]
    for f in frames:
        k = f.step
        if k:
            assert (f.loss, f.test_loss, f.accuracy) == (h.losses[k - 1], h.test_losses[k - 1],
                                                         h.accuracy[k - 1])
        w1 = h.params["layers.0.weight"][k]
        assert np.array_equal(f.weights[0], w1)
        assert np.array_equal(f.weights[1], h.params["layers.1.weight"][k])
        # each hidden unit: tanh(x @ W1.T + b1), computed here with plain PyTorch
        act = torch.tanh(pts @ torch.from_numpy(w1).T
                         + torch.from_numpy(h.params["layers.0.bias"][k]))  # (n, units)
        for j, grid in enumerate(f.units):
            want = quantise(act[:, j].reshape(UNIT_GRID, UNIT_GRID).numpy())
            assert np.abs(grid.astype(int) - want).max() <= 1  # rounding at a boundary
        p = tr.predict_at(k, torch.cartesian_prod(torch.from_numpy(ep.geometry.axes[1]),
                                                  torch.from_numpy(ep.geometry.axes[0]))
                          [:, [1, 0]])
        assert np.array_equal(f.output, quantise(2 * p.reshape(GRID, GRID).numpy() - 1))


def text(frame: dict) -> str:
    return " ".join([frame["explain"]["head"], *frame["explain"]["body"]])


def cells(letters: str) -> list[int]:
    """A frame's grid as the painter reads it: one letter per cell, "A" = 0."""
    return [ord(c) - ord("A") for c in letters]


def test_figure_frames_carry_the_numbers_and_text() -> None:
    tr = classifier()
    tr.run(30)
    ep = Episode(tr)
    fig = stage_figure(ep, 0, "en")
    # Plotly draws the static part once (the page hands it to the player unchecked)
    go.Figure({"data": fig["data"], "layout": fig["layout"]})
    names = [f["name"] for f in fig["frames"]]
    assert names == [str(s) for s in frame_steps(0, 30)]
    last = fig["frames"][-1]
    assert last["explain"]["head"] == "Step 30 of 30"  # plain text: no markup
    assert f"{tr.history.losses[-1]:.4g}" in text(last) and "test accuracy" in text(last)
    assert last["net"]["l"] == round(tr.history.losses[-1], 5)
    assert last["net"]["tl"] == round(tr.history.test_losses[-1], 5)
    f = ep.frames()[-1]
    assert cells(last["net"]["o"]) == f.output.ravel().tolist()  # the boundary, as is
    assert [cells(u) for u in last["net"]["u"][:-1]] == [u.ravel().tolist() for u in f.units]
    assert [len(w) for w in last["net"]["w"]] == [w.size for w in f.weights]
    assert fig["meta"]["start"] == 0 and fig["meta"]["painter"] == "net"  # opens on step 0
    assert fig["frames"][0]["explain"]["head"].startswith("Step 0")


def test_frames_carry_only_what_changes() -> None:
    tr = classifier()
    tr.run(100)
    fig = stage_figure(Episode(tr), 0, "en")
    # the loss so far is the earlier frames' losses: no frame repeats them
    assert all(isinstance(f["net"]["l"], (float, type(None))) for f in fig["frames"])
    assert all(f["data"] == [] and f["traces"] == [] for f in fig["frames"])
    assert "<" not in json.dumps([f["explain"] for f in fig["frames"]])  # no markup


def test_same_data_says_on_the_training_data() -> None:
    tr = network("xor")
    tr.run(5)
    fig = stage_figure(Episode(tr), 0, "en")
    assert "on the training data" in text(fig["frames"][-1])
    assert "test" not in text(fig["frames"][-1])
    bn = text(stage_figure(Episode(tr), 0, "bn")["frames"][-1])
    assert "ট্রেনিং ডেটায়" in bn


def test_bengali_digits_on_axes_and_in_the_explanation() -> None:
    tr = classifier()
    tr.run(20)
    fig = stage_figure(Episode(tr), 0, "bn", native=True)
    words = text(fig["frames"][-1])
    assert "২০" in words and not any(c.isascii() and c.isdigit() for c in words)
    for axis in ("xaxis2", "yaxis2", "xaxis3", "yaxis3"):
        ticks = fig["layout"][axis]["ticktext"]
        assert ticks and not any(c.isascii() and c.isdigit() for t in ticks for c in t)
    assert [f["name"] for f in fig["frames"]][-1] == "20"  # names stay as they are
    plain = stage_figure(Episode(tr), 0, "bn")  # the digits switch off: ASCII digits
    assert "20" in text(plain["frames"][-1])


@pytest.mark.parametrize("name", ["seed-2layer", "linear"])
def test_regression_networks_get_a_curve(name: str) -> None:
    tr = network(name)
    tr.run(20)
    fig = stage_figure(Episode(tr), 0, "en")
    go.Figure({"data": fig["data"], "layout": fig["layout"]})
    curve = fig["frames"][-1]["net"]["o"]
    xs = torch.tensor(fig["meta"]["curve_x"], dtype=torch.float32)
    want = tr.predict_at(20, xs).numpy()
    assert np.allclose(curve, want, atol=2e-3)  # x rounded to 3 decimals for the wire


def test_deterministic() -> None:
    a, b = classifier(), classifier()
    a.run(60)
    b.run(60)
    assert json.dumps(stage_figure(Episode(a), 10)) == json.dumps(stage_figure(Episode(b), 10))


@pytest.mark.parametrize("hidden", [None, 3])  # the default net, and the largest (3 x 8)
def test_a_1000_step_episode_is_under_1_5_mb(hidden: int | None) -> None:
    tr = classifier("spiral", hidden=hidden)
    tr.run(1000)
    assert size(stage_figure(Episode(tr), 0)) <= 1.5 * 1024 * 1024


@pytest.mark.parametrize("dataset", list(RECIPES))
def test_every_dataset_fits_in_the_first_chunk(dataset: str) -> None:
    tr = classifier(dataset)
    tr.run(CHUNK)
    assert tr.history.accuracy[-1] >= 0.9
    assert diagnose(tr) == []  # a healthy run raises no alarm


def test_stuck_runs_are_named() -> None:
    huge = classifier(optimizer="sgd", lr=1e30)  # saturates every tanh: loss explodes
    huge.run(5)
    assert {k for k, _ in diagnose(huge)} == {"stuck.diverging", "stuck.dead"}
    nan = classifier(optimizer="sgd", lr=float("inf"))
    nan.run(5)
    assert [k for k, _ in diagnose(nan)] == ["stuck.nan"]
    flat = classifier(optimizer="sgd", lr=1e-6)
    flat.run(150)
    assert "stuck.plateau" in [k for k, _ in diagnose(flat)]
    dead = classifier(hidden=1, activation="relu", optimizer="sgd", lr=0.1)
    with torch.no_grad():
        dead.model.layers[0].bias[:3] = -50.0  # three ReLUs at zero for every point
    dead.run(2)
    found = dict(diagnose(dead))
    assert found["stuck.dead"]["n"] == 3 and found["stuck.dead"]["units"] == "h1[1], h1[2], h1[3]"


@pytest.mark.parametrize("name", ["seed-2layer", "linear"])
def test_a_diverging_run_still_has_a_stage(name: str) -> None:
    """lr 1.0, momentum, zero_grad forgotten: the loss goes NaN; the stage still draws
    (NaN cells in the middle colour), as strict JSON."""
    import json

    from backprop.train.stage_figure import stage_figure
    from backprop.train.training import TrainConfig, Trainer
    from examples.networks import NETWORKS

    net = NETWORKS[name]
    cfg = TrainConfig(network=name, optimizer="momentum", lr=1.0, zero_grad=False,
                      settings=net.defaults)
    tr = Trainer(cfg, net.build(net.defaults, 0), net.data(net.defaults, 0), net.defaults.loss)
    tr.run(300)
    assert tr.history.losses[-1] != tr.history.losses[-1]  # NaN: it did diverge
    json.dumps(stage_figure(Episode(tr), 0, "bn"), allow_nan=False)
