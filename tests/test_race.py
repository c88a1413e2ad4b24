"""Optimizer race and branches: torch.optim is the oracle, bit for bit."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812

from backprop.train.optimizers import OPTIMIZERS
from backprop.train.race import Racer, run_branch, run_race
from backprop.train.training import TrainConfig, Trainer
from examples.networks import NETWORKS
from graphviz_tools import ProgramError

MAKE = {"sgd": lambda p, lr: torch.optim.SGD(p, lr=lr),
        "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
        "adam": lambda p, lr: torch.optim.Adam(p, lr=lr),
        "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr)}
LRS = {"sgd": 0.1, "momentum": 0.05, "adam": 0.01, "rmsprop": 0.003}


def setup(name: str = "classifier", batch_size: int = 16, seed: int = 3):  # noqa: ANN201
    net = NETWORKS[name]
    s = net.defaults
    base = TrainConfig(name, "sgd", net.lr, batch_size, seed, settings=s)
    return base, net.build(s, seed), net.data(s, seed), s.loss


def reference(model: torch.nn.Module, data: dict, opt_name: str, lr: float, steps: int,
              seed: int, batch_size: int, state: dict | None = None,
              rng: torch.Tensor | None = None) -> tuple[list[list[torch.Tensor]], dict,
                                                         torch.Tensor]:
    """A plain PyTorch training loop (bce classifier): the oracle. Returns the
    parameters after each step (index 0: the start), the optimizer's state_dict and
    the batch generator's state at the end."""
    params = list(model.parameters())
    opt = MAKE[opt_name](params, lr)
    if state is not None:  # a fresh run from a captured step: load, then the new lr
        opt.load_state_dict(state)
        for g in opt.param_groups:
            g["lr"] = lr
    gen = torch.Generator().manual_seed(seed)
    if rng is not None:
        gen.set_state(rng)
    x, y = data["x"], data["y"]
    out = [[p.detach().clone() for p in params]]
    for _ in range(steps):
        idx = torch.randperm(len(x), generator=gen)[:batch_size]
        opt.zero_grad()
        pred, _ = model(x[idx])
        F.binary_cross_entropy_with_logits(pred, y[idx].float()).backward()
        opt.step()
        out.append([p.detach().clone() for p in params])
    return out, copy.deepcopy(opt.state_dict()), gen.get_state()


def params_of(tr: Trainer, step: int) -> list[torch.Tensor]:
    return [torch.from_numpy(tr.history.params[n][step]) for n in tr.history.names]


def assert_same(a: list[torch.Tensor], b: list[torch.Tensor]) -> None:
    assert len(a) == len(b)
    for u, v in zip(a, b, strict=True):
        assert torch.equal(u, v)  # bit for bit, not approximately


def test_racers_start_equal_and_see_the_same_batches() -> None:
    base, model, data, loss = setup()
    race = run_race(base, tuple(Racer(o, LRS[o]) for o in OPTIMIZERS), model, data, loss, 12)
    first = race.trainers[0]
    for tr in race.trainers[1:]:
        assert_same(params_of(tr, 0), params_of(first, 0))
        assert all(np.array_equal(a, b) for a, b in zip(tr.history.batches,
                                                         first.history.batches, strict=True))
        # different optimizers really do move differently from there
        assert not np.array_equal(tr.history.params["layers.0.weight"][12],
                                  first.history.params["layers.0.weight"][12])
    assert len({b.tobytes() for b in first.history.batches}) > 1  # minibatches vary
    assert_same(params_of(first, 0), [p.detach() for p in model.parameters()])  # untouched


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
def test_each_racer_is_a_run_alone_and_is_torch_optim(opt: str) -> None:
    base, model, data, loss = setup()
    race = run_race(base, (Racer(opt, LRS[opt]), Racer("sgd", 0.3)), model, data, loss, 25)
    racer = race.trainers[0]
    alone = Trainer(TrainConfig("classifier", opt, LRS[opt], 16, 3, settings=base.settings),
                    copy.deepcopy(model), data, loss)
    alone.run(25)
    plain, _, _ = reference(copy.deepcopy(model), data, opt, LRS[opt], 25, 3, 16)
    for k in range(26):
        assert_same(params_of(racer, k), params_of(alone, k))
        assert_same(params_of(racer, k), plain[k])
    assert racer.history.losses == alone.history.losses


@pytest.mark.parametrize(("orig", "new", "lr"), [("adam", "adam", 0.05),
                                                 ("momentum", "momentum", 0.2),
                                                 ("rmsprop", "sgd", 0.5)])
