"""Backprop Studio: see what PyTorch autograd really does.

Entry point: navigation, language switch, shared sidebar (share link); the pages live
in app_pages/ (not pages/: that folder name switches on Streamlit's old multipage
mode, which ran a deep link such as /tiny_network without this file on first load).
"""

import streamlit as st

from graphviz_tools.i18n import t
from ui.common import classroom, lang, language_switch, page_style
from ui.url_state import restore, share_link

st.set_page_config(page_title="Backprop Studio", page_icon="🔁", layout="wide",
                   initial_sidebar_state="collapsed" if "classroom" in st.query_params
                   else "auto")

PAGES = {  # url path -> (script, title key, icon)
    "expression_lab": ("app_pages/expression_lab.py", "lab.title", ":material/calculate:"),
    "tiny_network": ("app_pages/tiny_network.py", "net.title", ":material/hub:"),
    "model_anatomy": ("app_pages/model_anatomy.py", "anat.title", ":material/account_tree:"),
    "learn": ("app_pages/learn.py", "learn.title", ":material/school:"),
}
page = st.navigation([st.Page(script, title=t(title, lang()), icon=icon, url_path=path,
                              default=path == "expression_lab")
                      for path, (script, title, icon) in PAGES.items()])
name = page.url_path or "expression_lab"
restore(name)
language_switch()
page_style()
try:
    page.run()
except Exception:  # the UI language first; Streamlit's own (English) banner follows
    st.error(t("app.crash", lang()), icon=":material/error:")
    raise

with st.sidebar.expander(t("share.title", lang()), icon=":material/share:"):
    st.caption(t("share.caption", lang()))
    st.code(share_link(name, page.url_path), language=None, wrap_lines=True)
    if not classroom():
        st.caption(t("share.classroom", lang()))
