"""A minimal Streamlit protocol client: what a student's browser asks of the server, without
the browser (`python -m bench --classroom N --clients protocol`).

One visit = one link opened in a fresh page: GET the page's HTML, /_stcore/health and
/_stcore/host-config (what the frontend fetches before it connects; the ~140 static
files a fresh browser also fetches are left out), open /_stcore/stream (a new session,
as a browser's navigation does), send the BackMsg the frontend sends to run the page
(rerun_script with query_string, page_name, context_info), and read ForwardMsgs. The
stage's data is the components-v2 element whose JSON holds "fit_vh". On a session's
first load the app stops after the stage and mounts `bp_first_paint` (ui/first_paint.py);
the browser reports the stage drawn with that component's trigger, here sent as soon as
the first run finishes (a browser sends it once it has drawn the stage: later), and the
server then runs the whole page (told which messages the page already holds, as the
frontend's message cache does, so they come back as references). The visit ends at
the run's `script_finished`.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlparse

import websockets
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

STAGE_DATA = '"fit_vh"'  # in the stage's components-v2 JSON (both pages' player)
FIRST_PAINT = "bp_first_paint"  # the component that reports the stage drawn
UA = "Mozilla/5.0 (X11; Linux x86_64) bench-wsclient"  # the app waits only for browsers
TIMEOUT_S = 120.0


@dataclass
class Visit:
    stage_s: float = 0.0  # link opened -> the stage's data received
    done_s: float = 0.0  # link opened -> the whole page's run finished
    bytes: int = 0  # websocket bytes received
    triggered: bool = False  # the first-paint trigger was sent
    rest: int = 0  # elements received after it (the rest of the page)
    errors: list[str] = field(default_factory=list)
    ws: object = None  # the open websocket, with keep=True


def _get(url: str) -> None:
    req = urllib.request.Request(url, headers={"User-Agent": UA})
    with urllib.request.urlopen(req, timeout=TIMEOUT_S) as r:
        r.read()


def _rerun(query: str, page: str, url: str, widgets: list | None = None,
           cached: set[str] | None = None) -> bytes:
    m = BackMsg()
    cs = m.rerun_script
    cs.query_string, cs.page_name = query, page
    cs.cached_message_hashes.extend(sorted(cached or ()))
    cs.context_info.url, cs.context_info.timezone = url, "UTC"
    cs.context_info.locale, cs.context_info.color_scheme = "en-US", "light"
    for w in widgets or []:
        cs.widget_states.widgets.append(w)
    return m.SerializeToString()


def _trigger(component_id: str, query: str, page: str, url: str, cached: set[str]) -> bytes:
    """The BackMsg the frontend sends when the component calls setTriggerValue("drawn")."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    w = WidgetState(id=_make_trigger_id(component_id, "events"),
                    json_trigger_value=json.dumps([{"event": "drawn", "value": True}]))
    return _rerun(query, page, url, [w], cached)


async def visit(base: str, path: str, keep: bool = False) -> Visit:
    """Open `base + path` (e.g. "/tiny_network?trained=1000") like a fresh browser page.
    With keep, the websocket stays open in Visit.ws (the caller closes it)."""
    v, t0 = Visit(), time.monotonic()
    u = urlparse(path)
    page, query, url = u.path.strip("/"), u.query, base + path
    try:
        for p in (path, "/_stcore/health", "/_stcore/host-config"):
            await asyncio.to_thread(_get, base + p)
        ws = await websockets.connect(
            "ws" + base.removeprefix("http") + "/_stcore/stream", subprotocols=["streamlit"],
            user_agent_header=UA, max_size=None, open_timeout=TIMEOUT_S)
        try:
            await asyncio.wait_for(_run(ws, v, t0, query, page, url), TIMEOUT_S)
        finally:
            if keep:
                v.ws = ws
            else:
                await ws.close()
    except Exception as e:  # noqa: BLE001 - a failure is this visit's error
        v.errors.append(f"{path[:60]}: {type(e).__name__}: {str(e)[:120]}")
    return v


async def _run(ws, v: Visit, t0: float, query: str, page: str, url: str) -> None:  # noqa: ANN001
    await ws.send(_rerun(query, page, url))
    painter, cached = "", set()  # the page's message cache (the frontend's, per page)
    async for data in ws:
        v.bytes += len(data)
        msg = ForwardMsg.FromString(data)
        kind = msg.WhichOneof("type")
        if msg.metadata.cacheable and msg.hash:
            cached.add(msg.hash)
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            v.rest += v.triggered
            el = msg.delta.new_element
            what = el.WhichOneof("type")
            if what == "exception":
                v.errors.append(f"exception: {el.exception.message[:120]}")
            elif what == "bidi_component":
                c = el.bidi_component
                if not v.stage_s and STAGE_DATA in c.json:
                    v.stage_s = time.monotonic() - t0
                if c.component_name.endswith(FIRST_PAINT):
                    painter = c.id
        elif kind == "page_not_found":
            v.errors.append(f"page not found: {page}")
        elif kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue
            if painter and not v.triggered:  # the stage "drawn": ask for the rest
                v.triggered = True
                await ws.send(_trigger(painter, query, page, url, cached))
                continue
            v.done_s = time.monotonic() - t0
            return
