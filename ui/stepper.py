"""Step-by-step view of a Trace: the stage (played in the browser) and, below it, the
chain rule in detail (LaTeX) for a chosen step, the transcript and the HTML export.
Used by the Expression Lab and by the Tiny Network's "open step k"."""

from __future__ import annotations

import streamlit as st

from backprop.core.fmt import compact
from backprop.core.graph import Trace
from backprop.draw.figdigits import with_native_digits
from backprop.draw.stage import legend_items, stage_figure
from backprop.draw.stage_html import stage_html
from backprop.i18n import digits, t
from backprop.teach.message import say
from backprop.teach.ops import friendly, why_saved
from backprop.teach.steps import Step, label, steps, transcript
from graphviz_tools import ProgramError
from ui.common import classroom, native_digits
from ui.safe_text import error_text, md_escape, safe_t
from ui.shared import SharedCache
from ui.stage import BN_DIGITS, stage


def _figure(trace: Trace, key: tuple, lang: str) -> dict:
    """The stage figure, made once for every session that shows this `key` (a program
    and its inputs, a training step): the same read-only dict for all of them."""
    return _FIGURES.get((key, lang), lambda: stage_figure(trace, lang))


# a failed layout (`dot` killed on a busy server) is not kept: the next rerun tries again
_FIGURES = SharedCache("stage.figure", max_entries=256, max_bytes=24 * 2**20,
                       keep_refusals=False)


MAX_ANIMATED = 150  # nodes; every frame restyles every node, so size is ~nodes squared


def _move(state_key: str, delta: int, n: int) -> None:
    st.session_state[state_key] = min(max(st.session_state.get(state_key, 1) + delta, 1), n)


def stepper(trace: Trace, lang: str, ns: str, cache_key: tuple, *,
            details: bool = True, fit_vh: float = 0.92, fallback_dot: str = "") -> None:
    """Draw the stage and its detail view; `ns` namespaces session keys (e.g. "lab.").

    The stage opens on the final state (frame 0), or on step `{ns}step` when a shared
    link asked for one. `fallback_dot` is drawn instead if the layout fails."""
    if len(trace.graph.nodes) > MAX_ANIMATED:  # frames x nodes grows quadratically
        st.info(t("anim.too_big", lang, n=len(trace.graph.nodes), limit=MAX_ANIMATED),
                icon=":material/table:")
        return
    all_steps = steps(trace)
    if not all_steps:
        return
    n = len(all_steps)
    start = st.session_state.get(ns + "step", 0)
    start = start if isinstance(start, int) and 0 <= start <= n else 0
    try:  # a failing, killed or slow `dot`: say so; the detail view still works
        fig = _figure(trace, cache_key, lang)
    except ProgramError as err:
        st.error(error_text(err, lang), icon=":material/error:")
        if fallback_dot:  # our `dot` failed: the browser's Graphviz still draws the graph
            st.graphviz_chart(fallback_dot, width="content")
    else:
        native = native_digits()
        fig = with_native_digits(fig, lang) if native else fig  # Bengali digits
        stage(fig, lang, ns + "stage", start=start, legend=legend_items(lang),
              alt=t("anim.alt", lang), fit_vh=fit_vh, digits=BN_DIGITS if native else "",
              scroll_on_change=classroom())
    if details:
        with st.expander(t("stage.details", lang), icon=":material/functions:"):
            detail_view(trace, all_steps, lang, ns)


def detail_view(trace: Trace, all_steps: list[Step], lang: str, ns: str) -> None:
    """One step's chain rule with LaTeX (picked here, on the server), the transcript."""
    n = len(all_steps)
    key = ns + "detail"
    if st.session_state.get(key, 1) > n:
        st.session_state[key] = 1
    back, slider, fwd = st.columns([1, 10, 1], vertical_alignment="bottom")
    back.button("◀", key=ns + "step_back", on_click=_move, args=(key, -1, n),
                help=t("anim.back", lang))
    fwd.button("▶", key=ns + "step_next", on_click=_move, args=(key, 1, n),
               help=t("anim.next", lang))
    if n > 1:  # a one-step program (`x`) has nothing to slide (min == max fails)
        slider.slider(t("anim.step", lang), 1, n, key=key)
    chain_panel(trace, all_steps[st.session_state.get(key, 1) - 1], lang)
    st.markdown(f"**{t('anim.transcript', lang)}**")
    st.code(_d("\n".join(transcript(trace, lang, all_steps)), lang), language=None,
            wrap_lines=True)
    st.download_button(t("export.html", lang), lambda: stage_html(trace, lang),
                       file_name="backprop-animation.html", mime="text/html",
                       key=ns + "dl_html", icon=":material/download:")


def chain_panel(trace: Trace, step: Step, lang: str) -> None:
    """What happens at one step, with the chain rule's numbers for backward steps."""
    g = trace.graph
    node = g.node(step.node)
    name = label(trace, step.node)
    said = md_escape(say(step.text, lang))  # names are user text
    st.markdown(_d(f"**{step.index + 1}.** {said}", lang))
    if step.phase == "forward" or node.kind == "leaf":
        if node.kind == "leaf" and step.phase == "backward":
            st.caption(safe_t("chain.leaf", lang, node=name))
        return
    upstream = step.grads.get(step.node)
    st.markdown(_d(safe_t("chain.upstream", lang, node=name, grad=compact(upstream, 8)), lang))
    for term in step.terms:
        src = label(trace, term.src)
        with st.container(border=True):
            st.markdown(safe_t("chain.to_input", lang, src=src, slot=term.slot))
            if term.formula:
                st.latex(term.formula)
            else:
                st.caption(t("chain.no_formula", lang, op=node.op))
            if term.product is not None:
                local = compact(term.local, 8) if term.local else t("chain.whole_term", lang)
                ok = "✓" if term.sent is not None and _close(term.product, term.sent) else "✗"
                st.markdown(_d(t("chain.numbers", lang, upstream=compact(upstream, 8),
                                 local=local, product=compact(term.product, 8),
                                 sent=compact(term.sent, 8), ok=ok), lang))
            else:
                st.markdown(_d(t("chain.sent", lang, sent=compact(term.sent, 8)), lang))
    if node.saved:
        text = why_saved(node.op, lang)
        st.caption(t("chain.saved", lang, names=", ".join(node.saved), op=node.op,
                     meaning=friendly(node.op, lang)) + " " + text)


def _d(text: str, lang: str) -> str:
    """Numbers in the page's digits (the Bengali-digits switch); names stay as written."""
    return digits(text, lang, native_digits())


def _close(a: object, b: object) -> bool:
    import torch

    return bool(torch.allclose(a.tensor().double(), b.tensor().double(),  # type: ignore[attr-defined]
                               rtol=1e-4, atol=1e-5))
