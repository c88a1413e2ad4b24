"""Tiny Network: train a small network one step at a time; every update visible."""

from __future__ import annotations

import streamlit as st

from examples.networks import ACTIVATIONS, LOSSES, NETWORKS, NetSettings
from graphviz_tools import ProgramError
from graphviz_tools.codegen import training_code
from graphviz_tools.datasets import DATASETS
from graphviz_tools.i18n import t
from graphviz_tools.train_figures import (
    boundary_figure,
    fit_figure,
    landscape_figure,
    loss_figure,
    network_figure,
    params_figure,
)
from graphviz_tools.training import OPTIMIZERS, TrainConfig
from ui.common import classroom, lang, show_error
from ui.exports import csv_bytes
from ui.race import race_section
from ui.stepper import stepper
from ui.training import P, figure_of, history_rows, reset, trainer_for, update_panel

L = lang()
LRS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0]
BATCHES = [0, 1, 4, 8, 16, 32, 64]

def use_defaults(keep: bool = False) -> None:
    """A new network starts from its own defaults (widget values persist otherwise).

    With `keep`, values already in state (from a shared link) stay."""
    net = NETWORKS[st.session_state.get(P + "network", "seed-2layer")]
    d = net.defaults
    values = {P + "hidden": d.hidden_layers, P + "units": d.units,
              P + "activation": d.activation, P + "loss": d.loss, P + "noise": d.noise,
              P + "lr": net.lr, P + "dataset": d.dataset}
    for k, v in values.items():
        if not keep or k not in st.session_state:
            st.session_state[k] = v


use_defaults(keep=True)


st.title(t("net.title", L))
st.caption(t("net.intro", L))

controls, view = st.columns([1, 3], gap="large")
# projector: the settings fold away (a teacher's link already chose them)
with controls.expander(t("net.settings", L), expanded=not classroom()):
    name = st.selectbox(t("net.network", L), list(NETWORKS), key=P + "network",
                        format_func=lambda k: t(f"net.{k}.title", L), on_change=use_defaults)
    net = NETWORKS[name]
    st.caption(t(f"net.{name}.about", L))
    d = net.defaults
    opts = set(net.options)
    hidden = st.slider(t("net.hidden", L), 0, 3, key=P + "hidden",
                       disabled="hidden_layers" not in opts)
    units = st.slider(t("net.units", L), 1, 8, key=P + "units", disabled="units" not in opts)
    act = st.selectbox(t("net.activation", L), list(ACTIVATIONS), key=P + "activation",
                       disabled="activation" not in opts)
    loss = st.selectbox(t("net.loss", L), LOSSES, key=P + "loss",
                        disabled="loss" not in opts, format_func=lambda k: t(f"loss.{k}", L))
    dataset, upload = d.dataset, None
    if "dataset" in opts:
        dataset = st.selectbox(t("net.dataset", L), [*DATASETS, "upload"], key=P + "dataset",
                               format_func=lambda k: t(f"data.{k}", L))
        if dataset == "upload":
            file = st.file_uploader(t("net.upload", L), type=["csv"], key=P + "upload")
            upload = file.getvalue() if file is not None else None
    noise = st.slider(t("net.noise", L), 0.0, 0.5, step=0.05, key=P + "noise",
                      disabled="noise" not in opts)
    st.divider()
    optimizer = st.selectbox(t("net.optimizer", L), OPTIMIZERS, key=P + "optimizer",
                             format_func=lambda k: t(f"opt.{k}", L))
    lr = st.select_slider(t("net.lr", L), LRS, key=P + "lr")
    batch = st.selectbox(t("net.batch", L), BATCHES, key=P + "batch",
                         format_func=lambda b: t("net.batch_all", L) if b == 0 else str(b))
    seed = int(st.number_input(t("net.seed", L), 0, 10_000, key=P + "seed"))
    clip_on = st.toggle(t("net.clip", L), key=P + "clip_on")
    st.session_state.setdefault(P + "max_norm", 1.0)
    clip = st.slider(t("net.max_norm", L), 0.1, 5.0, step=0.1, key=P + "max_norm",
                     disabled=not clip_on)
    forget = st.toggle(t("net.forget", L), key=P + "forget", help=t("net.forget_help", L))

