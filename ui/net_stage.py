"""The Tiny Network stage on the page: the episode kept per trainer, the figure sized
for the screen (projector, laptop, phone), autoplay of a new chunk, stuck notes."""

from __future__ import annotations

import hashlib
import pickle

import streamlit as st

from backprop.i18n import t
from backprop.train.diagnose import diagnose
from backprop.train.episode import Episode
from backprop.train.stage_figure import SPEEDS, stage_figure
from backprop.train.training import TrainConfig, Trainer
from ui.common import classroom, native_digits
from ui.shared import shared
from ui.stage import BN_DIGITS
from ui.stage import stage as player
from ui.training import shared_state

P = "net."
CHUNK = 300  # steps the server trains per Play chunk (the defaults fit within one)


def phone() -> bool:
    """A phone's browser: the stage stacks (network and data, loss, text)."""
    ua = (st.context.headers or {}).get("User-Agent", "")
    return "Mobi" in ua or "Android" in ua


def _size() -> dict:
    """The figure's own pixel size and type size; the player scales it to the screen."""
    if phone():
        return {"stacked": True, "width": 380, "height": 400, "font": 13}
    if classroom():  # fits 1280x720 with the controls; figure text >= 18 px once scaled
        return {"stacked": False, "width": 1000, "height": 310, "font": 20}
    return {"stacked": False, "width": 1000, "height": 370, "font": 16}


@shared("net.stage", max_entries=64, max_bytes=160 * 2**20)
def _shared_figure(config: TrainConfig, upload: bytes | None, steps: int, start: int,
                   lang: str, size: tuple, native: bool) -> dict:
    """The stage figure of the shared trainer after `steps` steps: training is
    deterministic, so every session with these settings sees this one figure."""
    tr = pickle.loads(shared_state(config, upload, steps, lang))
    return stage_figure(Episode(tr), start, lang, native=native, **dict(size))


def stage(tr: Trainer, start: int, lang: str, autoplay: bool = False,
          upload: bytes | None = None) -> None:
    """The one stage: network, data + boundary, loss, explanation, played by our own
    player (ui/stage.py) with the Tiny Network painter: frames, keys (← → space) and
    Play never call the server."""
    start = min(start, tr.history.steps)
    size = _size()
    native = native_digits()
    memo = st.session_state.setdefault(P + "stage_memo", {})
    key = (id(tr), tr.history.steps, start, lang, tuple(size.items()), native)
    if key not in memo:
        memo.clear()  # one figure per session: older ones are never shown again
        digest = hashlib.sha1(upload or b"").hexdigest()[:8]
        sig = hashlib.sha1(repr((tr.config, digest, tr.history.steps, tuple(size.items()),
                                 native)).encode()).hexdigest()[:16]
        memo[key] = (sig, _shared_figure(tr.config, upload, tr.history.steps, start, lang,
                                         tuple(size.items()), native))
    sig, fig = memo[key]
    with st.container(key="net-stage"):
        player(fig, lang, P + "episode", start=fig["meta"]["start"], alt=t("stage.alt", lang),
               fit_vh=0.97, sig=sig, speeds=[list(x) for x in SPEEDS], autoplay=autoplay,
               panel_below=True, claim_keys=True, stack_vh=0.56,
               digits=BN_DIGITS if native else "")


def stuck_notes(tr: Trainer, lang: str) -> None:
    """What is wrong with this run and what to try (engine-side checks)."""
    for key, params in diagnose(tr):
        st.warning(t(key, lang, **params), icon=":material/report:")
