"""Model Anatomy: summaries, module trees, frozen layers and readable graphs of models."""

from __future__ import annotations

import inspect
from dataclasses import replace

import streamlit as st
from torch import nn

from backprop.anatomy.attribution import ModelTrace, collapse, modules_at, trace_model
from backprop.draw.dot import to_dot
from backprop.i18n import t
from backprop.train.checkpoint import MAX_BYTES, LoadReport, load_state, save_bytes
from examples.models import MODELS, Bottleneck, ModelSpec, ResNet50
from examples.snippets import VGG_FEATURES
from graphviz_tools import ProgramError
from ui.checkpoint import State, names_warning, restore
from ui.common import classroom, lang, legend, localize, native_digits, show_error
from ui.exports import csv_bytes, graph_downloads
from ui.safe_text import safe_t

P = "anat."
L = lang()


def build(spec: ModelSpec, frozen: tuple[str, ...], state: State | None = None
          ) -> tuple[nn.Module, LoadReport | None]:
    """The model, with a restored checkpoint's tensors (read in a worker: ui/checkpoint.py)
    copied in: the page shows THIS model. The report says what did not fit."""
    model = spec.materialized() if state is not None else spec.build()
    report = None if state is None else load_state(model, dict(state))
    for name, module in model.named_children():
        if name in frozen:
            module.requires_grad_(False)  # frozen: no AccumulateGrad, not trainable
    return model, report


@st.cache_data(max_entries=64, show_spinner=False)
def traced(name: str, frozen: tuple[str, ...], digest: str | None = None,
           _state: State | None = None) -> ModelTrace:
    """One trace per model and checkpoint (by its digest: `_state` is not hashed),
    whatever the language (switching it traces nothing again)."""
    spec = MODELS[name]
    return trace_model(name, build(spec, frozen, _state)[0], spec.example())


def output_named(mt: ModelTrace) -> ModelTrace:
    """The output node called "output" in the page's language (a label, no rerun)."""
    word = t("kind.output", L)
    nodes = tuple(replace(n, name=word) if n.kind == "output" else n for n in mt.graph.nodes)
    return replace(mt, graph=replace(mt.graph, nodes=nodes))


def fmt_n(n: int) -> str:
    return localize(f"{n:,}")


def fmt_shape(shape: tuple[int, ...] | None) -> str:
    return localize("×".join(map(str, shape))) if shape else ""


TRAINABLE = {"yes": "✓", "no": "✗", "none": "—"}


def reset_view() -> None:
    for k in (P + "freeze", P + "expand", P + "depth", P + "upload"):
        st.session_state.pop(k, None)


st.title(t("anat.title", L))
st.caption(t("anat.intro", L))
name = st.selectbox(t("anat.model", L), list(MODELS), key=P + "model", on_change=reset_view,
                    format_func=lambda k: t(f"model.{k}", L))
spec = MODELS[name]
children = [n for n, _ in spec.build().named_children()]  # (meta/tiny: cheap to build)
c1, c2, c3 = st.columns([2, 2, 3])
st.session_state[P + "freeze"] = [c for c in st.session_state.get(P + "freeze", [])
                                  if c in children]  # a link may name another model's
frozen = tuple(c1.multiselect(t("anat.freeze", L), children, key=P + "freeze",
                              help=t("anat.freeze_help", L), disabled=classroom(),
                              placeholder=t("widget.choose" if children else "widget.none", L)))
deepest = 4 if spec.meta or name == "transformer-block" else 2
st.session_state.setdefault(P + "depth", 1)
if st.session_state[P + "depth"] > deepest:
    st.session_state[P + "depth"] = 1
depth = c2.select_slider(t("anat.depth", L), list(range(deepest + 1)), key=P + "depth",
                         format_func=lambda d: t("anat.full", L) if d == 0 else localize(str(d)),
                         help=t("anat.depth_help", L))
# a checkpoint uploaded on this model (the widget's value is there before it is drawn)
upload = None if spec.meta else st.session_state.get(P + "upload")
digest, state, load_error = None, None, None
if upload is not None:
    try:  # read in a worker, once per distinct file; never unpickled here
        digest, state = restore(upload)
    except ProgramError as err:
        load_error = err
mt = output_named(traced(name, frozen, digest, state))
choices = modules_at(mt, depth) if depth else []
st.session_state[P + "expand"] = [c for c in st.session_state.get(P + "expand", [])
                                  if c in choices]
expand = frozenset(c3.multiselect(t("anat.expand", L), choices, key=P + "expand",
                                  disabled=not depth or not choices,
                                  placeholder=t("widget.choose" if choices else "widget.none",
                                                L)))

s = mt.summary
m1, m2, m3, m4, m5 = st.columns([3, 3, 2, 2, 2])  # room for 138,357,544 (VGG-16)
m1.metric(t("anat.total", L), fmt_n(s.total_params))
m2.metric(t("anat.trainable", L), fmt_n(s.trainable_params))
m3.metric(t("anat.non_trainable", L), fmt_n(s.non_trainable_params))
m4.metric(t("anat.buffers", L), fmt_n(s.buffers))
m5.metric(t("anat.nodes", L), fmt_n(len(mt.graph.nodes)))
if spec.published is not None:
    st.caption(localize(t("anat.published", L, n=f"{spec.published:,}")))
