"""Tiny Network: one stage that trains live in the browser, and every step in depth."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from backprop.draw.figdigits import with_native_digits
from backprop.i18n import LANGUAGES, t
from backprop.train.codegen import training_code
from backprop.train.datasets import DATASETS, MAX_UPLOAD_BYTES
from backprop.train.losses import ACTIVATIONS, LOSSES
from backprop.train.optimizers import OPTIMIZERS
from backprop.train.train_figures import landscape_figure, loss_figure, params_figure
from backprop.train.training import TrainConfig, Trainer
from examples.networks import NETWORKS, NetSettings
from graphviz_tools import ProgramError
from ui.common import classroom, lang, localize, native_digits, show_error
from ui.exports import csv_bytes
from ui.first_paint import stage_first, stage_sent
from ui.net_defaults import DEFAULT_NETWORK, network_defaults
from ui.net_stage import CHUNK, phone, stage, stuck_notes
from ui.race import race_section
from ui.stepper import stepper
from ui.training import (
    P,
    figure_of,
    history_rows,
    own,
    replayed,
    reset,
    trained,
    trainer_for,
    update_panel,
)
from ui.url_state import BATCHES, LINK_STEPS, LRS

L = lang()
# The stage drawn (Plotly's SVG inside the stage's container, whichever player draws it).
STAGE_DRAWN = ".st-key-net-episode .bp-plot[data-painted]"  # the painter drew a frame


def shown(fig: dict) -> dict:
    """The figure in the page's digits (Plotly has no Bengali digits of its own)."""
    return with_native_digits(fig, L) if native_digits() else fig


def use_defaults(keep: bool = False) -> None:
    """A new network (or dataset) starts from settings that fit it; with `keep`,
    values already in state (a shared link's) stay."""
    if st.session_state.get(P + "network") not in NETWORKS:  # e.g. a stale label (issue 11)
        st.session_state[P + "network"] = next(
            (k for k in NETWORKS for lg in LANGUAGES
             if t(NETWORKS[k].title_key, lg) == st.session_state.get(P + "network")),
            DEFAULT_NETWORK)
    for k, v in network_defaults(st.session_state).items():
        if not keep or k not in st.session_state:
            st.session_state[k] = v


def settings_panel(net_name: str) -> TrainConfig:
    """Every setting, in a popover (the stage keeps the screen); the config they make."""
    net = NETWORKS[net_name]
    d, opts = net.defaults, set(net.options)
    st.caption(localize(t(net.about_key, L)))
    hidden = st.slider(t("net.hidden", L), 0, 3, key=P + "hidden",
                       disabled="hidden_layers" not in opts)
    units = st.slider(t("net.units", L), 1, 8, key=P + "units", disabled="units" not in opts)
    act = st.selectbox(t("net.activation", L), list(ACTIVATIONS), key=P + "activation",
                       disabled="activation" not in opts,
                       format_func=lambda k: t(ACTIVATIONS[k].label_key, L))
    loss = st.selectbox(t("net.loss", L), list(LOSSES), key=P + "loss",
                        disabled="loss" not in opts,
                        format_func=lambda k: t(LOSSES[k].label_key, L))
    noise = st.slider(t("net.noise", L), 0.0, 0.5, step=0.05, key=P + "noise",
                      disabled="noise" not in opts)
    optimizer = st.selectbox(t("net.optimizer", L), list(OPTIMIZERS), key=P + "optimizer",
                             format_func=lambda k: t(OPTIMIZERS[k].label_key, L))
    lr = st.select_slider(t("net.lr", L), LRS, key=P + "lr")
    batch = st.selectbox(t("net.batch", L), BATCHES, key=P + "batch",
                         format_func=lambda b: localize(str(b)) if b else t("net.batch_all", L))
    seed = int(st.number_input(t("net.seed", L), 0, 10_000, key=P + "seed"))
    clip_on = st.toggle(t("net.clip", L), key=P + "clip_on")
    st.session_state.setdefault(P + "max_norm", 1.0)
    clip = st.slider(t("net.max_norm", L), 0.1, 5.0, step=0.1, key=P + "max_norm",
                     disabled=not clip_on)
    forget = st.toggle(t("net.forget", L), key=P + "forget", help=t("net.forget_help", L))
    dataset = st.session_state.get(P + "dataset", d.dataset) if "dataset" in opts \
        else d.dataset
    settings = NetSettings(hidden, units, act, loss, dataset if dataset != "upload"
                           else "moons", d.n_points, noise)
    return TrainConfig(net_name, optimizer, lr, batch, seed, clip if clip_on else None,
                       not forget, settings)


def step_view(tr: Trainer, config: TrainConfig) -> None:
    """One step in depth: its forward and backward on the real autograd graph, then
    every parameter's update. "Step" trains one more step and opens it."""
    h = tr.history
    a, b = st.columns([1, 3], vertical_alignment="bottom")
    if a.button(t("net.step", L), key=P + "do_step", type="primary",
                icon=":material/skip_next:", help=t("net.step_help", L)):
        nxt = st.session_state.get(P + "view", 0) + 1
        if nxt > h.steps:
            tr = own(tr)  # the shared trainer stays as every other session sees it
            tr.step()
            h = tr.history
        st.session_state[P + "view"] = nxt
    st.session_state[P + "view"] = min(max(int(st.session_state.get(P + "view", 1)), 1),
                                       h.steps)
    step = int(b.number_input(t("net.open_step", L), 1, h.steps, key=P + "view"))
    # the run's key holds its settings and its upload's digest (ui/training.py)
    key = (st.session_state.get(P + "key"), step, h.steps)
    stepper(replayed(tr, key, step), L, P, key)
    update_panel(tr, step, L)


