"""Tiny Network: the optimizer race and time travel (issue 17), under the stage.

Its own session state ("race."), restored from and written to shared links through
the rows of ui/url_state.py. The page's settings (network, data, batch size, seed,
clipping) are the race's; each racer brings its optimizer and learning rate.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from backprop.i18n import t
from backprop.sandbox import envelope
from backprop.train.optimizers import OPTIMIZERS
from backprop.train.race import MAX_RACERS, Race, Racer, run_branch, run_race
from backprop.train.race_notes import entry_label
from backprop.train.training import TrainConfig, Trainer
from examples.networks import NETWORKS
from ui.shared import shared
from ui.training import CHUNK

R = "race."
LRS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0]
STEPS = [50, 100, 300, 1000]
ADAPTIVE_LR = 0.01  # Adam and RMSprop take steps of about η: the network's SGD rate is big


def _nearest(value: Any, options: list, fallback: Any) -> Any:
    """A value from a link or an old session, snapped to what a widget offers."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return fallback
    return min(options, key=lambda o: abs(o - v))


def _racer_lr(opt: str, config: TrainConfig) -> float:
    net_lr = NETWORKS[config.network].lr
    return _nearest(ADAPTIVE_LR if opt in ("adam", "rmsprop") else net_lr, LRS, 0.1)


