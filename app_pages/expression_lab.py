"""Expression Lab: type PyTorch (or pick a preset), see the real autograd graph."""

from __future__ import annotations

import streamlit as st

from backprop.core.fmt import compact, full, number, shape
from backprop.i18n import LANGUAGES, t
from backprop.sandbox.expression import parse
from backprop.sandbox.language import TENSOR_ATTRS, TENSOR_METHODS, TORCH_FUNCTIONS
from backprop.teach.fd import verdict
from backprop.teach.ops import friendly
from backprop.teach.steps import steps
from examples.presets import DEFAULT_PRESET, PRESETS
from graphviz_tools import ProgramError, Trace, to_dot
from ui.common import classroom, lang, legend, localize, native_digits, show_error
from ui.exports import graph_downloads
from ui.first_paint import stage_first
from ui.iterations import iterations_panel, repair_offer  # issue 13 (loops lane)
from ui.lab_runs import fd_once, run_once
from ui.safe_text import md_escape, safe_t
from ui.stepper import MAX_ANIMATED, detail_view, stepper

P = "lab."  # this page's session-state namespace
MAX_DRAWN = 400  # nodes: bigger graphs are unreadable in a browser tab; the table lists them
L = lang()
STAGE_DRAWN = '.bp-stage[data-ready="1"] .main-svg'  # the player has drawn its first frame


def load_preset() -> None:
    key = st.session_state.get(P + "preset")
    if key not in PRESETS:  # after a language switch the browser may send the old label
        st.session_state[P + "preset"] = preset_of_label(key)
        return  # nobody picked a preset: the program stays
    preset = PRESETS[key]
    st.session_state[P + "program"] = preset.code_in(L)  # comments in the page's language
    for key in [k for k in st.session_state if k.startswith(P + "input.")]:
        del st.session_state[key]


def preset_of_label(label: object) -> str:
    return next((k for k in PRESETS for lg in LANGUAGES
                 if t(f"preset.{k}.title", lg) == label), DEFAULT_PRESET)


if P + "program" not in st.session_state:  # first visit: the link's preset, or the book's
    if st.session_state.get(P + "preset") not in PRESETS:
        st.session_state[P + "preset"] = DEFAULT_PRESET
    load_preset()


def editor() -> tuple[str, tuple[str, ...]]:
    """Preset picker, the program (a code box; read-only on the projector), inputs."""
    st.selectbox(t("lab.preset", L), list(PRESETS), key=P + "preset", on_change=load_preset,
                 format_func=lambda k: t(f"preset.{k}.title", L))
    preset = PRESETS[st.session_state[P + "preset"]]
    if st.session_state[P + "program"] in preset.variants():  # unchanged: this language's
        st.session_state[P + "program"] = preset.code_in(L)
    source: str = st.session_state[P + "program"]
    if source == preset.code_in(L):
        st.caption(localize(t(f"preset.{preset.key}.about", L)))
    if classroom():  # projector: the program is shown, not edited
        st.code(source, language="python")
    else:
        with st.form(P + "form", border=False):
            lines = source.count("\n") + 1
            st.text_area(t("lab.code", L), key=P + "program",
                         height=min(max(8, lines + 1), 24) * 23 + 20)  # fit the program
            st.form_submit_button(t("lab.run", L), type="primary",
                                  icon=":material/play_arrow:", key=P + "run")
        st.caption(t("lab.run_hint", L))
    try:
        free_names = parse(source).free_names
    except ProgramError:
        free_names = ()
    if free_names:
        st.markdown(f"**{t('lab.inputs', L)}**")
        st.caption(t("lab.inputs_help", L))
        cols = st.columns(min(len(free_names), 3))
        for i, name in enumerate(free_names):
            # seeded in state (not value=): a shared link may have set it already
            st.session_state.setdefault(f"{P}input.{name}", float(preset.inputs.get(name, 1.0)))
            cols[i % len(cols)].number_input(md_escape(name), key=f"{P}input.{name}", step=0.1,
                                             format="%.4f", disabled=classroom())
    with st.expander(t("lab.allowed", L), expanded=False):
        st.markdown(t("lab.allowed_body", L))
        fns = sorted(n.replace("torch.nn.functional.", "F.") for n in TORCH_FUNCTIONS)
        st.markdown("**torch / F:** " + ", ".join(f"`{n}`" for n in fns))
        st.markdown(t("lab.allowed_methods", L) + " "
                    + ", ".join(f"`.{m}()`" for m in sorted(TENSOR_METHODS)))
        st.markdown(t("lab.allowed_attrs", L) + " "
                    + ", ".join(f"`.{a}`" for a in sorted(TENSOR_ATTRS)))
    return source, free_names


def the_stage(source: str, inputs: tuple[tuple[str, float], ...]) -> Trace | None:
    """The one graph on screen: the stage, opening on every value and gradient."""
    trace = run_once(source, inputs, PRESETS[st.session_state[P + "preset"]])
    if isinstance(trace, ProgramError):  # said here, in the page's language
        show_error(trace, source, L)
        repair_offer(trace, source, L, P + "program")  # issue 13: lost line breaks
        return None
    # issue 13 (loops lane): a training loop is shown per iteration; the stage and the
    # tables below show the chosen iteration's Trace
    iteration = 0
    if trace.iterations:
        trace, iteration = iterations_panel(trace, L, P)
    if len(trace.graph.nodes) > MAX_DRAWN:  # the table below still lists every node
        st.info(t("lab.too_big", L, n=len(trace.graph.nodes), limit=MAX_DRAWN),
                icon=":material/table:")
    else:
        stepper(trace, L, P, (source, inputs, iteration), details=False,
                fit_vh=1.0 if classroom() else 0.92, fallback_dot=dot_of(trace))
    return trace


