"""One table for node colours and the legend: the graph and the page both read it.

Okabe-Ito colours (safe for the common colour-vision deficiencies), and every
kind also differs in shape/border so colour is never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindStyle:
    fill: str
    border: str
    shape: str
    style: str
    legend_key: str  # i18n key of the legend text


# Every kind is a rounded box: the in-browser renderer loses a node's outline when
# a re-render turns a <polygon> (box) into a <path> (rounded) under the same node id.
# Kinds differ by fill, border weight and text (name / op) instead.
KINDS: dict[str, KindStyle] = {
    "leaf": KindStyle("#BFE3F5", "#0072B2", "box", "filled,rounded,bold", "legend.leaf"),
    "op": KindStyle("#F2F2F2", "#555555", "box", "filled,rounded", "legend.op"),
    "output": KindStyle("#CDEBD9", "#009E73", "box", "filled,bold,rounded", "legend.output"),
    # a whole nn.Module drawn as one node (Model Anatomy's collapsed view)
    "module": KindStyle("#FBE5C8", "#E69F00", "box", "filled,rounded", "legend.module"),
}
GRAD_COLOR = "#D55E00"  # gradients (vermillion) wherever they are drawn
EDGE_COLOR = "#555555"
# Helvetica: the in-browser Graphviz has its metrics, so boxes fit the text it draws
# (browsers render it as Arial/Liberation Sans; server-side dot via fontconfig).
FONT = "Helvetica"  # one name: dot resolves a list of fonts ~10% slower
