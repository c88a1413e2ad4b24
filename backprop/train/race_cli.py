"""`train --compare` (a race) and `train --branch-at` (time travel) on the command line."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from backprop.core.errors import ProgramError
from backprop.train.race import Race, Racer, race_dict, run_branch, run_race
from backprop.train.training import TrainConfig


def parse_racers(text: str, default_lr: float) -> tuple[Racer, ...]:
    """`sgd,adam:0.01` -> (Racer("sgd", default_lr), Racer("adam", 0.01)), checked."""
    racers = []
    for item in text.split(","):
        name, sep, lr = item.strip().partition(":")
        try:
            value = float(lr) if sep else default_lr
        except ValueError:
            raise ProgramError("lr", value=lr) from None
        racers.append(Racer(name.strip(), value).check())
    return tuple(racers)


def cmd_race(args: argparse.Namespace, net: Any) -> None:  # net: examples.networks.Network
    """A race of `--compare`'s optimizers, or the original run and a branch from K."""
    if args.compare is not None and args.branch_at is not None:
        raise ProgramError("race_branch")
    for value in (args.lr, args.from_lr):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise ProgramError("lr", value=value)
    s = net.defaults
    base = TrainConfig(args.network, "sgd", net.lr, args.batch_size, args.seed, args.clip,
                       not args.no_zero_grad, s)
    model, data = net.build(s, args.seed), net.data(s, args.seed)
    if args.compare is not None:
        racers = parse_racers(args.compare, net.lr if args.lr is None else args.lr)
        race = run_race(base, racers, model, data, s.loss, args.steps)
    else:
        original = Racer(args.optimizer, net.lr if args.from_lr is None else args.from_lr)
        branch = Racer(args.branch_optimizer or original.optimizer,
                       original.lr if args.lr is None else args.lr)
        race = run_branch(base, original, args.branch_at, branch, model, data, s.loss,
                          args.steps)
    if args.json:
        print(json.dumps(race_dict(race, args.network)))
        return
    _print_table(race)


def _print_table(race: Race) -> None:
    heads = [f"{r.optimizer}@{r.lr:g}" for r in race.racers]
    if race.branch_at is not None:
        heads[1] = f"branch@{race.branch_at}:{heads[1]}"
    print(f"{'step':>6}  " + "  ".join(f"{h:>22}" for h in heads))
    for k in range(race.steps):
        print(f"{k + 1:>6}  " + "  ".join(f"{h.losses[k]:>22.6g}" for h in race.histories))
