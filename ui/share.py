"""The Share button: one visible button on every page (the sidebar stays collapsed in
class) with a short link and its QR code for the projector.

The link carries only what differs from the defaults (a preset's own code and
inputs are named by the preset), and a link made on the projector opens the normal,
editable view for students unless the teacher ticks the box.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backprop.i18n import DEFAULT_LANG, t
from examples.presets import PRESETS
from ui import net_defaults
from ui.common import classroom, lang
from ui.url_state import PAGES
from ui.url_sync import encode, state_query


def short_query(page: str, projector: bool = False) -> dict[str, str]:
    """state_query() without what the defaults already say."""
    q = state_query(page)
    if q.get("lang") == DEFAULT_LANG:
        q.pop("lang")
    if q.get("digits") in ("0", None):
        q.pop("digits", None)
    q.pop("classroom", None)
    if projector:
        q["classroom"] = "1"
    preset = PRESETS.get(q.get("preset", ""))
    if preset is not None and q.get("program") in preset.variants():
        q.pop("program")  # the preset names the code
        mine = {f"{k}:{v:g}" for k, v in preset.inputs.items()}
        if set(filter(None, q.get("inputs", "").split(","))) <= mine:
            q.pop("inputs", None)
    if q.get("step") in ("0", "1"):
        q.pop("step")
    if page == "tiny_network":
        _network_short(q)
    return q


def _network_short(q: dict[str, str]) -> None:
    """The Tiny Network's link without the settings a fresh page would have anyway, and
    without the race's settings while no race was run (the link is a QR code on the
    projector: the shorter, the easier to scan from the back of the room)."""
    fresh = net_defaults.fresh(st.session_state)
    for p in PAGES["tiny_network"]:
        if p.key in fresh and q.get(p.query) == encode(p.kind, fresh[p.key]):
            q.pop(p.query)
    if q.get("race") != "1":
        for p in PAGES["tiny_network"]:
            if p.key.startswith("race."):
                q.pop(p.query, None)
    if "trained" not in q or q.get("view") == "1":  # the deep view's step, when it says one
        q.pop("view", None)


def link(page: str, path: str, projector: bool = False) -> str:
    base = (st.context.url or "").split("?")[0]
    if not base.rstrip("/").endswith(path):
        base = base.rstrip("/") + ("/" + path if path else "")
    query = urlencode(short_query(page, projector))
    return base + (f"?{query}" if query else "")


QR_MAX = 600  # characters: a denser code is not readable from the back of a room


@st.cache_data(max_entries=256, show_spinner=False)  # 0.4 s of pure Python per code
def qr_svg(text: str) -> str | None:
    """The QR code as a standalone SVG document (shown as an image, never as markup);
    None when the text does not fit in a QR code."""
    import segno
    from segno.encoder import DataOverflowError

    buf = io.BytesIO()
    try:
        code = segno.make(text, error="m")
    except DataOverflowError:
        return None
    code.save(buf, kind="svg", scale=5, border=2, xmldecl=False, dark="#000000",
              light="#ffffff")
    return buf.getvalue().decode("utf-8")


def share_button(slot: DeltaGenerator, page: str, path: str) -> None:
    """A Share popover in `slot` (pinned to the top bar by CSS): the link, a QR code,
    and on the projector the choice of what students get."""
    L = lang()
    with slot, st.popover(t("share.button", L), icon=":material/share:"):
        projector = classroom() and st.checkbox(t("share.students_projector", L),
                                                key="share.projector")
        url = link(page, path, projector)
        # the QR code first: on the projector it must be whole on the first screen
        svg = qr_svg(url) if len(url) <= QR_MAX else None
        if svg is None:
            st.caption(t("share.too_long", L))
        else:
            st.image(svg, caption=t("share.qr_alt", L), width=240)
        st.code(url, language=None, wrap_lines=True)
        st.caption(t("share.caption", L) + " " + t("share.short", L))
        if not classroom():
            st.caption(t("share.classroom", L))
