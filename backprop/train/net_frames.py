"""The Tiny Network stage's frames: per frame only what changes, compactly.

A frame carries the boundary (or the fitted curve), every hidden unit's heatmap and
the output node's, the weights, that step's losses and the explanation. The browser's
painter (backprop/draw/assets/netstage.js) draws them on a canvas; the loss curve so
far is the frames' losses up to the one on show, so no frame repeats an earlier one.
Quantised grids (integers 0..2Q) travel as strings, one letter per cell ("A" = 0).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from backprop.i18n import digits, t
from backprop.train.episode import GRID, UNIT_GRID, Episode, Frame, Q

BASE = ord("A")  # cell value v is the letter chr(BASE + v): 0..2Q -> "A".."U"
_TAG = re.compile(r"<[^>]+>")


def grid_text(z: np.ndarray) -> str:
    """A quantised grid, rows bottom to top, as one letter per cell."""
    return "".join(chr(BASE + int(v)) for v in np.asarray(z).ravel())


def output_small(f: Frame) -> np.ndarray:
    """The output node's heatmap: the boundary, sampled down to a unit's size."""
    if f.output.ndim == 2:
        k = max(1, GRID // UNIT_GRID)
        return f.output[::k, ::k]
    idx = np.linspace(0, len(f.output) - 1, UNIT_GRID).round().astype(int)
    ys = f.output[idx].astype(np.float64)  # a diverged run: NaN/inf (drawn as the middle)
    ys = np.where(np.isfinite(ys), ys, 0.0)
    span = float(np.abs(ys).max()) or 1.0
    return np.rint((np.clip(ys / span, -1, 1) + 1) * Q).astype(int)


def _plain(text: str) -> list[str]:
    """Catalog text with Plotly markup (<b>, <br>) as plain lines: the player sets
    them with textContent, never as HTML."""
    return [_TAG.sub("", line).strip() for line in text.split("<br>")]


def explain(ep: Episode, f: Frame, last: int, lang: str, native: bool) -> dict[str, Any]:
    """The explanation beside the stage: a head line and short body lines."""
    if f.step == 0:
        head, *body = (digits(x, lang, native) for x in _plain(t("stage.start", lang)))
        return {"head": head, "body": body}
    same = ep.geometry.same_data
    body = [t("stage.loss_same" if same else "stage.loss", lang, loss=f"{f.loss:.4g}")]
    if not same:
        body.append(t("stage.test_loss", lang, loss=f"{f.test_loss:.4g}"))
    if f.accuracy is not None:
        body.append(t("stage.acc_same" if same else "stage.acc", lang, acc=f"{f.accuracy:.0%}"))
    head = _plain(t("stage.step", lang, step=f.step, last=last))[0]
    return {"head": digits(head, lang, native),
            "body": [digits(b, lang, native) for b in body]}


def _num(v: float | None, nd: int = 5) -> float | None:
    return None if v is None or not np.isfinite(v) else round(float(v), nd)


def _weights(w: np.ndarray) -> list[float]:
    """(out, in) weights row-major, finite (a diverged run's too: JSON has no inf)."""
    finite = np.nan_to_num(w.astype(np.float64), posinf=1e6, neginf=-1e6)
    return np.round(finite, 4).ravel().tolist()


def frame_payload(ep: Episode, f: Frame, last: int, lang: str,
                  native: bool) -> dict[str, Any]:
    """One frame for the player: `net` holds what the painter draws."""
    geo = ep.geometry
    out: str | list = (grid_text(f.output) if geo.classify
                       else [_num(v, 4) for v in f.output.tolist()])
    units = [grid_text(u) for u in f.units] + [grid_text(output_small(f))]
    net = {"o": out, "u": units,
           "w": [_weights(w) for w in f.weights],
           "l": _num(f.loss), "tl": _num(f.test_loss)}
    return {"name": str(f.step), "traces": [], "data": [], "net": net,
            "explain": explain(ep, f, last, lang, native)}
