"""A training loop in the Expression Lab, shown as iterations (issue 13): the loss per
iteration, a chooser for the iteration to look at, and each parameter's update in it.

The page calls `iterations_panel` when a trace has iterations and draws the returned
Trace (that iteration's graph; the stage plays its forward and backward steps).
`repair_offer` offers the repaired program when pasted text lost its line breaks.
"""

from __future__ import annotations

import math
from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from backprop.core.fmt import compact
from backprop.core.graph import Iteration, Trace
from backprop.i18n import t
from backprop.sandbox.repair import repair_lines
from backprop.train.optimizers import STATE_SYMBOLS
from graphviz_tools import ProgramError


def _loss(it: Iteration) -> float | None:
    return it.loss if isinstance(it.loss, float) and math.isfinite(it.loss) else None


def loss_figure(trace: Trace, step: int, lang: str) -> go.Figure:
    """Loss per iteration, the chosen one marked. Only numbers and catalog text."""
    xs = [it.step for it in trace.iterations]
    ys = [_loss(it) for it in trace.iterations]
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines+markers", name=t("lab.iter.loss", lang),
                               marker={"size": 5}, hovertemplate="%{x}: %{y:.5g}<extra></extra>"))
    chosen = ys[step - 1] if 0 < step <= len(ys) else None
    if chosen is not None:
        fig.add_trace(go.Scatter(x=[step], y=[chosen], mode="markers", showlegend=False,
                                 marker={"size": 12, "color": "#d62728"}, hoverinfo="skip"))
    fig.update_layout(height=220, margin={"l": 40, "r": 10, "t": 30, "b": 35},
                      title={"text": t("lab.iter.loss", lang), "font": {"size": 14}},
                      xaxis_title=t("lab.iter.axis", lang), showlegend=False)
    return fig


def update_rows(it: Iteration, lang: str) -> list[dict[str, str]]:
    """Each parameter: before, gradient, after, and the optimizer's state (if any)."""
    rows = []
    for name, before in it.params_before.items():
        row = {t("net.col.param", lang): name, t("net.col.before", lang): compact(before),
               t("net.col.grad", lang): compact(it.grads.get(name)),
               t("net.col.after", lang): compact(it.params_after.get(name))}
        for k, v in it.optimizer_state.get(name, {}).items():
            row[f"{STATE_SYMBOLS.get(k, k)} ({k})"] = compact(v)
        rows.append(row)
    return rows


def iterations_panel(trace: Trace, lang: str, ns: str) -> tuple[Trace, int]:
    """Loss chart, iteration chooser and update table. Returns the chosen iteration's
    Trace (the whole run's prints kept) and its step, for the page's graph and stage."""
    its = trace.iterations
    n = len(its)
    key = ns + "iteration"
    if st.session_state.get(key, n) > n:  # a shorter loop than the last run
        st.session_state[key] = n
    st.markdown(f"**{t('lab.iter.title', lang)}**")
    st.caption(t("lab.iter.caption", lang, n=n))
    step = n
    if n > 1:
        step = st.slider(t("lab.iter.pick", lang), 1, n, value=st.session_state.get(key, n),
                         key=key)
    st.plotly_chart(loss_figure(trace, step, lang), key=ns + "iter_loss",
                    config={"displayModeBar": False})
    it = its[step - 1]
    st.caption(t("lab.iter.loss_value", lang, loss=compact_loss(it)))
    with st.expander(t("lab.iter.update", lang, step=step), expanded=True):
        if it.detail:
            st.dataframe(update_rows(it, lang), hide_index=True)
        else:
            st.info(t("lab.iter.no_detail", lang, step=step), icon=":material/info:")
    chosen = trace.iteration(step)
    if chosen is None:
        st.info(t("lab.iter.no_graph", lang, step=step), icon=":material/info:")
        return trace, n
    return _with_prints(chosen, trace), step


def compact_loss(it: Iteration) -> str:
    return f"{it.loss:.6g}" if isinstance(it.loss, float) else str(it.loss)


def _with_prints(chosen: Trace, whole: Trace) -> Trace:
    return replace(chosen, prints=whole.prints, result=whole.result,
                   final=whole.final, iterations=whole.iterations, details=whole.details)


def _use(key: str, text: str) -> None:
    st.session_state[key] = text


def repair_offer(err: ProgramError, source: str, lang: str, program_key: str) -> None:
    """Text whose line breaks were lost: show the repaired program, use it in one click."""
    if err.key != "flattened":
        return
    repaired = repair_lines(source)
    if repaired is None:
        return
    st.caption(t("lab.repair_preview", lang))
    st.code(repaired, language="python")
    st.button(t("lab.repair", lang), key=program_key + ".repair", type="primary",
              icon=":material/auto_fix_high:", on_click=_use, args=(program_key, repaired))