def curves_view(tr: Trainer, config: TrainConfig) -> None:
    st.plotly_chart(shown(figure_of(tr, loss_figure, L)), key=P + "loss_fig")
    st.plotly_chart(shown(figure_of(tr, params_figure, L)), key=P + "params_fig")
    landscape = figure_of(tr, landscape_figure, L)
    if landscape is not None:
        st.plotly_chart(shown(landscape), key=P + "landscape")
    st.download_button(t("export.history", L), lambda: csv_bytes(history_rows(tr)),
                       file_name=f"{config.network}-history.csv", mime="text/csv",
                       key=P + "dl_csv", icon=":material/download:")


def code_view(tr: Trainer, config: TrainConfig) -> None:
    st.caption(t("net.code_caption", L))
    st.code(training_code(tr, max(tr.history.steps, 1), NETWORKS[config.network].code(
        config.settings)), language="python")


# The views below the stage, in order; a new view (the optimizer race) is one entry.
VIEWS: dict[str, tuple[str, Callable[[Trainer, TrainConfig], None]]] = {
    "step": ("net.tab.step", step_view), "curves": ("net.tab.curves", curves_view),
    "code": ("net.tab.code", code_view)}


def _keep_view() -> None:
    st.session_state[P + "view_kept"] = st.session_state[P + "view_mode"] or "step"


def main() -> None:
    st.session_state.setdefault(P + "network", DEFAULT_NETWORK)
    use_defaults(keep=True)
    small = phone()
    # no empty band above the title: the stage (and on a projector its controls) in
    # one screen; a projector or a phone also gets a smaller title
    css = ".stMainBlockContainer {padding-top: 2.2rem; padding-bottom: 1rem;}"
    if classroom() or small:
        css += " h1 {font-size: 2rem; padding: 0 0 .3rem 0;}"
    st.html(f"<style>{css}</style>")
    st.title(t("net.title", L))
    if not (classroom() or small):
        st.caption(t("net.intro", L))
    # a phone shows the stage first, its controls below it (columns stack there)
    stage_slot = st.container() if small else None
    c_net, c_data, c_play, c_reset, c_more = st.columns([3, 2, 3, 2, 2],
                                                        vertical_alignment="bottom")
    name = c_net.selectbox(t("net.network", L), list(NETWORKS), key=P + "network",
                           format_func=lambda k: t(NETWORKS[k].title_key, L),
                           on_change=use_defaults)
    net = NETWORKS[name]
    upload = None
    if "dataset" in net.options:
        c_data.selectbox(t("net.dataset", L), [*DATASETS, "upload"], key=P + "dataset",
                         format_func=lambda k: t(f"data.{k}", L), on_change=use_defaults)
    with c_more.popover(t("net.settings", L), icon=":material/tune:", width="stretch"):
        config = settings_panel(name)
        if st.session_state.get(P + "dataset") == "upload" and "dataset" in net.options:
            file = st.file_uploader(t("net.upload", L, limit=MAX_UPLOAD_BYTES // 1000),
                                    type=["csv"], key=P + "upload", max_upload_size=1)
            upload = file.getvalue() if file is not None else None
    if "dataset" in net.options and st.session_state.get(P + "dataset") == "upload" \
            and upload is None:
        st.info(t("net.upload_wait", L), icon=":material/upload:")
        return
    try:
        tr = trainer_for(config, upload)
    except ProgramError as err:
        show_error(err, "", L)
        return
    more = c_play.button(localize(t("net.next_chunk", L, n=CHUNK)), key=P + "train", type="primary",
                         icon=":material/play_arrow:", width="stretch")
    if c_reset.button(t("net.reset", L), key=P + "reset", icon=":material/restart_alt:",
                      width="stretch"):
        reset(config, upload)
        tr = st.session_state[P + "trainer"]
        st.session_state[P + "start"] = 0
    wanted = 0
    if not st.session_state.get(P + "link_done"):  # a shared link's step count, once
        st.session_state[P + "link_done"] = True
        wanted = min(int(st.session_state.get(P + "trained", 0)), LINK_STEPS)
    if tr.history.steps == 0:  # the first chunk (or the link's steps), computed ahead and
        # shared by every session with these settings: ▶ plays it at once
        tr = trained(config, upload, max(wanted, CHUNK), L)
        st.session_state[P + "start"] = 0
    elif wanted > tr.history.steps:
        tr = trained(config, upload, wanted, L)
    if more:
        st.session_state[P + "start"] = tr.history.steps
        tr = trained(config, upload, tr.history.steps + CHUNK, L)
    st.session_state[P + "trained"] = tr.history.steps  # what a share link records
    with stage_slot or st.container():
        stage(tr, st.session_state.get(P + "start", 0), L, autoplay=more, upload=upload)
    stage_sent()  # first load: the rest of the page once the browser has drawn the stage
    if not stage_first(STAGE_DRAWN):
        return
    st.caption(t("net.stage_caption", L))
    stuck_notes(tr, L)

    st.session_state.setdefault(P + "view_kept", "step")
    st.session_state[P + "view_mode"] = st.session_state[P + "view_kept"]
    choice = st.segmented_control(t("net.view", L), list(VIEWS), key=P + "view_mode",
                                  format_func=lambda k: t(VIEWS[k][0], L),
                                  on_change=_keep_view) or "step"
    VIEWS[choice][1](tr, config)

    # Optimizer race and time travel (issue 17): ui/race.py, its own "race." state.
    race_section(config, upload, L)


main()