def test_branch_is_the_original_then_a_fresh_run_from_step_k(orig: str, new: str,
                                                             lr: float) -> None:
    base, model, data, loss = setup()
    k, n = 9, 20
    race = run_branch(base, Racer(orig, LRS[orig]), k, Racer(new, lr), model, data, loss, n)
    original, branch = race.trainers
    assert race.branch_at == k and branch.history.steps == n
    for step in range(k + 1):
        assert_same(params_of(branch, step), params_of(original, step))
    assert branch.history.losses[:k] == original.history.losses[:k]
    # the oracle: plain loop to k, its state_dict and generator, then a fresh model and
    # a fresh optimizer loaded from them (the same optimizer keeps its state)
    past, state, rng = reference(copy.deepcopy(model), data, orig, LRS[orig], k, 3, 16)
    fresh = copy.deepcopy(model)
    with torch.no_grad():
        for p, v in zip(fresh.parameters(), past[k], strict=True):
            p.copy_(v)
    future, _, _ = reference(fresh, data, new, lr, n - k, 3, 16,
                             state if new == orig else None, rng)
    for j in range(n - k + 1):
        assert_same(params_of(branch, k + j), future[j])
    assert not np.array_equal(branch.history.params["layers.2.weight"][n],
                              original.history.params["layers.2.weight"][n])


def test_adam_step_count_goes_on_after_a_branch() -> None:
    base, model, data, loss = setup()
    race = run_branch(base, Racer("adam", 0.01), 5, Racer("adam", 0.001), model, data, loss, 8)
    steps = [int(s["layers.0.weight"]["step"]) for s in race.trainers[1].history.state]
    assert steps == list(range(1, 9))  # bias correction continues from t = 5


def test_branch_at_zero_and_at_the_end() -> None:
    base, model, data, loss = setup("linear", batch_size=0)
    a = run_branch(base, Racer("sgd", 0.1), 0, Racer("adam", 0.1), model, data, loss, 6)
    alone = run_race(base, (Racer("adam", 0.1), Racer("sgd", 0.1)), model, data, loss, 6)
    assert_same(params_of(a.trainers[1], 6), params_of(alone.trainers[0], 6))
    b = run_branch(base, Racer("sgd", 0.1), 6, Racer("adam", 0.1), model, data, loss, 6)
    assert_same(params_of(b.trainers[1], 6), params_of(b.trainers[0], 6))


def test_bad_races_are_clear_errors() -> None:
    base, model, data, loss = setup("linear", batch_size=0)
    with pytest.raises(ProgramError, match="2 to 4"):
        run_race(base, (Racer("sgd", 0.1),), model, data, loss, 3)
    with pytest.raises(ProgramError, match="Unknown optimizer"):
        run_race(base, (Racer("sgd", 0.1), Racer("lbfgs", 0.1)), model, data, loss, 3)
    with pytest.raises(ProgramError, match="positive"):
        run_race(base, (Racer("sgd", 0.1), Racer("adam", float("inf"))), model, data, loss, 3)
    with pytest.raises(ProgramError, match="between 0"):
        run_branch(base, Racer("sgd", 0.1), 7, Racer("sgd", 1.0), model, data, loss, 6)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graphviz_tools", "train", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_compare_json() -> None:
    out = cli("--network", "linear", "--steps", "4", "--compare", "sgd,adam:0.01", "--json")
    assert out.returncode == 0, out.stderr
    race = json.loads(out.stdout)
    assert race["network"] == "linear"
    assert [(r["optimizer"], r["lr"]) for r in race["racers"]] == [("sgd", 0.1), ("adam", 0.01)]
    for r in race["racers"]:
        assert [s["step"] for s in r["steps"]] == [1, 2, 3, 4]
        assert {"step", "loss", "params_before", "grads", "params_after"} <= set(r["steps"][0])
    a, b = (r["steps"][0]["params_before"] for r in race["racers"])
    assert a == b  # one start
    single = json.loads(cli("--network", "linear", "--steps", "4", "--optimizer", "adam",
                            "--lr", "0.01", "--json").stdout)
    assert single["steps"][-1]["params_after"] == race["racers"][1]["steps"][-1]["params_after"]


