"""What every page shares: the language, the page CSS, the legend, error display."""

from __future__ import annotations

from html import escape

import streamlit as st

from backprop.core.errors import ProgramError
from backprop.draw.style import GRAD_COLOR, KINDS
from backprop.i18n import DEFAULT_LANG, LANGUAGES, digits, digits_prose, t
from ui.safe_text import error_text
from ui.widget_texts import widget_css

LANG_KEY = "lang"

# Monospace code box and a projector-friendly base size.
_CSS = """
<style>
.stTextArea textarea {font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 0.9rem; line-height: 1.45; white-space: pre; overflow-x: auto;}
.bp-legend {display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; font-size: .9rem;
  margin: .2rem 0 .6rem 0;}
.bp-legend span.sw {display: inline-block; width: 1.1em; height: .9em; margin-right: .35em;
  vertical-align: -0.1em; border: 2px solid; border-radius: 3px;}
.st-key-share {position: fixed; top: .55rem; right: 3.6rem; z-index: 999991; width: auto;}
.stMainBlockContainer {padding-top: 3.5rem;}
[data-testid="stSidebarNavLink"][href$="/expression_lab"] {display: none;}  /* app.py's alias */
@media (max-width: 640px) {  /* phones: the stage above the editor */
  .st-key-lab-top [data-testid="stHorizontalBlock"] {flex-direction: column-reverse;}}
</style>
"""
# Projector: everything a size larger (Streamlit sizes in rem), and no empty band on
# top: the header turns transparent (its buttons still work) and the page starts there.
_CLASSROOM_CSS = """<style>html {font-size: 125%;}
.stMainBlockContainer {max-width: 100%; padding-top: .6rem; padding-bottom: 2rem;}
[data-testid="stHeader"] {background: transparent;}
[data-testid="stHeader"], [data-testid="stHeader"] * {pointer-events: none !important;}
[data-testid="stHeader"] :is(button, a), [data-testid="stHeader"] :is(button, a) * {
  pointer-events: auto !important;}
.st-key-share {top: .3rem; right: 3rem;}
.bp-stage .bp-controls {padding-right: 7.5rem;}  /* the pinned Share button's corner */
</style>"""


def lang() -> str:
    """The UI language: the sidebar's choice, else the link's ?lang=, else the browser's."""
    if LANG_KEY not in st.session_state:
        browser = (st.context.locale or "").split("-")[0]
        wanted = st.query_params.get(LANG_KEY) or (browser if browser in LANGUAGES
                                                    else DEFAULT_LANG)
        st.session_state[LANG_KEY] = wanted if wanted in LANGUAGES else DEFAULT_LANG
    elif st.session_state[LANG_KEY] not in LANGUAGES:
        st.session_state[LANG_KEY] = DEFAULT_LANG
    return st.session_state[LANG_KEY]


def classroom() -> bool:
    """?classroom=1: large type for a projector, editing controls hidden."""
    return bool(st.session_state.get("classroom"))


def native_digits() -> bool:
    return bool(st.session_state.get("digits")) and lang() == "bn"


def localize(text: str) -> str:
    """Numbers in the UI's digits (Bengali digits when the switch is on); Markdown `code`
    spans keep theirs. Never for code blocks."""
    return digits_prose(text, lang(), native_digits())


def _sync_lang() -> None:
    st.query_params[LANG_KEY] = st.session_state[LANG_KEY]
    relabel()


_SETTABLE = (str, int, float)
_FREE_TEXT = frozenset({"lab.program"})  # text the learner types (a form's text area)


def relabel() -> None:
    """Re-set every chosen widget value, so each select box shows its label in the new
    language or digits: Streamlit's browser side keeps the label it last showed (the
    choice stays right, the words stay old). Buttons and uploads hold bools/None/files,
    which are skipped (their values may not be set)."""
    for key in list(st.session_state):
        if key in _FREE_TEXT:  # no label to change; re-setting it drops unsent typing
            continue
        value = st.session_state[key]
        plain = isinstance(value, _SETTABLE) and not isinstance(value, bool)
        if plain or (isinstance(value, list) and all(
                isinstance(v, _SETTABLE) and not isinstance(v, bool) for v in value) and value):
            st.session_state[key] = value


def language_switch() -> None:
    # Streamlit drops query params when the sidebar navigation or switch_page changes
    # page: write the chosen language back on every run, so the address bar keeps it.
    if st.query_params.get(LANG_KEY) != lang():
        st.query_params[LANG_KEY] = lang()
    st.sidebar.radio(t("app.language", lang()), list(LANGUAGES), key=LANG_KEY,
                     format_func=LANGUAGES.get, horizontal=True, on_change=_sync_lang)
    if lang() == "bn":
        st.sidebar.toggle(t("app.digits", lang()), key="digits", on_change=relabel)


def page_style() -> None:
    st.html(_CSS + (_CLASSROOM_CSS if classroom() else "") + widget_css(lang()))


def legend(language: str, kinds: tuple[str, ...] = ("leaf", "op", "output")) -> None:
    """The on-page legend, read from the same table as the graph's colours."""
    items = [
        f'<span><span class="sw" style="background:{k.fill};border-color:{k.border}"></span>'
        f"{escape(t(k.legend_key, language))}</span>"
        for name, k in KINDS.items() if name in kinds
    ]
    items.append(f'<span><b style="color:{GRAD_COLOR}">{escape(t("node.grad", language))}'
                 f"</b> = {escape(t('legend.grad', language))}</span>")
    st.html(f'<div class="bp-legend" role="list">{"".join(items)}</div>')


def show_error(err: ProgramError, source: str, language: str) -> None:
    """One clear message, and the offending line with a caret under the column."""
    st.error(digits(error_text(err, language), language, native_digits()),
             icon=":material/block:")  # user text escaped
    if err.original:  # Python's/PyTorch's own English text, for searching the web
        with st.expander(t("err.original", language)):
            st.code(err.original, language=None)
    if err.line is not None:
        lines = source.splitlines()
        if 0 < err.line <= len(lines):
            code = lines[err.line - 1]
            caret = " " * (max(err.col or 1, 1) - 1) + "^"
            st.code(f"{err.line:>3} | {code}\n    | {caret}", language=None)
