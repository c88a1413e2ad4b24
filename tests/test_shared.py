"""The cache that lets a class share work: one computation per key, bounded, refusals kept."""

from __future__ import annotations

import json
import threading
import time

import pytest

from backprop.core.errors import ProgramError
from ui.shared import SharedCache, shared


def test_concurrent_callers_share_one_computation() -> None:
    cache = SharedCache("t", max_entries=8, max_bytes=1 << 20)
    calls = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "episode"
    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("k", slow)))
               for _ in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert got == ["episode"] * 20
    assert len(calls) == 1  # 19 students waited for the first one's result


def test_refusals_are_kept_so_a_hostile_link_costs_once() -> None:
    cache = SharedCache("t", max_entries=8, max_bytes=1 << 20)
    calls = []

    def refuse() -> str:
        calls.append(1)
        raise ProgramError("too_deep", limit=60)
    for _ in range(5):
        with pytest.raises(ProgramError) as info:
            cache.get("bad", refuse)
        assert info.value.key == "too_deep"
    assert len(calls) == 1


def test_other_errors_are_not_kept() -> None:
    cache = SharedCache("t", max_entries=8, max_bytes=1 << 20)
    with pytest.raises(ZeroDivisionError):
        cache.get("k", lambda: 1 / 0)
    assert len(cache) == 0 and cache.get("k", lambda: "later") == "later"


def test_bounded_by_entries_and_bytes_least_recently_used_out() -> None:
    cache = SharedCache("t", max_entries=3, max_bytes=250)
    for k in "abc":
        cache.get(k, lambda k=k: k * 80)
    cache.get("a", lambda: "never")  # a is now the most recent
    cache.get("d", lambda: "d" * 80)  # 320 bytes > 250: b then c leave
    assert len(cache) <= 3 and cache.nbytes <= 250
    assert cache.get("a", lambda: "recomputed") == "a" * 80
    assert cache.get("b", lambda: "recomputed") == "recomputed"
    huge = "x" * 1000  # larger than the whole budget: returned, not kept
    assert cache.get("huge", lambda: huge) == huge and "huge" not in cache._items