if s.buffers:
    st.caption(localize(t("anat.buffers_note", L, counts=", ".join(
        f"{k} {v:,}" for k, v in s.buffer_counts.items()))))
if name == "resnet50":
    st.caption(localize(t("anat.keras.resnet50", L)))
if spec.meta:
    st.caption(t("anat.meta", L) + " " + t("anat.no_weights", L))
if len(spec.input_shape) == 4:
    st.caption(localize(t("anat.nchw", L)))
if state is not None:
    st.success(t("anat.restored", L), icon=":material/restore:")

graph_col, info_col = st.columns([3, 2], gap="large")
with graph_col:
    st.subheader(t("anat.graph", L))
    if depth:
        graph, labels = collapse(mt, depth, expand, L, native_digits())
        dot = to_dot(graph, L, rankdir="TB", labels=labels, values=not spec.meta,
                     native_digits=native_digits())
    else:  # the full autograd graph, boxed by top-level module
        top = {i: p.split(".")[0] for i, p in mt.node_module.items() if p}
        dot = to_dot(mt.graph, L, rankdir="TB", values=not spec.meta, clusters=top,
                     native_digits=native_digits())
    st.graphviz_chart(dot, width="content",
                      alt=t("anat.graph_alt", L, n=len(mt.graph.nodes), model=name))
    legend(L, ("leaf", "op", "output", "module"))
    graph_downloads(dot, f"{name}-graph", L, P + "dl")
with info_col:
    # keyed: a restored checkpoint adds a notice above, and an unkeyed tab strip would be
    # a new one, back on Summary, just when the Checkpoint tab has its report
    tab_sum, tab_tree, tab_params, tab_code, tab_ckpt = st.tabs(
        [t("anat.tab.summary", L), t("anat.tab.tree", L), t("anat.tab.params", L),
         t("anat.tab.code", L), t("anat.tab.ckpt", L)], key=P + "tabs")
    with tab_sum:
        st.caption(t("anat.rows_note", L))
        rows = [{t("anat.col.layer", L): localize(r.name),
                 t("anat.col.type", L): r.type if r.kind == "module"
                 else f"{t('anat.op_row', L)}: {r.type}",
                 t("anat.col.shape", L): fmt_shape(r.output_shape),
                 t("anat.col.params", L): fmt_n(r.params),
                 t("anat.col.trainable", L): TRAINABLE.get(r.trainable_state)
                 or t("anat.partly", L),
                 t("anat.col.buffers", L): fmt_n(r.buffers)}
                for r in s.layers]
        st.dataframe(rows, hide_index=True)
        if name == "vgg16":
            st.caption(localize(t("anat.vgg_features", L,
                                  shape=fmt_shape(mt.shapes.get("features")))))
            st.code(VGG_FEATURES, language="python")
        st.download_button(t("export.summary", L), csv_bytes(rows),
                           file_name=f"{name}-summary.csv", mime="text/csv",
                           key=P + "dl_csv", icon=":material/download:")
    model, report = build(spec, frozen, state)  # the tree, the parameters, the checkpoint
    with tab_tree:
        st.code(repr(model), language=None)  # PyTorch's own module tree
    with tab_params:
        if name == "seed-lazy":
            st.caption(t("anat.lazy_before", L))
            st.code("\n".join(f"{n}: {type(p).__name__}" for n, p in model.named_parameters()),
                    language=None)
            model(spec.example())
            st.caption(localize(t("anat.lazy_after", L)))
        st.dataframe([{t("anat.col.param", L): n, t("anat.col.shape", L):
                       fmt_shape(tuple(p.shape)) or t("fmt.scalar", L),
                       t("anat.col.params", L): fmt_n(p.numel()),
                       t("anat.col.trainable", L): "✓" if p.requires_grad else "✗"}
                      for n, p in model.named_parameters()], hide_index=True)
    with tab_code:
        source = inspect.getsource(spec.cls)
        if spec.cls is ResNet50:  # its building block too
            source = inspect.getsource(Bottleneck) + "\n\n" + source
        st.code(source, language="python")
    with tab_ckpt:
        if spec.meta:
            st.info(t("anat.ckpt_meta", L), icon=":material/info:")
        else:
            if name == "seed-lazy":
                model(spec.example())  # a lazy layer has no weights to save before a call
            st.download_button(t("anat.download", L), lambda: save_bytes(model),
                               file_name=f"{name}.pt", key=P + "download",
                               icon=":material/download:")
            limit = min(MAX_BYTES // 1_000_000, st.get_option("server.maxUploadSize"))
            st.file_uploader(localize(t("anat.upload", L, limit=limit)),
                             type=["pt", "pth", "bin"], key=P + "upload",
                             max_upload_size=limit)
            if load_error is not None:
                show_error(load_error, "", L)
            elif isinstance(report, LoadReport):
                st.success(localize(t("anat.loaded", L, n=len(report.loaded))))
                for key, items in (("anat.missing", report.missing),
                                   ("anat.unexpected", report.unexpected)):
                    if items:  # at most 20 names of 80 characters, then how many more
                        st.warning(localize(names_warning(key, items, L)))
                for n, want, got in report.wrong_shape:  # (at most one per model tensor)
                    st.warning(localize(safe_t("anat.wrong_shape", L, name=n, want=want,
                                              got=got)))
