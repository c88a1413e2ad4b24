"""Standalone exports: the animation as one HTML page (plotly.js inlined, no network)."""

from __future__ import annotations

import json
from html import escape

from backprop.core.graph import Trace
from backprop.draw.animation import figure
from backprop.draw.plotly_bundle import plotly_js
from backprop.i18n import DEFAULT_LANG, t
from backprop.teach.steps import transcript

# Keyboard: ← → step, space plays/pauses (the figure's own buttons do the work).
_SCRIPT = """
const fig = %(fig)s;
const gd = document.getElementById('fig');
Plotly.newPlot(gd, fig.data, fig.layout, {displayModeBar: false})
  .then(() => Plotly.addFrames(gd, fig.frames));
const names = fig.frames.map(f => f.name);
let current = fig.layout.sliders[0].active, playing = false;
gd.on('plotly_animatingframe', e => { current = names.indexOf(e.name); });
gd.on('plotly_animated', () => { playing = false; });
const go = i => { if (i < 0 || i >= names.length) return; current = i;
  Plotly.animate(gd, [names[i]], {frame: {duration: 0, redraw: true}, mode: 'immediate',
                                  transition: {duration: 0}}); };
document.addEventListener('keydown', e => {
  if (e.key === 'ArrowRight') go(current + 1);
  else if (e.key === 'ArrowLeft') go(current - 1);
  else if (e.key === ' ') { e.preventDefault();
    if (playing) { Plotly.animate(gd, [null], {mode: 'immediate',
                                               frame: {duration: 0, redraw: false}}); }
    else { playing = true; Plotly.animate(gd, names.slice(current + 1),
      {frame: {duration: 800, redraw: true}, mode: 'immediate', transition: {duration: 0}}); }
  }
});
"""


# Inside <script>, only `</script` (any case) or `<!--` can end or bend the element;
# JSON allows \u escapes for every one of these, so the data keeps its meaning.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value: object) -> str:
    """JSON that is safe to put between <script> tags, whatever strings it holds."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)


def animation_html(trace: Trace, lang: str = DEFAULT_LANG) -> str:
    """One self-contained page: the animated graph, keyboard stepping, the transcript."""
    fig = figure(trace, lang)
    steps_html = "\n".join(f"<li>{escape(line.split('. ', 1)[1])}</li>"
                           for line in transcript(trace, lang))
    script = _SCRIPT % {"fig": script_json(fig)}
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>Backprop Studio · {escape(t("anim.title", lang))}</title>
<style>body{{font-family:"Noto Sans","Noto Sans Bengali",Arial,sans-serif;margin:1.5rem;}}
pre{{background:#f6f6f6;padding:.8rem;}} kbd{{border:1px solid #999;border-radius:3px;
padding:0 .3em;}}</style>
<script>{plotly_js()}</script></head><body>
<h1>{escape(t("anim.title", lang))}</h1>
<p>{escape(t("anim.keys", lang))}</p>
<pre>{escape(trace.source)}</pre>
<div id="fig" role="img" aria-label="{escape(t("anim.alt", lang))}"></div>
<h2>{escape(t("anim.transcript", lang))}</h2>
<ol>{steps_html}</ol>
<script>{script}</script>
</body></html>
"""
