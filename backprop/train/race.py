"""Optimizer race and time travel: several optimizers from one start, and branches.

A race trains 2-4 copies of one network, each with its own optimizer and learning
rate, from the same initial weights and on the same batches in the same order: every
racer's minibatch generator is seeded by the run's seed alone, and nothing else draws
from it. A branch replays a run's past by its seed up to step k, captures the weights,
the torch.optim state_dict and the batch generator there (a Checkpoint), and continues
from that point with another learning rate or optimizer.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import torch
from torch import nn

from backprop.core.errors import ProgramError
from backprop.train.optimizers import OPTIMIZERS
from backprop.train.training import History, TrainConfig, Trainer

MIN_RACERS, MAX_RACERS = 2, 4


@dataclass(frozen=True)
class Racer:
    """One contestant: an optimizer name (optimizers.OPTIMIZERS) and its learning rate."""

    optimizer: str
    lr: float

    def check(self) -> Racer:
        if self.optimizer not in OPTIMIZERS:
            raise ProgramError("optimizer", name=self.optimizer, names=", ".join(OPTIMIZERS))
        if not (isinstance(self.lr, int | float) and math.isfinite(self.lr) and self.lr > 0):
            raise ProgramError("lr", value=self.lr)
        return self


class RaceTrainer(Trainer):
    """A Trainer that skips the per-step test-set pass: a race compares training loss,
    and four evaluations per step would cost more than the race itself allows."""

    def evaluate(self) -> tuple[float | None, float | None]:  # type: ignore[override]
        return None, None


@dataclass
class Race:
    """The runs shown together. For a branch: (original, branch) and `branch_at`."""

    racers: tuple[Racer, ...]
    trainers: list[Trainer]
    branch_at: int | None = None

    @property
    def histories(self) -> list[History]:
        return [tr.history for tr in self.trainers]

    @property
    def steps(self) -> int:
        return min(h.steps for h in self.histories)


def _trainer(base: TrainConfig, racer: Racer, model: nn.Module, data: dict[str, torch.Tensor],
             loss: str) -> Trainer:
    # a deep copy each: the same initial weights, no parameter shared between racers
    return RaceTrainer(replace(base, optimizer=racer.optimizer, lr=racer.lr),
                       copy.deepcopy(model), data, loss)


Runner = Callable[[Trainer, int], Trainer]  # trains n more steps; may return a copy


def run_here(tr: Trainer, steps: int) -> Trainer:
    """The default runner: train in this process (the CLI and tests; the pages pass
    one that trains in envelope workers, chunk by chunk)."""
    tr.run(steps)
    return tr


def run_race(base: TrainConfig, racers: tuple[Racer, ...], model: nn.Module,
             data: dict[str, torch.Tensor], loss: str, steps: int,
             run: Runner = run_here) -> Race:
    """Train every racer `steps` steps from `model`'s weights (the model is not touched)."""
    if not MIN_RACERS <= len(racers) <= MAX_RACERS:
        raise ProgramError("race_count", n=len(racers), low=MIN_RACERS, high=MAX_RACERS)
    racers = tuple(r.check() for r in racers)
    trainers = [run(_trainer(base, r, model, data, loss), steps) for r in racers]
    return Race(racers, trainers)


@dataclass(frozen=True)
class Checkpoint:
    """Everything a run needs to go on from step `step` exactly as it would have."""

    step: int
    optimizer: str
    weights: dict[str, torch.Tensor]  # model.state_dict(), cloned
    optim_state: dict  # torch.optim state_dict, deep-copied (momentum buffer, m, v, s, t)
    batch_rng: torch.Tensor  # the minibatch generator's state


def capture(tr: Trainer) -> Checkpoint:
    """The trainer's state after its last step."""
    return Checkpoint(tr.history.steps, tr.config.optimizer,
                      {k: v.detach().clone() for k, v in tr.model.state_dict().items()},
                      copy.deepcopy(tr.opt.state_dict()), tr.gen.get_state())


def resume(cp: Checkpoint, config: TrainConfig, model: nn.Module,
           data: dict[str, torch.Tensor], loss: str) -> Trainer:
    """A fresh trainer that starts where `cp` left off, with `config`'s optimizer and lr.

    The same optimizer keeps its state (only the learning rate changes); another
    optimizer starts with empty state, as a newly made torch.optim object does."""
    model = copy.deepcopy(model)
    model.load_state_dict(cp.weights)
    tr = RaceTrainer(config, model, data, loss)
    if config.optimizer == cp.optimizer:
        tr.opt.load_state_dict(cp.optim_state)
        for group in tr.opt.param_groups:  # load_state_dict brought the old lr back
            group["lr"] = config.lr
    tr.gen.set_state(cp.batch_rng)
    return tr


def join(past: History, at: int, future: History) -> History:
    """The first `at` steps of `past` followed by `future` (which starts at step `at`)."""
    h = History(list(past.names))
    for name in ("losses", "test_losses", "accuracy", "state", "norms", "batches"):
        setattr(h, name, getattr(past, name)[:at] + getattr(future, name))
    for n in past.names:
        h.params[n] = past.params[n][:at + 1] + future.params[n][1:]
        h.grads[n] = past.grads[n][:at] + future.grads[n]
    return h


def run_branch(base: TrainConfig, original: Racer, at: int, branch: Racer, model: nn.Module,
               data: dict[str, torch.Tensor], loss: str, steps: int,
               original_run: Trainer | None = None, run: Runner = run_here) -> Race:
    """The original run (`steps` steps) and a branch from its step `at` with `branch`'s
    optimizer and lr. The branch's past is the original's, replayed by the same seed."""
    original, branch = original.check(), branch.check()
    if not 0 <= at <= steps:
        raise ProgramError("branch_at", steps=steps)
    if original_run is None:
        original_run = run(_trainer(base, original, model, data, loss), steps)
    # replay: same seed, same start, same batches -> the same first `at` steps
    past = run(_trainer(base, original, model, data, loss), at)
    cp = capture(past)
    future = resume(cp, replace(base, optimizer=branch.optimizer, lr=branch.lr), model, data,
                    loss)
    future = run(future, steps - at)
    # the branch trainer's own history covers steps at..N; show the whole timeline
    future.history = join(past.history, at, future.history)
    return Race((original, branch), [original_run, future], branch_at=at)


def race_dict(race: Race, network: str) -> dict:
    """The race (or branch) JSON: per run its optimizer, lr and the train JSON's steps.

    A branch's own steps start after `branch_at`; before that it is the original."""
    runs = []
    for racer, tr in zip(race.racers, race.trainers, strict=True):
        steps = tr.history.to_dict(network)["steps"]
        runs.append({"optimizer": racer.optimizer, "lr": racer.lr, "steps": steps})
    if race.branch_at is None:
        return {"network": network, "racers": runs}
    runs[1]["steps"] = runs[1]["steps"][race.branch_at:]
    return {"network": network, "branch_at": race.branch_at, "original": runs[0],
            "branch": runs[1]}
