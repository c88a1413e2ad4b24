"""Step-by-step view of a Trace: the animated figure, the chain-rule panel for the
selected step, and the transcript. Used by the Expression Lab (and other pages)."""

from __future__ import annotations

import streamlit as st

from graphviz_tools import ProgramError
from graphviz_tools.animation import figure
from graphviz_tools.export import animation_html
from graphviz_tools.figdigits import with_native_digits
from graphviz_tools.fmt import compact
from graphviz_tools.graph import Trace
from graphviz_tools.i18n import catalog, digits, t
from graphviz_tools.ops import friendly
from graphviz_tools.steps import Step, label, steps, transcript
from ui.common import native_digits


@st.cache_data(max_entries=256, show_spinner=False)
def _figure(_trace: Trace, key: tuple, lang: str, start: int) -> dict:
    return figure(_trace, lang, start)


MAX_ANIMATED = 150  # nodes; every frame restyles every node, so size is ~nodes squared


def _move(state_key: str, delta: int, n: int) -> None:
    st.session_state[state_key] = min(max(st.session_state.get(state_key, 1) + delta, 1), n)


def stepper(trace: Trace, lang: str, ns: str, cache_key: tuple) -> None:
    """Draw the stepper; `ns` namespaces its session-state keys (e.g. "lab.")."""
    if len(trace.graph.nodes) > MAX_ANIMATED:  # frames x nodes grows quadratically
        st.info(t("anim.too_big", lang, n=len(trace.graph.nodes), limit=MAX_ANIMATED),
                icon=":material/table:")
        return
    all_steps = steps(trace, lang)
    if not all_steps:
        return
    n = len(all_steps)
    key = ns + "step"
    if st.session_state.get(key, 1) > n:
        st.session_state[key] = 1
    # The figure is sized in pixels (Plotly text does not scale), so it gets the full
    # width; the chain-rule panel for the selected step sits below it.
    st.caption(t("anim.press_play", lang))
    try:  # a failing, killed or slow `dot`: say so; the panel and transcript still work
        fig = _figure(trace, cache_key, lang, st.session_state.get(key, 1) - 1)
    except ProgramError as err:
        st.error(err.in_lang(lang), icon=":material/error:")
    else:
        fig = with_native_digits(fig, lang) if native_digits() else fig  # Bengali digits
        st.plotly_chart(fig, width="content", config={"displayModeBar": False},
                        key=ns + "anim", alt=t("anim.alt", lang))
    st.markdown(f"#### {t('chain.title', lang)}")
    st.caption(t("anim.server_keys", lang))
    back, slider, fwd = st.columns([1, 10, 1], vertical_alignment="bottom")
    back.button("◀", key=ns + "step_back", on_click=_move, args=(key, -1, n),
                shortcut="Alt+Left", help=t("anim.back", lang))
    fwd.button("▶", key=ns + "step_next", on_click=_move, args=(key, 1, n),
               shortcut="Alt+Right", help=t("anim.next", lang))
    slider.slider(t("anim.step", lang), 1, n, key=key)
    chain_panel(trace, all_steps[st.session_state[key] - 1], lang)

    with st.expander(t("anim.transcript", lang)):
        st.code(_d("\n".join(transcript(trace, lang, all_steps)), lang), language=None,
                wrap_lines=True)
    st.download_button(t("export.html", lang), lambda: animation_html(trace, lang),
                       file_name="backprop-animation.html", mime="text/html",
                       key=ns + "dl_html", icon=":material/download:")


def chain_panel(trace: Trace, step: Step, lang: str) -> None:
    """What happens at one step, with the chain rule's numbers for backward steps."""
    g = trace.graph
    node = g.node(step.node)
    name = label(trace, step.node)
    st.markdown(_d(f"**{step.index + 1}.** {step.text}", lang))
    if step.phase == "forward" or node.kind == "leaf":
        if node.kind == "leaf" and step.phase == "backward":
            st.caption(t("chain.leaf", lang, node=name))
        return
    upstream = step.grads.get(step.node)
    st.markdown(_d(t("chain.upstream", lang, node=name, grad=compact(upstream, 8)), lang))
    for term in step.terms:
        src = label(trace, term.src)
        with st.container(border=True):
            st.markdown(t("chain.to_input", lang, src=src, slot=term.slot))
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
        why = f"why.{node.op}"
        text = t(why, lang) if why in catalog("en") else t("why.generic", lang)
        st.caption(t("chain.saved", lang, names=", ".join(node.saved), op=node.op,
                     meaning=friendly(node.op, lang)) + " " + text)


def _d(text: str, lang: str) -> str:
    """Numbers in the page's digits (the Bengali-digits switch); names stay as written."""
    return digits(text, lang, native_digits())


def _close(a: object, b: object) -> bool:
    import torch

    return bool(torch.allclose(a.tensor().double(), b.tensor().double(),  # type: ignore[attr-defined]
                               rtol=1e-4, atol=1e-5))
