"""Where a first load's time goes (`python -m bench --first-load`): a fresh browser context
per visit (empty cache) opening `/` and `/tiny_network`, medians of the visits after one
warm-up visit (imports, shared caches). Times from navigation start, in seconds:

- html+boot: Streamlit's page and main bundle loaded (DOMContentLoaded);
- socket: the websocket open (the server's script run starts);
- stage sent: the message carrying the stage (our player, or Streamlit's plotly chart);
- first run done: the first script run finished (ui/first_paint.py stops it after the
  stage on a first load);
- plotly.js fetched: the players' bundle downloaded (static/, backprop.draw.plotly_bundle);
- stage drawn: what bench/stage.py and bench/net_stage.py wait for;
- main thread busy: the sum of long tasks (parse, compile, layout) before that.
Nothing here is asserted by the tests.
"""

from __future__ import annotations

import statistics
import time

from bench.server import ARGS, CHROMIUM, serve

PAGES = {  # label -> (path, stage drawn)
    "lab": ("/", ".bp-stage[data-ready='1'] .bp-plot .main-svg"),
    "Tiny Network": ("/tiny_network", ".st-key-net-stage .main-svg"),
}
_LONG_TASKS = ("window.__lt = []; new PerformanceObserver(l => { for (const e of l.getEntries())"
               " window.__lt.push(e.duration); }).observe({type: 'longtask', buffered: true});")
_PAGE = """() => { const n = performance.getEntriesByType('navigation')[0];
  const js = performance.getEntriesByType('resource').filter(e => e.name.includes('/app/static/'));
  const busy = window.__lt.reduce((a, b) => a + b, 0);
  return {dcl: n.domContentLoadedEventEnd / 1000, busy: busy / 1000,
          plotly: js.length ? js[0].responseEnd / 1000 : null}; }"""


def _stage_message(payload: bytes) -> str | None:
    """'stage' for the delta that carries the stage, 'done' for the end of a run."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - not ours to judge
        return None
    kind = msg.WhichOneof("type")
    if kind == "script_finished":
        return "done"
    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        el = msg.delta.new_element
        what = el.WhichOneof("type")
        if what == "plotly_chart" or (what == "bidi_component"
                                      and el.bidi_component.component_name.endswith("bp_stage")):
            return "stage"
    return None


def visit(browser: object, url: str, path: str, drawn: str) -> dict[str, float]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    page = ctx.new_page()
    page.add_init_script(_LONG_TASKS)
    marks: dict[str, float] = {}
    t0 = time.perf_counter()

    def on_socket(ws: object) -> None:
        marks.setdefault("socket", time.perf_counter() - t0)

        def received(payload: bytes | str) -> None:
            if isinstance(payload, bytes):
                kind = _stage_message(payload)
                if kind and kind + "_at" not in marks:
                    marks[kind + "_at"] = time.perf_counter() - t0
        ws.on("framereceived", received)  # type: ignore[attr-defined]
    page.on("websocket", on_socket)
    page.goto(url + path)
    page.wait_for_selector(drawn, timeout=120_000)
    drawn_at = time.perf_counter() - t0
    inside = page.evaluate(_PAGE)
    ctx.close()
    return {"html+boot": inside["dcl"], "socket": marks.get("socket", 0.0),
            "stage sent": marks.get("stage_at", 0.0), "first run done": marks.get("done_at", 0.0),
            "plotly.js fetched": inside["plotly"] or 0.0, "stage drawn": drawn_at,
            "main thread busy": inside["busy"]}


def first_load(rows: list, visits: int = 5) -> None:
    from playwright.sync_api import sync_playwright

    from bench.timing import row

    with sync_playwright() as p, serve() as (url, _proc):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for label, (path, drawn) in PAGES.items():
            visit(browser, url, path, drawn)  # warm-up: imports, the shared caches
            runs = [visit(browser, url, path, drawn) for _ in range(visits)]
            for key in runs[0]:
                value = statistics.median(r[key] for r in runs)
                goal = "<= 2.5 s" if key == "stage drawn" else ""
                rows.append(row(f"{label} first load: {key}", f"{value:.2f} s", goal,
                                value <= 2.5 if goal else None))
        browser.close()