def _clean_state(config: TrainConfig, entries: list[str]) -> None:
    """Every race widget starts from a valid value (defaults, links, stale sessions)."""
    s = st.session_state
    chosen = s.get(R + "optimizers", ["sgd", "adam"])
    chosen = list(dict.fromkeys(o for o in chosen if o in OPTIMIZERS))[:MAX_RACERS] \
        if isinstance(chosen, list) else ["sgd", "adam"]
    s[R + "optimizers"] = chosen
    for opt in OPTIMIZERS:
        if R + "lr." + opt in s or opt in chosen:
            s[R + "lr." + opt] = _nearest(s.get(R + "lr." + opt, _racer_lr(opt, config)), LRS,
                                          _racer_lr(opt, config))
    s[R + "steps"] = int(_nearest(s.get(R + "steps", 300), STEPS, 300))
    if s.get(R + "param") not in entries:
        s[R + "param"] = entries[0]
    if s.get(R + "branch_from") not in chosen:
        s[R + "branch_from"] = chosen[0] if chosen else "sgd"
    at = _nearest(s.get(R + "branch_at", s[R + "steps"] // 3), range(s[R + "steps"] + 1), 0)
    s[R + "branch_at"] = int(at)
    if s.get(R + "branch_opt") not in OPTIMIZERS:
        s[R + "branch_opt"] = "adam"
    s[R + "branch_lr"] = _nearest(s.get(R + "branch_lr", ADAPTIVE_LR), LRS, ADAPTIVE_LR)


def _setup(config: TrainConfig, upload: bytes | None) -> tuple[Any, dict, str]:
    net = NETWORKS[config.network]
    s = config.settings
    # the upload is parsed in an envelope worker (issue 11)
    data = net.data(s, config.seed, envelope.run("csv", upload) if upload else None)
    return net.build(s, config.seed), data, s.loss


def _in_envelope(tr: Trainer, steps: int) -> Trainer:
    """The race's runner: training in envelope workers, CHUNK steps (one budget) each."""
    for done in range(0, steps, CHUNK):
        tr = envelope.run("train", tr, min(CHUNK, steps - done))
    return tr


@shared("race", max_entries=8)
def _race(config: TrainConfig, racers: tuple[Racer, ...], steps: int,
          upload: bytes | None) -> Race:
    """One computation per race, shared by every session that asks for it (a link
    handed to a class); nothing mutates a Race, or a figure, once made."""
    return run_race(config, racers, *_setup(config, upload), steps, run=_in_envelope)


@shared("race.branch", max_entries=8)
def _branch(config: TrainConfig, racers: tuple[Racer, ...], steps: int, upload: bytes | None,
            original: Racer, at: int, branch: Racer) -> Race:
    race = _race(config, racers, steps, upload)  # the original run, already trained
    done = race.trainers[race.racers.index(original)]
    return run_branch(config, original, at, branch, *_setup(config, upload), steps, done,
                      run=_in_envelope)


@shared("race.figure", max_entries=16)
def _figure(config: TrainConfig, racers: tuple[Racer, ...], steps: int, upload: bytes | None,
            entry: str, lang: str, branch: tuple[Racer, int, Racer] | None = None) -> dict:
    race = _race(config, racers, steps, upload) if branch is None else \
        _branch(config, racers, steps, upload, *branch)
    name, _, index = entry.rpartition(":")
    # boundaries for every racer and frame: a figure's work goes in a worker too
    return envelope.run("race_figure", race, NETWORKS[config.network].task, name, int(index),
                       lang, lang=lang)


def _chart(fig: dict, key: str) -> None:
    """st.plotly_chart of an engine-made figure without re-validating it on every rerun.

    A dict goes through plotly's validator on each call (about 1 s for a 1,000-step
    race, on every rerun of the page while the race is open); a Figure is only asked
    for its dict. The figures are valid by construction (tests/test_race.py builds
    each one with go.Figure), so an empty Figure hands over the cached dict as is."""
    holder = go.Figure()
    holder.to_dict = lambda: fig  # type: ignore[method-assign]
    st.plotly_chart(holder, key=key)


def race_section(config: TrainConfig, upload: bytes | None, lang: str) -> None:
    """Pick 2-4 optimizers with their own learning rates, race, scrub; branch."""
    # the parameters a caption can follow (the data, even an upload, does not matter)
    params = dict(NETWORKS[config.network].build(config.settings, config.seed)
                  .named_parameters())
    entries = [f"{n}:{j}" for n, p in params.items() for j in range(p.numel())]
    shapes = {n: tuple(p.shape) for n, p in params.items()}
    _clean_state(config, entries)
    s = st.session_state
    with st.expander(t("race.title", lang), expanded=bool(s.get(R + "on")),
                     icon=":material/sports_score:"):
        st.caption(t("race.intro", lang))
        chosen = st.multiselect(t("race.optimizers", lang), list(OPTIMIZERS), key=R + "optimizers",
                                max_selections=MAX_RACERS,
                                format_func=lambda o: t(OPTIMIZERS[o].label_key, lang))
        for col, opt in zip(st.columns(max(len(chosen), 1)), chosen, strict=False):
            col.select_slider(t("race.lr", lang, opt=t(OPTIMIZERS[opt].label_key, lang)), LRS,
                              key=R + "lr." + opt)
        c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
        steps = c1.select_slider(t("race.steps", lang), STEPS, key=R + "steps")
        entry = c2.selectbox(t("race.param", lang), entries, key=R + "param",
                             format_func=lambda e: entry_label(
                                 e.rpartition(":")[0], shapes[e.rpartition(":")[0]],
                                 int(e.rpartition(":")[2])))
        if c3.button(t("race.go", lang), key=R + "go", type="primary", icon=":material/flag:"):
            s[R + "on"] = True
        if not s.get(R + "on"):
            st.caption(t("race.press", lang))
            return
        if len(chosen) < 2:
            st.info(t("race.pick_two", lang), icon=":material/info:")
            return
        racers = tuple(Racer(o, float(s[R + "lr." + o])) for o in chosen)
        with st.spinner(t("race.computing", lang)):
            fig = _figure(config, racers, steps, upload, entry, lang)
        st.caption(t("race.hint", lang))
        _chart(fig, R + "fig")
        _branch_section(config, racers, steps, upload, entry, lang)


def _branch_section(config: TrainConfig, racers: tuple[Racer, ...], steps: int,
                    upload: bytes | None, entry: str, lang: str) -> None:
    s = st.session_state
    st.markdown(f"##### {t('race.branch_title', lang)}")
    st.caption(t("race.branch_intro", lang))
    b1, b2, b3, b4 = st.columns(4)
    from_opt = b1.selectbox(t("race.branch_from", lang), [r.optimizer for r in racers],
                            key=R + "branch_from",
                            format_func=lambda o: t(OPTIMIZERS[o].label_key, lang))
    at = int(b2.number_input(t("race.branch_at", lang), 0, steps, step=1,
                             key=R + "branch_at"))
    new_opt = b3.selectbox(t("race.branch_opt", lang), list(OPTIMIZERS), key=R + "branch_opt",
                           format_func=lambda o: t(OPTIMIZERS[o].label_key, lang))
    new_lr = b4.select_slider(t("race.branch_lr", lang), LRS, key=R + "branch_lr")
    d1, d2 = st.columns([1, 4])
    if d1.button(t("race.branch_go", lang), key=R + "branch_go", icon=":material/call_split:"):
        s[R + "branched"] = True
    if not s.get(R + "branched"):
        return
    if d2.button(t("race.branch_clear", lang), key=R + "branch_clear"):
        s[R + "branched"] = False
        return
    original = next(r for r in racers if r.optimizer == from_opt)
    with st.spinner(t("race.computing", lang)):
        fig = _figure(config, racers, steps, upload, entry, lang,
                      (original, at, Racer(new_opt, float(new_lr))))
    _chart(fig, R + "branch_fig")
