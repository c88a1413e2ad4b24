"""Learn: a short guided tour; each section opens the right example in the lab."""

from __future__ import annotations

import streamlit as st

from graphviz_tools.i18n import t
from ui.common import lang

L = lang()
# (section key, Expression Lab preset or None, Tiny Network network or None)
SECTIONS = [("autograd", "seed-mean", None), ("graph", "seed-ab", None),
            ("chain", "seed-diff-squares", None), ("accumulate", "seed-zero-grad", None),
            ("sgd", None, "seed-2layer")]


def open_lab(preset: str) -> None:
    from examples.presets import PRESETS

    st.session_state["lab.preset"] = preset
    st.session_state["lab.program"] = PRESETS[preset].code
    st.session_state["lab.step"] = 1


st.title(t("learn.title", L))
st.caption(t("learn.intro", L))
for i, (key, preset, network) in enumerate(SECTIONS, start=1):
    with st.container(border=True):
        st.subheader(f"{i}. {t(f'learn.{key}.title', L)}")
        st.markdown(t(f"learn.{key}.body", L))
        if preset and st.button(t("learn.open_lab", L), key=f"learn.{key}",
                                icon=":material/arrow_forward:"):
            open_lab(preset)
            st.switch_page("app_pages/expression_lab.py")
        if network and st.button(t("learn.open_net", L), key=f"learn.{key}",
                                 icon=":material/arrow_forward:"):
            st.session_state["net.network"] = network
            st.switch_page("app_pages/tiny_network.py")
