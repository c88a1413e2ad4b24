"""The animation as plain data: one Step per frame, forward then backward.

Forward steps follow the order PyTorch executed the ops (the TorchFunctionMode
log); backward steps follow the order the autograd engine ran the nodes (the
hooks), pass by pass. The Plotly frames and the text transcript are both made
from these steps, so they always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backprop.core.fmt import compact
from backprop.core.graph import BackwardPass, Trace, Value
from backprop.i18n import DEFAULT_LANG, t
from backprop.teach.chain import SlotStep, explain
from backprop.teach.ops import friendly
from backprop.teach.umath import node_label


@dataclass(frozen=True)
class Step:
    index: int
    phase: str  # "forward" | "backward"
    node: str  # the node this step is about
    pass_no: int  # 1-based backward pass (0 for forward)
    known: frozenset[str]  # nodes whose forward value is on screen
    grads: dict[str, Value] = field(default_factory=dict)  # gradients on screen, by node
    flows: dict[tuple[str, str, int], Value] = field(default_factory=dict)  # lit edges
    terms: tuple[SlotStep, ...] = ()  # chain-rule terms of this node (backward)
    text: str = ""  # the transcript line
    caption: str = ""  # the short form drawn above the graph

    @property
    def name(self) -> str:
        """Frame name: phase, index and node, e.g. `forward:3:n4`, `backward:7:n2`."""
        return f"{self.phase}:{self.index}:{self.node}"


def label(trace: Trace, node_id: str) -> str:
    """The node's name in the program, else a short expression (never a bare id)."""
    return node_label(trace.graph, node_id)


def steps(trace: Trace, lang: str = DEFAULT_LANG) -> list[Step]:
    g = trace.graph
    out: list[Step] = []
    known: set[str] = set()
    for node_id in trace.forward_order:
        known.add(node_id)
        n = g.node(node_id)
        key = "step.forward_leaf" if n.kind == "leaf" else "step.forward_op"
        text = t(key, lang, node=label(trace, node_id), op=n.op or "",
                 meaning=friendly(n.op, lang), value=compact(n.value))
        caption = t("step.caption_forward", lang, node=label(trace, node_id),
                    value=compact(n.value, 3))
        out.append(Step(len(out), "forward", node_id, 0, frozenset(known), text=text,
                        caption=caption))
    all_known = frozenset(known)
    leaf_grads: dict[str, Value] = {}  # .grad persists across passes (it accumulates)
    for p_no, p in enumerate(trace.passes, start=1):
        if p.root is None:
            leaf_grads.update(p.leaf_grads)  # another graph's backward(): only leaves show it
            continue
        shown: dict[str, Value] = dict(leaf_grads)
        for node_id in p.order:
            n = g.node(node_id)
            grad_in = p.grads_in.get(node_id)
            if n.kind == "leaf":
                after = p.leaf_grads.get(node_id)
                if after is not None:
                    shown[node_id] = after
                text = t("step.backward_leaf", lang, node=label(trace, node_id),
                         incoming=compact(grad_in), grad=compact(after), n=p_no)
                terms: tuple[SlotStep, ...] = ()
                flows: dict[tuple[str, str, int], Value] = {}
            else:
                if grad_in is not None:
                    shown[node_id] = grad_in
                terms = tuple(explain(g, p, node_id))
                flows = {(s.src, node_id, s.slot): s.sent for s in terms if s.sent is not None}
                sends = "; ".join(
                    t("step.sends", lang, src=label(trace, s.src), grad=compact(s.sent),
                      local=compact(s.local) if s.local else "…")
                    for s in terms if s.sent is not None) or t("step.sends_none", lang)
                text = t("step.backward_op", lang, node=label(trace, node_id), op=n.op or "",
                         upstream=compact(grad_in) + _sum_of(p, node_id, lang), sends=sends,
                         n=p_no)
            caption = t("step.caption_backward", lang, node=label(trace, node_id),
                        grad=compact(shown.get(node_id) if n.kind == "leaf" else grad_in, 3),
                        n=p_no)
            out.append(Step(len(out), "backward", node_id, p_no, all_known, dict(shown), flows,
                            terms, text, caption))
        leaf_grads.update(p.leaf_grads)
    return out


def _sum_of(p: BackwardPass, node_id: str, lang: str) -> str:
    """' (= 2.25 + 2.25: used twice)' when several gradients arrived and were added."""
    parts = [v for (src, _, _), v in p.grads_sent.items() if src == node_id]
    if len(parts) < 2:
        return ""
    return t("step.sum", lang, parts=" + ".join(compact(v) for v in parts), n=len(parts))


def transcript(trace: Trace, lang: str = DEFAULT_LANG,
               all_steps: list[Step] | None = None) -> list[str]:
    """One line per frame, for those who cannot see the animation (and for notes)."""
    return [f"{s.index + 1}. {s.text}" for s in all_steps or steps(trace, lang)]