def test_decorator_keys_by_arguments_and_records_hits(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    stats = tmp_path / "stats.jsonl"
    monkeypatch.setenv("BACKPROP_STATS", str(stats))
    calls = []

    @shared("double", max_entries=4)
    def double(x: int, *, scale: int = 2) -> int:
        calls.append(x)
        return x * scale
    assert [double(1), double(1), double(2), double(1, scale=3)] == [2, 2, 4, 3]
    assert calls == [1, 2, 1]
    lines = [json.loads(x) for x in stats.read_text().splitlines()]
    assert [x["hit"] for x in lines] == [False, True, False, False]
    assert {x["cache"] for x in lines} == {"double"}


def test_shared_training_states_equal_one_straight_run() -> None:
    """Sessions share trainer states at multiples of SHARED_EVERY steps; by determinism
    the chain (0 -> 100 -> 200 -> 250, each in the envelope) equals one plain run."""
    import pickle

    import numpy as np

    from backprop.train.training import TrainConfig
    from examples.networks import NETWORKS
    from ui.training import new_trainer, shared_state

    net = NETWORKS["classifier"]
    cfg = TrainConfig("classifier", optimizer="adam", lr=0.03, batch_size=16, seed=3,
                      settings=net.defaults)
    shared_tr = pickle.loads(shared_state(cfg, None, 250, "en"))
    again = pickle.loads(shared_state(cfg, None, 250, "en"))
    assert again is not shared_tr  # every session unpickles its own copy
    plain = new_trainer(cfg, None)
    plain.run(250)
    assert shared_tr.history.steps == plain.history.steps == 250
    assert shared_tr.history.losses == plain.history.losses
    for n in plain.params:
        assert np.array_equal(shared_tr.params[n].detach().numpy(),
                              plain.params[n].detach().numpy()), n
    # training on from a shared state is the same as training further in one go
    shared_tr.run(7)
    plain.run(7)
    assert shared_tr.history.losses == plain.history.losses


def test_refusals_can_be_left_out() -> None:
    """A cache of work that may fail for passing reasons (a `dot` killed on a busy
    server) does not keep the failure: the next caller tries again."""
    cache = SharedCache("flaky", max_entries=4, max_bytes=1000, keep_refusals=False)

    def fail() -> str:
        raise ProgramError("budget_time", seconds=8)
    with pytest.raises(ProgramError):
        cache.get("k", fail)
    assert cache.get("k", lambda: "ok") == "ok"


def test_sessions_share_one_trainer_and_the_one_that_trains_on_copies_it() -> None:
    """Two students open the same Tiny Network link: one Trainer object for both (no
    per-session unpickling, no per-session copy in memory); the one who presses Step
    trains its own copy, and the other still sees the shared run unchanged."""
    from tests.helpers import app_test

    a, b = app_test("app_pages/tiny_network.py"), app_test("app_pages/tiny_network.py")
    assert not a.exception and not b.exception
    shared_tr = b.session_state["net.trainer"]
    assert a.session_state["net.trainer"] is shared_tr
    steps = shared_tr.history.steps
    losses = list(shared_tr.history.losses)
    a.number_input(key="net.view").set_value(steps).run()  # open the last step trained,
    a.button(key="net.do_step").click().run()  # then Step trains one more
    assert not a.exception
    mine = a.session_state["net.trainer"]
    assert mine is not shared_tr and mine.history.steps == steps + 1
    assert shared_tr.history.steps == steps and shared_tr.history.losses == losses
    b.run()  # the other session, on its next rerun, still has the shared run
    assert b.session_state["net.trainer"] is shared_tr and not b.exception


def test_lab_sessions_share_one_run(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """The lab's run and its stage figure are kept in modules (a cache made in the page
    script would be new, and empty, on every rerun): a second session opening the same
    program is a cache hit for each piece of work."""
    from tests.helpers import app_test

    stats = tmp_path / "stats.jsonl"
    monkeypatch.setenv("BACKPROP_STATS", str(stats))
    query = {"preset": "tanh-neuron"}
    app_test(query=query)
    mark = len(stats.read_text().splitlines())
    app_test(query=query)
    second = [json.loads(x) for x in stats.read_text().splitlines()[mark:]]
    looked = {x["cache"] for x in second}
    assert {"lab.run", "lab.fd", "stage.figure"} <= looked
    assert all(x["hit"] for x in second), second


def test_a_wall_clock_timeout_is_never_kept() -> None:
    """budget_time says the server was busy, not that the work is too big: even a cache
    that keeps refusals tries again (a CPU budget, the program's own, is kept)."""
    cache = SharedCache("busy", max_entries=4, max_bytes=1000)

    def slow() -> str:
        raise ProgramError("budget_time", seconds=8)

    def heavy() -> str:
        raise ProgramError("budget_cpu", seconds=2)
    with pytest.raises(ProgramError):
        cache.get("k", slow)
    assert cache.get("k", lambda: "ok") == "ok"
    with pytest.raises(ProgramError):
        cache.get("j", heavy)
    with pytest.raises(ProgramError):
        cache.get("j", lambda: "never asked")


def test_no_training_yet_and_forgotten_zero_grad_survive_the_chain() -> None:
    """0 steps is a fresh trainer (no endless chain); with zero_grad() forgotten the
    gradients pile up across the shared chain's pickles as in one straight run."""
    import pickle

    from backprop.train.training import TrainConfig
    from examples.networks import NETWORKS
    from ui.training import _state, new_trainer, shared_state

    net = NETWORKS["classifier"]
    cfg = TrainConfig("classifier", optimizer="sgd", lr=0.05, zero_grad=False, seed=5,
                      settings=net.defaults)
    assert pickle.loads(_state(cfg, None, 0)).history.steps == 0
    chained = pickle.loads(shared_state(cfg, None, 150, "en"))
    plain = new_trainer(cfg, None)
    plain.run(150)
    assert chained.history.losses == plain.history.losses


def test_readers_of_a_shared_trainer_never_change_its_model() -> None:
    """Figures evaluate the model at other parameters (functional_call swaps them in
    place): from many threads at once the shared model keeps its own tensors."""
    import numpy as np
    import torch

    from backprop.train.train_figures import loss_grid
    from backprop.train.training import TrainConfig
    from examples.networks import NETWORKS
    from ui.training import new_trainer

    net = NETWORKS["linear"]
    tr = new_trainer(TrainConfig("linear", settings=net.defaults), None)
    tr.run(5)
    before = {n: p for n, p in tr.model.named_parameters()}
    values = {n: p.detach().clone() for n, p in before.items()}
    a, b = tr.history.names
    grid = np.linspace(-2, 2, 6)
    threads = [threading.Thread(target=lambda: (loss_grid(tr, a, b, grid, grid),
                                                tr.predict_at(3, torch.zeros(4, 1))))
               for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for n, p in tr.model.named_parameters():
        assert p is before[n] and torch.equal(p.detach(), values[n]), n


def test_a_stage_never_sends_nan_or_infinity() -> None:
    """The browser's JSON.parse refuses NaN/Infinity (the whole stage would be an error):
    a figure holding them goes with null there, checked and hashed once per object."""
    import json

    from ui.stage import _prepared

    fig = {"data": [{"x": [0.0, float("inf"), 2.0], "y": (float("nan"), 1.0, -float("inf"))}],
           "frames": [{"data": [{"z": [[1.0, float("nan")]]}]}], "layout": {}}
    sig, sent = _prepared(fig)
    json.dumps(sent, allow_nan=False)  # raises if anything non-finite is left
    assert sent["data"][0]["x"] == [0.0, None, 2.0] and sent["frames"][0]["data"][0]["z"] == [
        [1.0, None]]
    assert _prepared(fig) == (sig, sent) and _prepared(fig)[1] is sent  # once per object
    clean = {"data": [{"x": [1.0]}]}
    assert _prepared(clean)[1] is clean  # a finite figure goes as it is
