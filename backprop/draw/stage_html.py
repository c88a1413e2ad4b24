"""The stage as one standalone HTML page: the same player as the app, plotly.js inlined.

The page needs no network and no server: the episode (figure, frames, explanations)
is JSON inside the page, with `<`, `>` and `&` escaped so no text can close the script.
The program is shown escaped in a <pre>; every explanation is set with textContent by
the player, never parsed as HTML.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from backprop.core.graph import Trace
from backprop.draw.export import script_json
from backprop.draw.plotly_bundle import plotly_js
from backprop.i18n import DEFAULT_LANG, t

ASSETS = Path(__file__).resolve().parent / "assets"
SPEEDS = (("0.5×", 1600), ("1×", 800), ("2×", 400), ("4×", 200), ("20/s", 50))


def labels(lang: str) -> dict[str, str]:
    """The player's button and control names in `lang`."""
    keys = ("play", "pause", "back", "next", "speed", "scrub", "loading")
    return {k: t(f"stage.{k}", lang) for k in keys}


def player_data(fig: dict[str, Any], lang: str, *, start: int = 0,
                legend: list[dict[str, str]] | None = None, alt: str = "") -> dict[str, Any]:
    """What the player's mount() takes (the app adds where plotly.js is served)."""
    return {"fig": fig, "sig": "standalone", "labels": labels(lang), "legend": legend or [],
            "alt": alt, "start": start, "keys": t("stage.keys", lang),
            "speeds": [list(s) for s in SPEEDS], "plotly_src": "", "fit_vh": 0.95,
            "stack_below": 500, "stack_vh": 0.48, "max_scale": 1.6}


def stage_html(trace: Trace, lang: str = DEFAULT_LANG) -> str:
    """One self-contained page: the stage (graph + explanation + controls + keys)."""
    from backprop.draw.stage import legend_items, stage_figure

    data = player_data(stage_figure(trace, lang), lang, legend=legend_items(lang),
                       alt=t("anim.alt", lang))
    js = (ASSETS / "stage.js").read_text(encoding="utf-8")
    css = (ASSETS / "stage.css").read_text(encoding="utf-8")
    title = escape(t("anim.title", lang))
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backprop Studio · {title}</title>
<style>body{{font-family:"Noto Sans","Noto Sans Bengali",Arial,sans-serif;margin:1rem 1.5rem;}}
pre{{background:#f6f6f6;padding:.8rem;overflow-x:auto;}}
{css}</style>
<script>{plotly_js()}</script></head><body>
<div id="stage"></div>
<h2>{title}</h2>
<pre>{escape(trace.source)}</pre>
<script>{js}</script>
<script>window.bpStage.mount(document.getElementById("stage"), {script_json(data)});</script>
</body></html>
"""
