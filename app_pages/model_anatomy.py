"""Model Anatomy: summaries, module trees, frozen layers and readable graphs of models."""

from __future__ import annotations

import inspect

import streamlit as st

from examples.models import MODELS, Bottleneck, ModelSpec, ResNet50
from graphviz_tools import ProgramError
from graphviz_tools.anatomy import ModelTrace, collapse, modules_at, trace_model
from graphviz_tools.checkpoint import load_bytes, save_bytes
from graphviz_tools.dot import to_dot
from graphviz_tools.i18n import t
from ui.common import classroom, lang, legend, show_error
from ui.exports import csv_bytes, graph_downloads
from ui.safe_text import safe_t

P = "anat."
L = lang()


def build(spec: ModelSpec, frozen: tuple[str, ...]):  # noqa: ANN201
    model = spec.build()
    for name, module in model.named_children():
        if name in frozen:
            module.requires_grad_(False)  # frozen: no AccumulateGrad, not trainable
    return model


@st.cache_data(max_entries=64, show_spinner=False)
def traced(name: str, frozen: tuple[str, ...]) -> ModelTrace:
    spec = MODELS[name]
    return trace_model(name, build(spec, frozen), spec.example())


def reset_view() -> None:
    for k in (P + "freeze", P + "expand", P + "model_obj", P + "depth"):
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
                              help=t("anat.freeze_help", L), disabled=classroom()))
deepest = 4 if spec.meta or name == "transformer-block" else 2
st.session_state.setdefault(P + "depth", 1)
if st.session_state[P + "depth"] > deepest:
    st.session_state[P + "depth"] = 1
depth = c2.select_slider(t("anat.depth", L), list(range(deepest + 1)), key=P + "depth",
                         format_func=lambda d: t("anat.full", L) if d == 0 else str(d),
                         help=t("anat.depth_help", L))
mt = traced(name, frozen)
choices = modules_at(mt, depth) if depth else []
st.session_state[P + "expand"] = [c for c in st.session_state.get(P + "expand", [])
                                  if c in choices]
expand = frozenset(c3.multiselect(t("anat.expand", L), choices, key=P + "expand",
                                  disabled=not depth))

s = mt.summary
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("anat.total", L), f"{s.total_params:,}")
m2.metric(t("anat.trainable", L), f"{s.trainable_params:,}")
m3.metric(t("anat.non_trainable", L), f"{s.non_trainable_params:,}")
m4.metric(t("anat.nodes", L), len(mt.graph.nodes))
if spec.published is not None:
    st.caption(t("anat.published", L, n=f"{spec.published:,}"))
if spec.meta:
    st.caption(t("anat.meta", L))

graph_col, info_col = st.columns([3, 2], gap="large")
with graph_col:
    st.subheader(t("anat.graph", L))
    if depth:
        graph, labels = collapse(mt, depth, expand)
        dot = to_dot(graph, L, rankdir="TB", labels=labels, values=not spec.meta)
    else:  # the full autograd graph, boxed by top-level module
        top = {i: p.split(".")[0] for i, p in mt.node_module.items() if p}
        dot = to_dot(mt.graph, L, rankdir="TB", values=not spec.meta, clusters=top)
    st.graphviz_chart(dot, width="content",
                      alt=t("anat.graph_alt", L, n=len(mt.graph.nodes), model=name))
    legend(L, ("leaf", "op", "output", "module"))
    graph_downloads(dot, f"{name}-graph", L, P + "dl")
with info_col:
    tab_sum, tab_tree, tab_params, tab_code, tab_ckpt = st.tabs(
        [t("anat.tab.summary", L), t("anat.tab.tree", L), t("anat.tab.params", L),
         t("anat.tab.code", L), t("anat.tab.ckpt", L)])
    with tab_sum:
        rows = [{t("anat.col.layer", L): r.name, t("anat.col.type", L): r.type,
                 t("anat.col.shape", L): "×".join(map(str, r.output_shape))
                 if r.output_shape else "", t("anat.col.params", L): r.params,
                 t("anat.col.trainable", L): "✓" if r.trainable else "✗"}
                for r in s.layers]
        st.dataframe(rows, hide_index=True)
        st.download_button(t("export.summary", L), csv_bytes(rows),
                           file_name=f"{name}-summary.csv", mime="text/csv",
                           key=P + "dl_csv", icon=":material/download:")
    model = build(spec, frozen)  # one instance for the tree, the parameters, the checkpoint
    with tab_tree:
        st.code(repr(model), language=None)  # PyTorch's own module tree
    with tab_params:
        if name == "seed-lazy":
            st.caption(t("anat.lazy_before", L))
            st.code("\n".join(f"{n}: {type(p).__name__}" for n, p in model.named_parameters()),
                    language=None)
            model(spec.example())
            st.caption(t("anat.lazy_after", L))
        st.dataframe([{t("anat.col.param", L): n, t("anat.col.shape", L):
                       "×".join(map(str, p.shape)) or "scalar",
                       t("anat.col.params", L): p.numel(),
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
            # the session's own instance: a restored state_dict stays with it
            obj = st.session_state.setdefault(P + "model_obj", model)
            st.download_button(t("anat.download", L), lambda: save_bytes(obj),
                               file_name=f"{name}.pt", key=P + "download",
                               icon=":material/download:")
            upload = st.file_uploader(t("anat.upload", L), type=["pt", "pth", "bin"],
                                      key=P + "upload")
            if upload is not None:
                try:
                    report = load_bytes(obj, upload.getvalue(), sandboxed=True)
                except ProgramError as err:
                    show_error(err, "", L)
                else:
                    st.success(t("anat.loaded", L, n=len(report.loaded)))
                    for key, items in (("anat.missing", report.missing),
                                       ("anat.unexpected", report.unexpected)):
                        if items:
                            st.warning(safe_t(key, L, names=", ".join(items)))
                    for n, want, got in report.wrong_shape:
                        st.warning(safe_t("anat.wrong_shape", L, name=n, want=want,
                                          got=got))
