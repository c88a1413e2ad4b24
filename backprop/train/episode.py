"""A training episode: the steps a Trainer ran, sampled into frames for the stage.

Each frame holds what the stage shows at one step, read from PyTorch with the
parameters the model had after that step: the model's output over the plane (or its
curve), each hidden unit's activation over a small grid (TF Playground's unit
heatmaps), every weight, and the History's loss, test loss and accuracy. Values are
quantised here (integers 0..2Q), so the figure carries short numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from backprop.train.training import Trainer

GRID = 30  # output heatmap: GRID x GRID points over the data's box
UNIT_GRID = 10  # each hidden unit's heatmap (small: one per unit per frame)
CURVE = 60  # points of a fitted curve (1-D input)
Q = 10  # quantisation: activations in [-1, 1] -> integers 0..2Q (no minus signs to send)
# Dense early, sparser later: (up to this step, one frame every k steps).
SCHEDULE = ((10, 1), (30, 2), (100, 5), (200, 10), (500, 25), (1000, 50))
LATE_EVERY = 100


@dataclass(frozen=True)
class Frame:
    step: int  # parameters after this many steps (0: the initial weights)
    loss: float | None  # History.losses[step - 1]: training loss of this step
    test_loss: float | None
    accuracy: float | None
    output: np.ndarray  # (GRID, GRID) int P(class 1) as 0..2Q, or (CURVE,) float y
    units: tuple[np.ndarray, ...]  # per hidden unit: (UNIT_GRID, UNIT_GRID) or (UNIT_GRID,)
    weights: tuple[np.ndarray, ...]  # per layer: (out, in) weights


@dataclass(frozen=True)
class Geometry:
    """What never changes during an episode: sent once."""

    classify: bool
    axes: tuple[np.ndarray, np.ndarray | None]  # output grid x (and y) coordinates
    unit_axes: tuple[np.ndarray, np.ndarray | None]
    sizes: tuple[int, ...]  # units per layer, inputs first
    same_data: bool  # no separate test set (test loss = training loss)


@contextmanager
def single_thread() -> Iterator[None]:
    """Tiny tensors: one intra-op thread beats two that wait on each other (300 steps
    of the default network: 0.9 s instead of 12 s on a busy 2-core machine)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


def train(tr: Trainer, steps: int) -> None:
    """Run `steps` more training steps, single-threaded."""
    with single_thread():
        tr.run(steps)


def frame_steps(start: int, end: int) -> list[int]:
    """The steps in [start, end] that get a frame: every step at first, then every
    2, 5, 10, ... steps (the loss moves fast early); `start` and `end` always."""
    steps, s = [], 0
    while s <= end:
        if s >= start:
            steps.append(s)
        every = next((k for limit, k in SCHEDULE if s < limit), LATE_EVERY)
        s += every
    if not steps or steps[-1] != end:
        steps.append(end)
    if steps[0] != start:
        steps.insert(0, start)
    return steps


def quantise(a: np.ndarray) -> np.ndarray:
    """[-1, 1] -> integers 0..2Q (out-of-range values saturate; NaN, from a run that
    diverged, is the middle)."""
    a = np.nan_to_num(np.asarray(a, dtype=np.float64), nan=0.0, posinf=1.0, neginf=-1.0)
    return np.rint((np.clip(a, -1.0, 1.0) + 1) * Q).astype(np.int8)


def layer_weights(tr: Trainer, step: int) -> tuple[np.ndarray, ...]:
    """Each layer's (out, in) weights after `step`; the book's scalar nets: 1x1."""
    h = tr.history
    mats = [h.params[n][step] for n in h.names if h.params[n][step].ndim == 2]
    if not mats:  # scalar networks: w1, w2 (or w) are one weight per layer
        mats = [h.params[n][step].reshape(1, 1) for n in h.names if n.startswith("w")]
    return tuple(mats)


def geometry(tr: Trainer) -> Geometry:
    x = tr.data["x"]
    classify = x.dim() == 2
    mats = layer_weights(tr, 0)
    sizes = (mats[0].shape[1], *(m.shape[0] for m in mats))
    same = tr.data["x_test"] is x
    if classify:
        both = torch.cat([x, tr.data["x_test"]])
        lo, hi = both.min(0).values - 0.3, both.max(0).values + 0.3
        ax = tuple(np.linspace(float(lo[i]), float(hi[i]), GRID, dtype=np.float32)
                   for i in (0, 1))
        uax = tuple(np.linspace(float(lo[i]), float(hi[i]), UNIT_GRID, dtype=np.float32)
                    for i in (0, 1))
        return Geometry(True, ax, uax, sizes, same)  # type: ignore[arg-type]
    lo, hi = float(x.min()) - 0.5, float(x.max()) + 0.5
    return Geometry(False, (np.linspace(lo, hi, CURVE, dtype=np.float32), None),
                    (np.linspace(lo, hi, UNIT_GRID, dtype=np.float32), None), sizes, same)


def _points(ax: tuple[np.ndarray, np.ndarray | None]) -> torch.Tensor:
    if ax[1] is None:
        return torch.from_numpy(ax[0])  # (n,)
    gx, gy = torch.from_numpy(ax[0]), torch.from_numpy(ax[1])
    return torch.cartesian_prod(gy, gx)[:, [1, 0]]  # (n*n, 2): rows are y, columns x


@torch.no_grad()
def _hidden(tr: Trainer, step: int, pts: torch.Tensor) -> list[torch.Tensor]:
    """Every hidden unit's activation on `pts` (the model's taps, in layer order)."""
    params = {n: torch.from_numpy(tr.history.params[n][step]) for n in tr.history.names}
    _, taps = tr.stateless(params, pts)
    units = []
    for name, v in taps.items():
        if name in ("logits", "y_pred"):
            continue
        v = v.reshape(len(pts), -1)  # (n, units)
        units += [v[:, j] for j in range(v.shape[1])]
    return units


def make_frame(tr: Trainer, geo: Geometry, step: int) -> Frame:
    """The stage's numbers at one step (parameters after `step`)."""
    h = tr.history
    k = step - 1
    out = tr.predict_at(step, _points(geo.axes)).numpy()
    units = _hidden(tr, step, _points(geo.unit_axes))
    if geo.classify:
        output = quantise(2 * out.reshape(GRID, GRID) - 1)
        unit_grids = tuple(quantise(u.reshape(UNIT_GRID, UNIT_GRID).numpy()) for u in units)
    else:
        output = out.astype(np.float32)
        unit_grids = tuple(quantise(u.numpy()) for u in units)
    return Frame(step, h.losses[k] if step else None, h.test_losses[k] if step else None,
                 h.accuracy[k] if step else None, output, unit_grids, layer_weights(tr, step))


class Episode:
    """Frames of one Trainer, made once per step (earlier steps never change)."""

    def __init__(self, tr: Trainer) -> None:
        self.trainer = tr
        self.geometry = geometry(tr)
        self._frames: dict[int, Frame] = {}

    def frames(self, start: int = 0, end: int | None = None) -> list[Frame]:
        end = self.trainer.history.steps if end is None else end
        out = []
        with single_thread():
            for s in frame_steps(start, end):
                if s not in self._frames:
                    self._frames[s] = make_frame(self.trainer, self.geometry, s)
                out.append(self._frames[s])
        return out
