"""The Tiny Network stage on the page: the episode kept per trainer, the figure sized
for the screen (projector, laptop, phone), autoplay of a new chunk, stuck notes."""

from __future__ import annotations

import json
import pickle

import plotly.graph_objects as go
import streamlit as st

from backprop.i18n import t
from backprop.train.diagnose import diagnose
from backprop.train.episode import Episode
from backprop.train.stage_figure import stage_figure
from backprop.train.training import TrainConfig, Trainer
from ui.common import classroom
from ui.shared import shared
from ui.training import shared_state

P = "net."
CHUNK = 300  # steps the server trains per Play chunk (the defaults fit within one)


class Checked(go.Figure):
    """A figure dict the engine built (and tests/test_episode.py validates with
    plotly): Streamlit takes a Figure's to_dict() as checked, instead of re-validating
    every trace of every frame on each rerun (0.6 s for a 1,000-step episode)."""

    def __init__(self, fig: dict) -> None:
        super().__init__()
        self._ready = fig

    def to_dict(self) -> dict:
        return self._ready


def phone() -> bool:
    """A phone's browser: the stage stacks (network, data, loss, text)."""
    ua = (st.context.headers or {}).get("User-Agent", "")
    return "Mobi" in ua or "Android" in ua


def _size() -> dict:
    if phone():
        return {"stacked": True, "height": 560, "font": 13}
    if classroom():  # fits 1280x720 with the controls; figure text >= 18 px
        return {"stacked": False, "height": 430, "font": 18}
    return {"stacked": False, "height": 470, "font": 14}


@shared("net.stage", max_entries=64, max_bytes=160 * 2**20)
def _shared_figure(config: TrainConfig, upload: bytes | None, steps: int, start: int,
                   lang: str, size: tuple) -> dict:
    """The stage figure of the shared trainer after `steps` steps: training is
    deterministic, so every session with these settings sees this one figure."""
    tr = pickle.loads(shared_state(config, upload, steps, lang))
    return stage_figure(Episode(tr), start, lang, **dict(size))


def stage(tr: Trainer, start: int, lang: str, autoplay: bool = False,
          upload: bytes | None = None) -> None:
    """The one figure: network, data + boundary, loss, explanation, with frames
    (made once for all sessions with the same settings, upload and steps)."""
    start = min(start, tr.history.steps)
    size = _size()
    memo = st.session_state.setdefault(P + "stage_memo", {})
    key = (id(tr), tr.history.steps, start, lang, tuple(size.items()))
    if key not in memo:
        memo.clear()  # one figure per session: older ones are never shown again
        memo[key] = Checked(_shared_figure(tr.config, upload, tr.history.steps, start, lang,
                                           tuple(size.items())))
    fig = memo[key]
    with st.container(key="net-stage"):
        st.plotly_chart(fig, key=P + "episode", width="stretch", theme=None,
                        config={"displayModeBar": False, "responsive": True},
                        alt=t("stage.alt", lang))
    if autoplay:
        _autoplay(len(fig.to_dict()["frames"]), start)


def _autoplay(n_frames: int, start: int) -> None:
    """Press the stage's ▶ once the new frames have arrived: a chunk the learner asked
    for plays at once, from where the last one ended (Plotly's `fromcurrent` reads
    the current frame's name from `_fullLayout._currentFrame`)."""
    st.html("<script>(() => {const want = " + json.dumps(n_frames) + ", t0 = Date.now();"
            "const go = () => {const gd = document.querySelector("
            "'.st-key-net-stage .js-plotly-plot');"
            "const fr = gd && gd._transitionData && gd._transitionData._frames;"
            "if (!fr || fr.length !== want) {if (Date.now() - t0 < 15000) setTimeout(go, 40);"
            "return;}"
            "gd._fullLayout._currentFrame = " + json.dumps(str(start)) + ";"
            "const b = gd.querySelector('.updatemenu-button');"
            "if (b) b.dispatchEvent(new MouseEvent('click', {bubbles: true}));};"
            "go();})();</script>", unsafe_allow_javascript=True)


def stuck_notes(tr: Trainer, lang: str) -> None:
    """What is wrong with this run and what to try (engine-side checks)."""
    for key, params in diagnose(tr):
        st.warning(t(key, lang, **params), icon=":material/report:")