settings = NetSettings(hidden, units, act, loss, dataset if dataset != "upload" else "moons",
                       d.n_points, noise)
config = TrainConfig(name, optimizer, lr, batch, seed, clip if clip_on else None, not forget,
                     settings)
with view:
    if dataset == "upload" and upload is None:
        st.info(t("net.upload_wait", L), icon=":material/upload:")
        st.stop()
    try:
        trainer = trainer_for(config, upload)
    except ProgramError as err:
        show_error(err, "", L)
        st.stop()
    b1, b2, b3, b4 = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    stepped = b1.button(t("net.step", L), key=P + "do_step", type="primary",
                        icon=":material/skip_next:")
    n_steps = b2.selectbox(t("net.n_steps", L), [10, 100, 1000], key=P + "n")
    train_n = b3.button(t("net.train_n", L, n=n_steps), key=P + "train",
                        icon=":material/fast_forward:")
    if b4.button(t("net.reset", L), key=P + "reset", icon=":material/restart_alt:"):
        reset(config, upload)
        trainer = st.session_state[P + "trainer"]
    if not st.session_state.get(P + "link_done"):  # a shared link's step count, once
        st.session_state[P + "link_done"] = True
        wanted = min(int(st.session_state.get(P + "trained", 0)), 5_000)
        if wanted > trainer.history.steps:
            trainer.run(wanted - trainer.history.steps)
    if stepped:
        trainer.step()
        st.session_state[P + "view"] = trainer.history.steps
    if train_n:
        bar = st.progress(0.0, text=t("net.training", L))
        chunk = max(1, n_steps // 20)
        for done in range(0, n_steps, chunk):
            trainer.run(min(chunk, n_steps - done))
            bar.progress(min(1.0, (done + chunk) / n_steps), text=t("net.training", L))
        bar.empty()
        st.session_state[P + "view"] = trainer.history.steps

    h = trainer.history
    st.session_state[P + "trained"] = h.steps  # what a share link records
    m1, m2, m3 = st.columns(3)
    m1.metric(t("net.steps_done", L), h.steps)
    m2.metric(t("train.loss_train", L), f"{h.losses[-1]:.4g}" if h.steps else "—")
    acc = h.accuracy[-1] if h.steps else None
    m3.metric(t("net.accuracy", L), f"{acc:.0%}" if acc is not None else "—")

    tabs = st.tabs([t("net.tab.step", L), t("net.tab.curves", L), t("net.tab.data", L),
                    t("net.tab.network", L), t("net.tab.code", L)])
    with tabs[0]:
        if not h.steps:
            st.info(t("net.press_step", L), icon=":material/skip_next:")
        else:
            step = st.slider(t("net.view_step", L), 1, h.steps, key=P + "view") \
                if h.steps > 1 else 1
            trace = trainer.replay(step)
            stepper(trace, L, P, (config, step, h.steps))
            update_panel(trainer, step, L)
    with tabs[1]:
        if h.steps:
            st.plotly_chart(figure_of(trainer, loss_figure, L), key=P + "loss_fig")
            st.plotly_chart(figure_of(trainer, params_figure, L), key=P + "params_fig")
            st.download_button(t("export.history", L),
                               lambda: csv_bytes(history_rows(trainer.history)),
                               file_name=f"{name}-history.csv", mime="text/csv",
                               key=P + "dl_csv", icon=":material/download:")
        else:
            st.caption(t("net.no_steps", L))
    with tabs[2]:
        if net.task == "classification":
            st.plotly_chart(figure_of(trainer, boundary_figure, L), key=P + "boundary")
        else:
            st.plotly_chart(figure_of(trainer, fit_figure, L), key=P + "fit")
        landscape = figure_of(trainer, landscape_figure, L)
        if landscape is not None:
            st.plotly_chart(landscape, key=P + "landscape")
    with tabs[3]:
        st.plotly_chart(network_figure(trainer, h.steps, L), key=P + "netfig")
        st.caption(t("net.network_caption", L))
    with tabs[4]:
        st.caption(t("net.code_caption", L))
        st.code(training_code(config, max(h.steps, 1)), language="python")

# Optimizer race and time travel (issue 17): ui/race.py, its own "race." state, full width.
race_section(config, upload, L)
