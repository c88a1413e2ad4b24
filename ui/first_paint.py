"""The stage first, the rest of the page after it: a session's first load sends only what
is above the stage (and the stage itself); once the browser has drawn the stage it says
so and the server reruns with the whole page.

Why: everything below the stage (code boxes, tables, LaTeX, downloads, the Share popover)
makes a fresh browser fetch and parse Streamlit's heavy chunks (syntax highlighter,
DataFrame + Arrow, KaTeX: ~3 MB) at the same moment as plotly.js, on the same cores and
the same six sockets. Measured with `python -m bench --stage`.

A session without a browser (AppTest, scripts) has nothing to wait for: it gets the whole
page at once.
"""

from __future__ import annotations

import streamlit as st

_FLAG = "_first_paint.done"  # this session's browser has drawn a stage once
_WAITING = "_first_paint.waiting"  # this run stopped after the stage
_MOUNTED = "_first_paint.mounted"  # this run sent a stage

# Waits until `selector` matches (the stage drawn), then reports once per mount. Ten
# seconds at most: a stage that cannot draw must not hide the rest of the page.
_JS = """
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  if (!data || !data.selector || parentElement.__bpWaiting) return;
  parentElement.__bpWaiting = true;
  const t0 = Date.now();
  const check = () => {
    if (document.querySelector(data.selector) || Date.now() - t0 > 10000)
      setTriggerValue("drawn", true);
    else setTimeout(check, 40);
  };
  check();
}
"""
_reporter = st.components.v2.component("bp_first_paint", html="", js=_JS,
                                       isolate_styles=False)


def _done() -> None:
    st.session_state[_FLAG] = True


def _browser() -> bool:
    """A real browser session (AppTest has no request headers)."""
    try:
        return bool(st.context.headers.get("User-Agent"))
    except Exception:  # noqa: BLE001 - no context: not a browser
        return False


def begin() -> None:
    """Once per run, before the page (app.py)."""
    st.session_state[_WAITING] = False
    st.session_state[_MOUNTED] = False


def stage_sent() -> None:
    """A stage went out in this run (ui/stage.py; a page whose stage is drawn by
    another element calls it too)."""
    st.session_state[_MOUNTED] = True


def stage_first(selector: str) -> bool:
    """Call right after the stage: True when the rest of the page may be sent now;
    False on a browser session's first load, until the stage matching `selector` is
    drawn (then the browser triggers a rerun and this returns True). A run that sent
    no stage (an error, a graph too big to draw) never waits."""
    if st.session_state.get(_FLAG) or not st.session_state.get(_MOUNTED) \
            or not _browser():
        return True
    _reporter(key="bp_first_paint", data={"selector": selector},
              on_drawn_change=_done, width="stretch", height="content")
    st.session_state[_WAITING] = True
    return False


def waiting() -> bool:
    """This run stopped after the stage (app.py leaves out the Share popover too)."""
    return bool(st.session_state.get(_WAITING))
