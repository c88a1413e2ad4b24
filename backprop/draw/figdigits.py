"""Bengali digits in Plotly figures (Plotly has no digit mapping of its own).

Texts the figure shows (trace texts, titles, annotations, slider and button labels,
frames' texts and explanations) are mapped; numeric axes get explicit
`tickvals`/`ticktext` with "nice" ticks over the data's range. Data values, frame
names and slider `args` (which name frames) stay as they are, so the animation still
finds its frames.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from backprop.i18n import digits

# the stage's frames explain themselves in head/body/math (draw/stage.py)
TEXT_KEYS = {"text", "hovertext", "ticktext", "label", "texttemplate", "head", "body", "math"}
SKIP_KEYS = {"x", "y", "z", "args", "args2", "name", "customdata", "ids", "tickvals"}


def nice_ticks(lo: float, hi: float, count: int = 6, whole: bool = False) -> list[float]:
    """About `count` round tick values covering [lo, hi] (1, 2, 2.5 or 5 x 10^k apart;
    whole numbers only when `whole`, e.g. step counts)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)
    step = next(m * mag for m in steps if m * mag >= raw)
    step = max(step, 1) if whole else step
    first = math.ceil(lo / step) * step
    n = int(math.floor((hi - first) / step + 1e-9)) + 1
    return [round(first + i * step, 12) for i in range(n)]


def log_ticks(values: list[float]) -> dict[str, list]:
    """Labelled ticks for a log axis over `values`: 1, 2 and 5 x 10^k, each written out
    (Plotly's own minor labels are bare digits: 0.3 reads "3")."""
    pos = [v for v in values if math.isfinite(v) and v > 0]
    if not pos:
        return {}
    lo, hi = math.floor(math.log10(min(pos))), math.ceil(math.log10(max(pos)))
    marks = (1, 2, 5) if hi - lo <= 3 else (1,)
    ticks = [m * 10.0 ** k for k in range(lo, hi + 1) for m in marks]
    ticks = [v for v in ticks if min(pos) / 2 <= v <= max(pos) * 2] or ticks
    return {"tickvals": ticks, "ticktext": [f"{v:g}" for v in ticks]}


def _tick_text(v: float, lang: str) -> str:
    text = f"{v:.6g}"
    return digits("0" if text == "-0" else text, lang, True)


def _map(obj: Any, lang: str, key: str | None = None) -> Any:
    if isinstance(obj, dict):
        return {k: (v if k in SKIP_KEYS else _map(v, lang, k)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_map(v, lang, key) for v in obj]
    if isinstance(obj, str) and key in TEXT_KEYS:
        return digits(obj, lang, True)
    return obj


def _numbers(values: Any) -> list[float]:
    out: list[float] = []
    stack = [values]
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            out.append(float(v))
    return out


def _axis_ticks(fig: dict, layout: dict, lang: str) -> None:
    for name, axis in list(layout.items()):
        if not (name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict)):
            continue
        if axis.get("showticklabels") is False or axis.get("visible") is False \
                or axis.get("type") in ("category", "log", "date") or "tickvals" in axis:
            continue
        letter, suffix = name[0], name[5:]
        ref = letter + suffix  # "x", "x2", ...
        if axis.get("range"):
            values = _numbers(axis["range"])
        else:
            values = [v for tr in fig.get("data", [])
                      if tr.get(f"{letter}axis", letter) == ref
                      for v in _numbers(tr.get(letter, []))]
        if values:
            ticks = nice_ticks(min(values), max(values),
                               whole=all(v.is_integer() for v in values))
            axis["tickvals"] = ticks
            axis["ticktext"] = [_tick_text(v, lang) for v in ticks]


def with_native_digits(fig: dict, lang: str) -> dict:
    """A copy of `fig` that shows its numbers in `lang`'s digits (Bengali)."""
    if lang != "bn":
        return fig
    out = _map(copy.deepcopy(fig), lang)
    layout = out.setdefault("layout", {})
    _axis_ticks(out, layout, lang)
    return out
