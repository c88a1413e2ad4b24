"""Backprop Studio: see what PyTorch autograd really does.

Entry point: navigation, language switch, the Share button; the pages live
in app_pages/ (not pages/: that folder name switches on Streamlit's old multipage
mode, which ran a deep link such as /tiny_network without this file on first load).
"""

import streamlit as st

from backprop.i18n import t
from backprop.sandbox.envelope import prestart
from ui.common import lang, language_switch, page_style
from ui.first_paint import begin, waiting
from ui.share import share_button
from ui.stage import preload
from ui.url_sync import restore, settle

st.set_page_config(page_title="Backprop Studio", page_icon="🔁", layout="wide",
                   initial_sidebar_state="collapsed" if "classroom" in st.query_params
                   else "auto")

PAGES = {  # url path -> (script, title key, icon)
    "expression_lab": ("app_pages/expression_lab.py", "lab.title", ":material/calculate:"),
    "tiny_network": ("app_pages/tiny_network.py", "net.title", ":material/hub:"),
    "model_anatomy": ("app_pages/model_anatomy.py", "anat.title", ":material/account_tree:"),
    "learn": ("app_pages/learn.py", "learn.title", ":material/school:"),
}
# The default page lives at /, so Streamlit answers /expression_lab (its name in the menu,
# typed by hand) with "Page not found": there, the lab is served under its name too (the
# root entry, which still reserves a url_path, takes another; ui.common hides the twin).
ALIAS = (st.context.url or "").rstrip("/").endswith("/expression_lab")
pages = [st.Page(script, title=t(title, lang()), icon=icon, default=path == "expression_lab",
                 url_path="lab-root" if ALIAS and path == "expression_lab" else path)
         for path, (script, title, icon) in PAGES.items()]
if ALIAS:
    script, title, icon = PAGES["expression_lab"]
    pages.append(st.Page(script, title=t(title, lang()), icon=icon, url_path="expression_lab"))
page = st.navigation(pages)
name = page.url_path or "expression_lab"
if "_envelope" not in st.session_state:  # once per session; the pool is per process
    st.session_state["_envelope"] = True
    prestart()
restore(name)
settle(name)  # issue 11: no stored value that a widget would refuse
language_switch()
page_style()
share = st.container(key="share")  # pinned to the top bar by CSS: no room taken
with share:
    preload()  # plotly.js starts loading now, while the page computes
begin()
try:
    page.run()
except Exception:  # the UI language first; Streamlit's own (English) banner follows
    st.error(t("app.crash", lang()), icon=":material/error:")
    raise
finally:  # after the page (its state is what the link carries), even if it stopped early
    if not waiting():  # a first load: the Share popover comes with the rest of the page
        share_button(share, name, page.url_path)
