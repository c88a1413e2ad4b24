"""Backprop Studio: see what PyTorch autograd really does.

Entry point: navigation, language switch and shared sidebar; pages live in pages/.
"""

import streamlit as st

from graphviz_tools.i18n import t
from ui.common import lang, language_switch, page_style

st.set_page_config(page_title="Backprop Studio", page_icon="🔁", layout="wide")
language_switch()
page_style()

pages = [
    st.Page("pages/expression_lab.py", title=t("lab.title", lang()), icon=":material/calculate:",
            url_path="lab", default=True),
    st.Page("pages/tiny_network.py", title=t("net.title", lang()), icon=":material/hub:",
            url_path="network"),
]
st.navigation(pages).run()
