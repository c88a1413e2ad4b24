"""Is a run stuck? Plain checks on the History and the hidden units, each a catalog
key (`stuck.*`) with what to try; the page only shows them."""

from __future__ import annotations

import math

import numpy as np
import torch

from backprop.train.training import Trainer

PLATEAU_WINDOW = 100  # steps the loss has to stay flat for
PLATEAU_CHANGE = 0.01  # relative change over the window counted as flat
GOOD_ACCURACY = 0.9  # a flat loss with an accuracy this high is a finished run
EXPLODE_FACTOR = 10.0  # loss this many times the first step's: diverging


def diagnose(tr: Trainer) -> list[tuple[str, dict[str, object]]]:
    """(catalog key, params) for each problem found; [] when the run looks healthy."""
    h = tr.history
    if not h.steps:
        return []
    if not all(math.isfinite(v) for v in h.losses[-5:]):
        return [("stuck.nan", {"step": next(k + 1 for k, v in enumerate(h.losses)
                                            if not math.isfinite(v))})]
    found: list[tuple[str, dict[str, object]]] = []
    if h.steps >= 5 and h.losses[-1] > EXPLODE_FACTOR * max(h.losses[0], 1e-6):
        found.append(("stuck.diverging", {"lr": tr.config.lr}))
    dead = dead_units(tr)
    if dead:
        found.append(("stuck.dead", {"n": len(dead), "units": ", ".join(dead)}))
    acc = h.accuracy[-1]
    if h.steps > PLATEAU_WINDOW and (acc is None or acc < GOOD_ACCURACY):
        before, now = h.losses[-PLATEAU_WINDOW - 1], h.losses[-1]
        if abs(before - now) <= PLATEAU_CHANGE * max(abs(before), 1e-9) and now > 1e-3:
            found.append(("stuck.plateau", {"steps": PLATEAU_WINDOW, "loss": f"{now:.3g}"}))
    return found


@torch.no_grad()
def dead_units(tr: Trainer) -> list[str]:
    """Hidden units whose activation is the same for every training point (a ReLU at
    zero everywhere, or a saturated tanh/sigmoid): their gradient is zero, they
    stopped learning. Named like the taps: h1[3]."""
    _, taps = tr.model(tr.data["x"])
    dead = []
    for name, v in taps.items():
        if name in ("logits", "y_pred"):
            continue
        v = v.reshape(len(tr.data["x"]), -1).numpy()  # (N, units)
        if len(v) < 2:
            continue  # one data point: every unit is "constant"
        spread = np.ptp(v, axis=0)
        for j in np.flatnonzero(spread < 1e-6):
            dead.append(name if v.shape[1] == 1 else f"{name}[{j + 1}]")
    return dead
