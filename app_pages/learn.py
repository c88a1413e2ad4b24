"""Learn: a short guided tour; each section opens the right example in the lab."""

from __future__ import annotations

import streamlit as st

from backprop.i18n import t
from ui.common import lang, localize

L = lang()
# (section key, Expression Lab preset or None, Tiny Network network or None)
SECTIONS = [("autograd", "seed-mean", None), ("graph", "seed-ab", None),
            ("chain", "seed-diff-squares", None), ("leaf", "leaf-grad", None),
            ("accumulate", "seed-zero-grad", None), ("clip", "seed-clip", None),
            ("sgd", None, "seed-2layer")]


def open_lab(preset: str) -> None:
    from examples.presets import PRESETS

    st.session_state["lab.preset"] = preset
    st.session_state["lab.program"] = PRESETS[preset].code_in(L)
    st.session_state["lab.step"] = 1


st.title(t("learn.title", L))
st.caption(localize(t("learn.intro", L, n=len(SECTIONS))))
keep = {"lang": L}  # switch_page drops the address bar's query params: carry the language
for i, (key, preset, network) in enumerate(SECTIONS, start=1):
    with st.container(border=True):
        st.subheader(localize(f"{i}. {t(f'learn.{key}.title', L)}"))
        st.markdown(localize(t(f"learn.{key}.body", L)))
        if preset and st.button(t("learn.open_lab", L), key=f"learn.{key}",
                                icon=":material/arrow_forward:"):
            open_lab(preset)
            st.switch_page("app_pages/expression_lab.py", query_params=keep)
        if network and st.button(t("learn.open_net", L), key=f"learn.{key}",
                                 icon=":material/arrow_forward:"):
            st.session_state["net.network"] = network
            st.switch_page("app_pages/tiny_network.py", query_params=keep)
