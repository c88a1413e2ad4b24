"""The stage component: an episode (a Plotly figure with frames) played in the browser.

`stage(fig, lang, key)` mounts the player (backprop/draw/assets/stage.js, .css) as a Streamlit
custom component v2 (no iframe). Frames, their explanations and the controls all live
in the browser, so Play, the scrubber, Back/Next and the keys (← → space) never call
the server; Streamlit reruns only when the program or a setting changes.

Any page can use it: the figure needs `data`, `frames` (each with `name`, `data`,
`traces` and an optional `explain` = {"phase", "head", "body": [..], "math": [..]}),
`layout.width/height` in pixels, and optionally `meta.font_px`. A figure whose
`meta.painter` names a painter (assets/netstage.js: "net", the Tiny Network) is drawn
by it instead: Plotly draws `data` once, the painter draws each frame's own payload.

plotly.js (its cartesian bundle, 1.5 MB, vendored in static/) is served as a static file
(`[server] enableStaticServing`) that the browser caches, never inside a rerun.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import streamlit as st

from backprop.draw.plotly_bundle import plotly_js_name
from backprop.draw.stage_html import SPEEDS, labels
from backprop.i18n import t
from ui.first_paint import stage_sent

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent / "backprop" / "draw" / "assets"  # the player: stage.js, stage.css
BN_DIGITS = "০১২৩৪৫৬৭৮৯"  # the player's counter in Bengali digits (the digits switch)


def player_js() -> str:
    """The player script and its painters (the standalone HTML export inlines stage.js;
    netstage.js paints the Tiny Network's frames)."""
    return "\n".join((ASSETS / name).read_text(encoding="utf-8")
                     for name in ("stage.js", "netstage.js"))


def player_css() -> str:
    return (ASSETS / "stage.css").read_text(encoding="utf-8")


_MOUNT = """
export default function (component) {
  const root = component.parentElement.querySelector(".bp-root");
  window.bpStage.mount(root, component.data);
}
"""
_component = st.components.v2.component(
    "bp_stage", html='<div class="bp-root"></div>', css=player_css(),
    js=player_js() + _MOUNT, isolate_styles=False)  # Plotly's own CSS lives in <head>


_preload = st.components.v2.component(
    "bp_stage_preload", html="", isolate_styles=False,
    js=player_js() + "\nexport default function (c) { window.bpStage.preload(c.data); }\n")


def preload() -> None:
    """Start fetching plotly.js as soon as the page opens, while the server still runs
    the program (call it early, in a container that takes no room)."""
    _preload(key="bp_preload", data=f"app/static/{plotly_js_name()}", width="stretch",
             height="content")


_SEEN: OrderedDict[int, tuple[dict, str, dict]] = OrderedDict()  # id -> (fig, sig, sent)
_SEEN_LOCK = threading.Lock()


def _finite(v: Any) -> Any:
    """`v` with every NaN/±inf as None (Plotly leaves a gap)."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_finite(x) for x in v]
    return v


def _prepared(fig: dict) -> tuple[str, dict]:
    """The figure's content hash and the figure as sent, once per figure object: a figure
    from a shared cache is one object for every session, so a class checks and hashes it
    once, not once per rerun. JSON has no NaN or Infinity: the browser would refuse the
    whole stage, so a non-finite number (a diverged run, an extreme upload) goes as null."""
    with _SEEN_LOCK:
        hit = _SEEN.get(id(fig))
        if hit is not None and hit[0] is fig:  # the entry keeps `fig` alive: ids stay unique
            return hit[1], hit[2]
    sent = fig
    try:
        text = json.dumps(fig, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except ValueError:
        sent = _finite(fig)
        text = json.dumps(sent, sort_keys=True, separators=(",", ":"))
    sig = hashlib.sha1(text.encode()).hexdigest()[:16]
    with _SEEN_LOCK:
        _SEEN[id(fig)] = (fig, sig, sent)
        while len(_SEEN) > 64:
            _SEEN.popitem(last=False)
    return sig, sent


def stage(fig: dict[str, Any], lang: str, key: str, *, start: int = 0,
          legend: list[dict[str, str]] | None = None, alt: str = "",
          fit_vh: float = 0.92, max_scale: float = 1.6, **options: Any) -> None:
    """Mount the player for `fig`. `fit_vh`: share of the window height the stage may
    fill (the projector fits it to one screen); `start`: the frame it opens on.
    `options` go to the player as they are: `sig` (the figure's id, if the caller
    knows one: saves hashing a large figure), `speeds`, `speed_index`, `autoplay`,
    `panel_below`, `claim_keys` (the keyboard drives this stage), `digits`,
    `stack_vh`."""
    sig, sent = _prepared(fig)
    sig = options.pop("sig", None) or sig
    data = {"fig": sent, "sig": f"{sig}:{lang}:{start}", "labels": labels(lang),
            "legend": legend or [], "alt": alt, "start": start, "keys": t("stage.keys", lang),
            "speeds": [list(s) for s in SPEEDS], "plotly_src": f"app/static/{plotly_js_name()}",
            "fit_vh": fit_vh, "stack_below": 500, "stack_vh": 0.48, "max_scale": max_scale,
            **options}
    _component(key=key, data=data, width="stretch", height="content")
    stage_sent()