def dot_of(trace: Trace) -> str:
    return to_dot(trace, L, rankdir="TB", native_digits=native_digits())  # TB fits a column


def notes(trace: Trace) -> None:
    """What the app did for the learner, said plainly."""
    last, out = trace.last_pass, trace.output_node
    if last is not None and last.implicit:
        st.info(safe_t("lab.note.summed" if last.summed else "lab.note.implicit", L,
                       name=out.name), icon=":material/info:")
    if len(trace.passes) > 1:
        st.info(localize(t("lab.note.passes", L, n=len(trace.passes))),
                icon=":material/add_circle:")
    values = [v for n in trace.graph.nodes for v in (n.value, n.grad) if v is not None]
    if not all(v.finite for v in values):
        st.warning(t("lab.nonfinite", L), icon=":material/warning:")


def inputs_of(source: str, free_names: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    preset = PRESETS[st.session_state[P + "preset"]]
    return tuple((n, float(st.session_state.get(f"{P}input.{n}", preset.inputs.get(n, 1.0))))
                 for n in free_names)


if classroom():  # projector: the stage first, at the top of the screen; the rest below
    stage_box = st.container()
    source, free_names = editor()
    inputs = inputs_of(source, free_names)
    with stage_box:
        trace = the_stage(source, inputs)
else:
    st.title(t("lab.title", L))
    with st.container(key="lab-top"):  # phones: the stage above the editor (CSS)
        left, right = st.columns([2, 3], gap="medium")
    with left:
        source, free_names = editor()
        st.caption(t("lab.intro", L))  # below the editor: the stage starts high on the page
    inputs = inputs_of(source, free_names)
    with right:
        trace = the_stage(source, inputs)
if trace is None or not stage_first(STAGE_DRAWN):  # first load: the stage first
    st.stop()
notes(trace)
last = trace.last_pass
lines = list(trace.prints) + ([f"{t('lab.out', L)} {trace.result}"] if trace.result else [])
st.markdown(f"**{t('lab.tab.output', L)}**")
if lines:
    st.code("\n".join(lines), language=None)
else:
    st.caption(t("lab.no_prints", L))

tab_check, tab_table, tab_inspect, tab_steps = st.tabs(
    [t("lab.tab.check", L), t("lab.tab.table", L), t("lab.tab.inspect", L),
     t("lab.tab.steps", L)])

with tab_steps:  # the chain rule with LaTeX for a chosen step, the transcript, the export
    if len(trace.graph.nodes) <= MAX_ANIMATED:
        detail_view(trace, steps(trace), L, P)

with tab_check:
    st.caption(localize(t("lab.check.caption", L)))
    leaves = [n for n in trace.leaves() if n.name]
    checks = fd_once(source, inputs, tuple(n.name for n in leaves),
                     PRESETS[st.session_state[P + "preset"]])
    rows = []
    for n in leaves:
        got = last.grads_in.get(n.id) if last else None
        fd = checks.get(n.name)
        if got is None or fd is None:
            rows.append({t("col.input", L): n.name, t("col.autograd", L): compact(got),
                         t("col.fd", L): "—", t("col.diff", L): "—", t("col.ok", L): "—",
                         t("col.reason", L): ""})
            continue
        flat = got.tensor().flatten().tolist()[: fd.checked]
        v = verdict(flat, fd.estimate)  # the engine decides ✓/✗ and why (NaN is ✗)
        fd_text = ", ".join(number(x) for x in fd.estimate)
        if fd.checked < fd.total:
            fd_text += f", … ({fd.checked}/{fd.total})"
        rows.append({t("col.input", L): n.name, t("col.autograd", L): localize(compact(got, 16)),
                     t("col.fd", L): localize(fd_text), t("col.diff", L): localize(f"{v.diff:.1e}"),
                     t("col.ok", L): "✓" if v.ok else "✗", t("col.reason", L): t(v.reason, L)})
    st.dataframe(rows, hide_index=True)

with tab_table:
    st.dataframe(
        [{t("col.id", L): n.id, t("col.name", L): n.name or "", t("col.kind", L):
          t(f"kind.{n.kind}", L), t("col.op", L): n.op or "",
          t("col.meaning", L): friendly(n.op, L), t("col.shape", L):
          localize(shape(n.value, L)) if n.value else "",
          t("col.value", L): localize(compact(n.value, 8)),
          t("col.grad", L): localize(compact(n.grad, 8))} for n in trace.graph.nodes],
        hide_index=True)

with tab_inspect:
    ids = [n.id for n in trace.graph.nodes]
    pick = st.selectbox(t("lab.inspect.node", L), ids, index=len(ids) - 1, key=P + "inspect",
                        format_func=lambda i: f"{i} · {trace.graph.node(i).name or ''} "
                                              f"{trace.graph.node(i).op or ''}".strip())
    node = trace.graph.node(pick)
    c1, c2 = st.columns(2)
    c1.markdown(f"**{t('node.value', L)}** ({shape(node.value, L) if node.value else '—'})")
    c1.code(full(node.value), language=None)
    c2.markdown(f"**{t('node.grad', L)}**")
    c2.code(full(node.grad), language=None)
    if node.saved:
        st.caption(t("lab.inspect.saved", L, names=", ".join(node.saved)))

with st.expander(t("lab.files", L), icon=":material/download:"):
    dot = dot_of(trace)
    legend(L)
    graph_downloads(dot, "autograd-graph", L, P + "dl")
    st.code(dot, language="dot")
