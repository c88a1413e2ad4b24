"""One node-label model for every drawing: the DOT graph (dot.py), the animation
and the stage (animation.py, stage.py), and the box sizes the layout reserves.

A node says the same four things everywhere: its title (the program's name, else a
short expression such as `y × y`, never a bare id), what it is (`MulBackward0 ·
multiply`, or "leaf tensor"), its value and its gradient. Each drawing only chooses
its markup (Graphviz HTML-like labels, Plotly's small HTML subset).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from backprop.core.fmt import compact
from backprop.core.graph import Graph, Node, Value
from backprop.i18n import t
from backprop.teach.ops import friendly
from backprop.teach.umath import node_label


@dataclass(frozen=True)
class NodeLabel:
    """What a node's label says; `title` is user text (escape it for the markup)."""

    title: str
    what: str
    value: str | None = None  # "value 2×2 [..]" when shown
    grad: str | None = None  # "grad 2×2 [..]" when shown


def head(g: Graph, n: Node, lang: str) -> tuple[str, str]:
    """(title, what it is): `y × y` and `MulBackward0 · multiply`."""
    what = f"{n.op} · {friendly(n.op, lang)}" if n.op else t("node.leaf", lang)
    return node_label(g, n.id), what


def node_text(g: Graph, n: Node, lang: str, value: Value | None = None,
              grad: Value | None = None, digits: int | None = None,
              show_value: bool = False) -> NodeLabel:
    """The label of `n` showing `value` (when `show_value`) and `grad` (when given),
    numbers written by `fmt.compact` with `digits` elements."""
    title, what = head(g, n, lang)
    num = (lambda v: compact(v, lang=lang)) if digits is None else \
        (lambda v: compact(v, digits))
    return NodeLabel(title, what,
                     f"{t('node.value', lang)} {num(value)}" if show_value else None,
                     f"{t('node.grad', lang)} {num(grad)}" if grad is not None else None)


def plain(text: str) -> str:
    """User text (names, source segments) as Plotly text: its `<b>`/`<a href>` subset
    of HTML must not apply to it, so < > & become entities (issue 11)."""
    return escape(text, quote=False)
