"""Backprop Studio: see what PyTorch autograd really does.

Entry point: navigation, language switch and shared sidebar; pages live in app_pages/.
"""

import streamlit as st

from graphviz_tools.i18n import t
from ui.common import lang, language_switch, page_style

st.set_page_config(page_title="Backprop Studio", page_icon="🔁", layout="wide")
language_switch()
page_style()

pages = [
    # Pages live in app_pages/, not pages/: Streamlit treats a pages/ folder as the old
    # multipage app and ran a deep link (/tiny_network) without this file on first load.
    st.Page("app_pages/expression_lab.py", title=t("lab.title", lang()),
            icon=":material/calculate:", default=True),
    st.Page("app_pages/tiny_network.py", title=t("net.title", lang()), icon=":material/hub:"),
    st.Page("app_pages/model_anatomy.py", title=t("anat.title", lang()),
            icon=":material/account_tree:"),
]
st.navigation(pages).run()