def test_cli_branch_json() -> None:
    out = cli("--network", "linear", "--steps", "6", "--branch-at", "2", "--lr", "0.5",
              "--branch-optimizer", "momentum", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["branch_at"] == 2
    assert (d["original"]["optimizer"], d["original"]["lr"]) == ("sgd", 0.1)
    assert (d["branch"]["optimizer"], d["branch"]["lr"]) == ("momentum", 0.5)
    assert [s["step"] for s in d["branch"]["steps"]] == [3, 4, 5, 6]
    assert d["branch"]["steps"][0]["params_before"] == d["original"]["steps"][2]["params_before"]
    assert d["branch"]["steps"][0]["params_after"] != d["original"]["steps"][2]["params_after"]


@pytest.mark.parametrize("args", [["--compare", "sgd"], ["--compare", "sgd,nope"],
                                  ["--compare", "sgd,adam:0"], ["--branch-at", "-1"],
                                  ["--branch-at", "2", "--lr", "inf"],
                                  ["--compare", "sgd,adam", "--branch-at", "1"]])
def test_cli_refuses_bad_input_in_one_line(args: list[str]) -> None:
    out = cli("--network", "linear", "--steps", "5", *args)
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_every_caption_rule_reproduces_torch_optim() -> None:
    """The captions' formulas (m̂, v̂, buffers, running averages) applied to the
    recorded numbers give PyTorch's own change, for every entry and step."""
    from backprop.train.race_figures import labels
    from backprop.train.race_notes import entries, note, update_of

    base, model, data, loss = setup()
    base = TrainConfig("classifier", "sgd", 0.1, 16, 3, clip=0.5, settings=base.settings)
    race = run_race(base, tuple(Racer(o, LRS[o]) for o in OPTIMIZERS), model, data, loss, 15)
    for i, h in enumerate(race.histories):
        for name, index in entries(h):
            for step in (1, 2, 15):
                assert update_of(race, i, step, name, index).agrees(), (i, name, index, step)
    names = labels(race, "en")
    adam = note(race, 2, 15, "layers.2.weight", 3, names[2])
    assert "t = 15" in adam and "m̂ = m/(1−β₁ᵗ)" in adam and adam.endswith("✓")
    first = note(race, 1, 1, "layers.0.bias", 0, names[1])
    assert "v ← g" in first  # torch.optim starts the momentum buffer at the gradient
    branch = run_branch(base, Racer("rmsprop", 0.003), 4, Racer("sgd", 0.1), model, data, loss,
                        8)
    past = note(branch, 1, 3, "layers.0.bias", 0, "b")
    assert "up to step 4" in past and "s ← 0.99·s" in past
    assert "−η·g = " in note(branch, 1, 5, "layers.0.bias", 0, "b")


def test_race_figure_frames_and_a_diverged_run() -> None:
    from backprop.train.race_figures import frame_steps, race_figure

    assert frame_steps(0, 5) == [0, 1, 2, 3, 4, 5]
    many = frame_steps(0, 1000)
    assert many[:11] == list(range(11)) and many[-1] == 1000 and len(many) <= 111
    assert frame_steps(40, 100)[0] == 40
    base, model, data, loss = setup("linear", batch_size=0)
    race = run_race(base, (Racer("sgd", 50.0), Racer("adam", 0.1)), model, data, loss, 300)
    assert np.isnan(race.histories[0].losses[-1])  # lr 50 on a line: it blows up
    fig = race_figure(race, "regression", "w")
    json.dumps(fig, allow_nan=False)  # nan is a gap (null), never invalid JSON
    assert [f["name"] for f in fig["frames"]] == [str(s) for s in frame_steps(0, 300)]
    assert sum(d["type"] == "contour" for d in fig["data"]) == 1  # one shared landscape
    marker = fig["frames"][-1]["traces"][0]
    assert fig["data"][marker]["mode"] == "markers"
    assert all(f["data"][0]["x"] == [max(int(f["name"]), 1)] for f in fig["frames"])


def test_figures_are_valid_plotly() -> None:
    """The page hands figures to Streamlit without plotly's per-rerun validation
    (ui/race.py _chart), so every kind must pass that validation here."""
    import plotly.graph_objects as go

    from backprop.train.race_figures import race_figure

    for name, task in (("linear", "regression"), ("xor", "classification")):
        base, model, data, loss = setup(name, batch_size=0)
        race = run_race(base, (Racer("sgd", 0.1), Racer("adam", 0.1)), model, data, loss, 30)
        branch = run_branch(base, Racer("sgd", 0.1), 10, Racer("momentum", 0.3), model, data,
                            loss, 30)
        for r in (race, branch):
            first = race.histories[0].names[0]
            go.Figure(race_figure(r, task, first, 0, "bn"))  # raises on any bad property


def test_the_race_loss_axis_writes_its_ticks_out() -> None:
    """A log axis's minor labels are bare digits in Plotly (0.3 reads "3"): the race's
    loss axis carries its own ticks, each a whole number like 0.2 or 0.5."""
    from backprop.draw.figdigits import log_ticks

    ticks = log_ticks([0.08, 0.7, 0.3])
    assert ticks["ticktext"] == ["0.05", "0.1", "0.2", "0.5", "1"]
    assert log_ticks([1e-5, 3.0])["ticktext"] == ["1e-05", "0.0001", "0.001", "0.01", "0.1",
                                                  "1"]  # decades only over a wide range
    assert log_ticks([float("nan"), -1.0]) == {}
