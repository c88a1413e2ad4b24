"""A shared link <-> the session, by the table in url_state.py.

A link restores its page's state on the session's first visit (before the widgets
are made, so they start from it); `share_link()` writes the current state back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import streamlit as st

from backprop.i18n import DEFAULT_LANG, LANGUAGES, t
from ui.url_state import GLOBAL, PAGES, Clamped, Param


def _decode(kind: str, raw: str) -> Any:
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        return raw in ("1", "true", "True")
    if kind == "list":
        return [x for x in raw.split(",") if x][:200]
    return raw


def encode(kind: str, value: Any) -> str:
    if kind == "bool":
        return "1" if value else "0"
    if kind == "list":
        return ",".join(value)
    return str(value)


def restore(page: str) -> None:
    """Session state from the link, once per session and page. A value no widget
    would accept is never stored (it would fail every rerun): it is clamped into
    range or ignored, and a notice names the settings concerned."""
    done = f"_restored.{page}"
    if st.session_state.get(done):
        return
    st.session_state[done] = True
    noticed = []
    for p in GLOBAL + PAGES.get(page, ()):
        raw = st.query_params.get(p.query)
        if raw is None:
            continue
        try:
            if p.kind == "inputs":  # "x:2,y:3" -> lab.input.x = 2.0, lab.input.y = 3.0
                for pair in filter(None, raw.split(",")[:50]):
                    name, _, value = pair.partition(":")
                    if not name.isidentifier():
                        raise ValueError(name)
                    st.session_state[p.key + name] = _checked(p, float(value), noticed)
            elif p.key not in st.session_state or p in GLOBAL:
                st.session_state[p.key] = _checked(p, _decode(p.kind, raw), noticed)
        except (ValueError, OverflowError):
            noticed.append(p.query)
    if noticed:
        st.toast(t("url.ignored", lang_of(), names=", ".join(dict.fromkeys(noticed))),
                 icon=":material/link_off:")


def settle(page: str) -> None:
    """Every run, before the page: a stored value its widget would refuse is dropped
    (the widget starts from its default). After a language switch the browser can send
    a select box's old *label* back as its value; kept, it failed every later rerun."""
    for p in GLOBAL + PAGES.get(page, ()):
        if p.check is None or p.kind in ("inputs", "bool") or p.key not in st.session_state:
            continue
        try:
            p.check(st.session_state[p.key])
        except Clamped:
            continue
        except (ValueError, TypeError):
            del st.session_state[p.key]


def _checked(p: Param, value: Any, noticed: list[str]) -> Any:
    if p.check is None:
        return value
    try:
        return p.check(value)
    except Clamped as c:
        noticed.append(p.query)
        return c.value


def lang_of() -> str:
    v = st.session_state.get("lang")
    return v if v in LANGUAGES else DEFAULT_LANG


def state_query(page: str) -> dict[str, str]:
    """The current state of `page` (and the global settings) as query parameters."""
    out: dict[str, str] = {}
    for p in GLOBAL + PAGES.get(page, ()):
        if p.kind == "inputs":
            pairs = [f"{k[len(p.key):]}:{v:g}" for k, v in st.session_state.items()
                     if isinstance(k, str) and k.startswith(p.key)]
            if pairs:
                out[p.query] = ",".join(sorted(pairs))
        elif p.key in st.session_state and st.session_state[p.key] not in (None, "", []):
            out[p.query] = encode(p.kind, st.session_state[p.key])
    return out


def share_link(page: str, path: str) -> str:
    base = (st.context.url or "").split("?")[0]
    if not base.rstrip("/").endswith(path):
        base = base.rstrip("/") + ("/" + path if path else "")
    return f"{base}?{urlencode(state_query(page))}"
