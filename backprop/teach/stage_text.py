"""What the stage says beside each frame: plain text, carried inside the frame.

One dict per frame, `{"phase", "head", "body": [..], "math": [..]}`. The browser
player shows it with `textContent` (never as HTML), so it follows playback with no
server round trip. Numbers come from the captured trace; the local derivative is
the chain-rule table's formula in Unicode (`∂z/∂y = 3`).
"""

from __future__ import annotations

from typing import Any

from backprop.core.fmt import compact
from backprop.core.graph import Trace, Value
from backprop.i18n import DEFAULT_LANG, t
from backprop.teach.chain import SlotStep
from backprop.teach.ops import friendly
from backprop.teach.steps import Step, label
from backprop.teach.umath import unicode_math

Text = dict[str, Any]
DIGITS = 3  # elements shown per tensor in the panel


def overview_text(trace: Trace, n_steps: int, lang: str = DEFAULT_LANG) -> Text:
    """Frame 0: the final state, every value and gradient, and what Play will show."""
    out = trace.output_node
    math = [f"{label(trace, out.id)} = {compact(out.value, DIGITS)}"]
    math += [f"{label(trace, n.id)}.grad = {compact(n.grad, DIGITS)}"
             for n in trace.leaves() if n.grad is not None]
    return {"phase": "overview", "head": t("stage.overview.head", lang),
            "body": [t("stage.overview.body", lang, n=n_steps)], "math": math[:6]}


def step_text(trace: Trace, step: Step, n_steps: int, lang: str = DEFAULT_LANG) -> Text:
    """The explanation of one forward or backward step."""
    g = trace.graph
    node = g.node(step.node)
    name = label(trace, step.node)
    key = "stage.forward.head" if step.phase == "forward" else "stage.backward.head"
    head = t(key, lang, i=step.index + 1, n=n_steps, node=name)
    if step.phase == "backward" and step.pass_no > 1:
        head += " · " + t("stage.pass", lang, n=step.pass_no)
    if step.phase == "forward":
        if node.kind == "leaf":
            body = [t("stage.leaf", lang, node=name)]
        else:
            args = ", ".join(label(trace, e.src) for e in sorted(
                (e for e in g.edges if e.dst == step.node), key=lambda e: e.slot))
            body = [t("stage.computes", lang, node=name, meaning=friendly(node.op, lang),
                      op=node.op or "", args=args or "—")]
        return {"phase": "forward", "head": head, "body": body,
                "math": [f"{name} = {compact(node.value, DIGITS)}"]}
    return {"phase": "backward", "head": head, **_backward(trace, step, name, lang)}


def _backward(trace: Trace, step: Step, name: str, lang: str) -> dict[str, list[str]]:
    g = trace.graph
    node = g.node(step.node)
    p = trace.passes[step.pass_no - 1]
    out = label(trace, p.root) if p.root else "out"
    arrived = [v for (src, _, _), v in p.grads_sent.items() if src == step.node]
    body: list[str] = []
    math: list[str] = []
    if len(arrived) > 1:  # used twice (y * y): each part shown, then their sum
        total = step.grads.get(step.node) if node.kind != "leaf" else p.grads_in.get(step.node)
        body.append(t("stage.sum", lang, node=name, n=len(arrived)))
        math.append(" + ".join(compact(v, DIGITS) for v in arrived)
                    + f" = {compact(total, DIGITS)}")
    if node.kind == "leaf":
        body.append(t("stage.leaf_back", lang, node=name))
        math.append(f"{name}.grad += {compact(p.grads_in.get(step.node), DIGITS)} → "
                    f"{compact(step.grads.get(step.node), DIGITS)}")
        return {"body": body, "math": math}
    upstream = p.grads_in.get(step.node)
    body.append(t("stage.arrives", lang, node=name, meaning=friendly(node.op, lang),
                  op=node.op or ""))
    math.append(f"∂{_sym(out)}/∂{_sym(name)} = {compact(upstream, DIGITS)}")
    sent = [s for s in step.terms if s.sent is not None]
    if not sent:
        body.append(t("stage.sends_none", lang))
    for k, term in enumerate(sent[:4]):
        math += _term(trace, term, upstream, k, sent, lang)
    return {"body": body, "math": math}


def _sym(name: str) -> str:
    return f"({name})" if " " in name else name


def _term(trace: Trace, term: SlotStep, upstream: Value | None, k: int,
          all_terms: list[SlotStep], lang: str) -> list[str]:
    """`→ y (1st input): ∂z/∂y = 3` and `0.25 × 3 = 0.75`, one term of the chain rule."""
    src = label(trace, term.src)
    twice = sum(1 for s in all_terms if s.src == term.src) > 1
    where = f"→ {src}" + (f" ({t('stage.slot', lang, k=term.slot + 1)})" if twice else "")
    if term.formula and term.local is not None:
        local = compact(term.local, DIGITS)
        formula = unicode_math(term.formula)
        same = formula.rsplit("= ", 1)[-1].replace("−", "-") == local  # no `= 1 = 1`
        lines = [f"{where}: {formula}" + ("" if same else f" = {local}")]
        lines.append(f"   {compact(upstream, 2)} × {compact(term.local, 2)} = "
                     f"{compact(term.sent, 2)}")
        return lines
    if term.formula:  # not elementwise (matmul, softmax): the whole term at once
        return [f"{where}: {unicode_math(term.formula)}",
                f"   = {compact(term.sent, DIGITS)}"]
    return [f"{where}: {t('stage.sent', lang, sent=compact(term.sent, DIGITS))}"]
