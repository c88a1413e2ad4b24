"""The optimizer race (issue 17): its cost against one run, and its playback size."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

import torch

from bench.timing import row

KB = 1024


def cpu_s(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median CPU seconds of this process: on a machine shared with other jobs, wall
    time mostly measures the neighbours; with one thread, CPU time is the work."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def race(rows: list, quick: bool) -> None:
    """4 optimizers x 1,000 steps on the classifier vs one 1,000-step run (the mean of
    each optimizer run alone, as the stage runs it: racing costs no more than running
    them one by one), and vs one SGD run; the playback figure's JSON. One intra-op
    thread, as the envelope's workers run."""
    from backprop.train.race import Racer, run_race
    from backprop.train.race_figures import race_figure
    from backprop.train.training import TrainConfig, Trainer
    from examples.networks import NETWORKS

    net, steps = NETWORKS["classifier"], 100 if quick else 1000
    s = net.defaults
    base = TrainConfig("classifier", "sgd", net.lr, 0, 0, settings=s)
    racers = (Racer("sgd", 0.1), Racer("momentum", 0.1), Racer("adam", 0.01),
              Racer("rmsprop", 0.01))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        def alone(r: Racer) -> None:  # the run the stage makes (test loss every step)
            cfg = TrainConfig("classifier", r.optimizer, r.lr, 0, 0, settings=s)
            Trainer(cfg, net.build(s, 0), net.data(s, 0), s.loss).run(steps)

        def four() -> object:
            return run_race(base, racers, net.build(s, 0), net.data(s, 0), s.loss, steps)
        repeat = 1 if quick else 5
        singles = [cpu_s(lambda r=r: alone(r), repeat=repeat, warmup=1) for r in racers]
        t_race = cpu_s(four, repeat=repeat, warmup=1)
        done = four()
        t_fig = cpu_s(lambda: race_figure(done, "classification", "layers.0.weight"),
                      repeat=1 if quick else 3, warmup=0)
    finally:
        torch.set_num_threads(threads)
    one = sum(singles) / len(singles)  # one run: the mean over the four optimizers
    rows.append(row(f"race: 4 optimizers x {steps} steps / one run ({one:.2f} s)",
                    f"{t_race / one:.2f}x", "<= 4x", t_race / one <= 4))
    rows.append(row(f"race / one SGD run ({singles[0]:.2f} s)", f"{t_race / singles[0]:.2f}x",
                    "", None))
    rows.append(row("race + its playback figure / one run", f"{(t_race + t_fig) / one:.2f}x",
                    "", None))
    size = len(json.dumps(race_figure(done, "classification", "layers.0.weight"),
                          separators=(",", ":"), ensure_ascii=False).encode())
    rows.append(row(f"race playback JSON (4 x {steps} steps, classifier)",
                    f"{size / KB / KB:.2f} MB", "<= 3 MB", size <= 3 * KB * KB))
