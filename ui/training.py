"""Tiny Network helpers: the trainer kept in session state, and the update panel."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from backprop.core.errors import ProgramError
from backprop.core.fmt import compact
from backprop.core.graph import Trace, Value
from backprop.i18n import t
from backprop.sandbox.envelope import run
from backprop.train.optimizers import OPTIMIZERS
from backprop.train.train_figures import has_test_split
from backprop.train.training import TrainConfig, Trainer
from backprop.train.updates import sgd_check, update_rows
from examples.networks import NETWORKS, NetSettings
from ui.common import localize, show_error
from ui.shared import SharedCache, shared

P = "net."


def trainer_for(config: TrainConfig, upload: bytes | None) -> Trainer:
    """This session's Trainer; a new one (same seed -> same start) when settings change."""
    digest = hashlib.sha256(upload).hexdigest() if upload else None
    key = (config, digest)
    if st.session_state.get(P + "key") != key or P + "trainer" not in st.session_state:
        reset(config, upload)
        st.session_state[P + "key"] = key
    return st.session_state[P + "trainer"]


def new_trainer(config: TrainConfig, upload: bytes | None) -> Trainer:
    net = NETWORKS[config.network]
    s: NetSettings = config.settings
    # the upload is parsed in an envelope worker (issue 11)
    data = net.data(s, config.seed, run("csv", upload) if upload else None)
    return Trainer(config, net.build(s, config.seed), data, s.loss)


def reset(config: TrainConfig, upload: bytes | None) -> None:
    st.session_state[P + "trainer"] = new_trainer(config, upload)
    st.session_state[P + "borrowed"] = False  # this one is the session's own
    st.session_state.pop(P + "view", None)
    st.session_state.pop(P + "start", None)  # the stage opens on the new run's step 0


def figure_of(tr: Trainer, make: Callable[[Trainer, str], Any], lang: str) -> Any:
    """A training figure, made once per (figure, steps trained, language): widget
    changes elsewhere on the page rerun the script but need not recompute it (the loss
    landscape alone evaluates the model 1,600 times)."""
    memo = st.session_state.setdefault(P + "figures", {})
    key = (id(tr), tr.config, make.__name__, tr.history.steps, lang)
    if key not in memo:
        if len(memo) > 16:  # old trainers' figures
            memo.clear()
        memo[key] = make(tr, lang)
    return memo[key]


def _v(a: np.ndarray) -> str:
    return localize(compact(Value(tuple(a.shape), str(a.dtype), a.tolist()), 4))


def update_panel(tr: Trainer, step: int, lang: str) -> None:
    """Each parameter's old value, gradient, learning rate and new value, the rule as
    a formula, and (momentum/Adam/RMSprop) the state the optimizer keeps."""
    cfg = tr.config
    st.markdown(f"#### {localize(t('net.update_title', lang, step=step))}")
    opt = OPTIMIZERS[cfg.optimizer]  # its rule and its state symbols
    st.latex(opt.rule)
    rows = []
    for r in update_rows(tr.history, step):
        row = {t("net.col.param", lang): r.name, t("net.col.before", lang): _v(r.before),
               t("net.col.grad", lang): _v(r.grad), "η": localize(f"{cfg.lr:g}"),
               t("net.col.after", lang): _v(r.after)}
        for k, v in r.state.items():
            row[opt.state.get(k, k)] = _v(np.asarray(v))
        if cfg.optimizer == "sgd":
            ok = np.array_equal(sgd_check(r, cfg), r.after)
            row[t("net.col.check", lang)] = "✓" if ok else "✗"
        rows.append(row)
    st.dataframe(rows, hide_index=True)
    norm = tr.history.norms[step - 1]
    if norm is not None:
        st.caption(localize(t("net.clipped", lang, norm=f"{norm:.4g}", max=cfg.clip)))
    if not cfg.zero_grad:
        st.warning(t("net.no_zero_grad", lang), icon=":material/warning:")


CHUNK = 100  # steps per envelope call: the biggest network here takes ~0.7 s CPU
SHARED_EVERY = 100  # shared training states are kept at multiples of this many steps


@shared("net.trained", max_entries=48, max_bytes=192 * 2**20)
def _state(config: TrainConfig, upload: bytes | None, steps: int) -> bytes:
    """A trainer of `config` after `steps` steps, pickled (read-only bytes). Training is
    deterministic, so every session that asks for the same (settings, steps) — a class
    opening one link, or pressing Play from the same point — shares this computation
    (issue 16), whatever its language; each state starts from the shared state
    SHARED_EVERY steps earlier."""
    if steps <= 0:
        return pickle.dumps(new_trainer(config, upload), protocol=pickle.HIGHEST_PROTOCOL)
    before = (steps - 1) // SHARED_EVERY * SHARED_EVERY
    for lower in range(SHARED_EVERY, before, SHARED_EVERY):  # the chain bottom up, a loop:
        _state(config, upload, lower)  # each a cache hit or one chunk (never a deep stack)
    tr = pickle.loads(_state(config, upload, before)) if before else new_trainer(config, upload)
    if steps > before:
        tr = run("train", tr, steps - before, lang="en")  # one envelope call, one budget
    return pickle.dumps(tr, protocol=pickle.HIGHEST_PROTOCOL)


def shared_state(config: TrainConfig, upload: bytes | None, steps: int, lang: str) -> bytes:
    """The shared state after `steps` steps; a refusal comes in `lang` (the language
    is not part of the key: an English and a Bengali session share one training)."""
    try:
        return _state(config, upload, steps)
    except ProgramError as e:
        raise ProgramError(e.key, e.line, e.col, lang, **e.params) from None


@shared("net.trainer", max_entries=16, max_bytes=96 * 2**20)
def _shared_trainer(config: TrainConfig, upload: bytes | None, steps: int) -> Trainer:
    """The shared state, unpickled once for every session (0.3 s and ~3 MB for 1,000
    steps: per session, that was a class's largest cost). Read-only: a session that
    trains on from it takes its own copy first (`own`)."""
    return pickle.loads(_state(config, upload, steps))


def trained(config: TrainConfig, upload: bytes | None, steps: int, lang: str) -> Trainer:
    """The shared trainer after `steps` steps (read-only until `own`)."""
    try:
        shared_state(config, upload, steps, lang)  # a refusal in the session's language
        tr = _shared_trainer(config, upload, steps)
    except ProgramError as err:  # past the budget: the session keeps what it had
        show_error(err, "", lang)
        return st.session_state[P + "trainer"]
    st.session_state[P + "trainer"] = tr
    st.session_state[P + "borrowed"] = True
    return tr


_REPLAYS = SharedCache("net.replay", max_entries=128, max_bytes=32 * 2**20)


def replayed(tr: Trainer, key: tuple, step: int) -> Trace:
    """Step `step` of the run `key` (its settings, upload and steps trained) captured
    again, once for every session that opens it (a frozen Trace, read-only)."""
    return _REPLAYS.get(key, lambda: tr.replay(step))


def own(tr: Trainer) -> Trainer:
    """This session's own copy of its trainer, before it trains on (copy on write: the
    shared trainer other sessions read must never change)."""
    if st.session_state.get(P + "borrowed") and st.session_state.get(P + "trainer") is tr:
        tr = pickle.loads(pickle.dumps(tr, protocol=pickle.HIGHEST_PROTOCOL))
        st.session_state[P + "trainer"] = tr
        st.session_state[P + "borrowed"] = False
    return tr


def history_rows(tr: Trainer) -> list[dict]:
    """One CSV row per step: loss, test loss (only when the data has a test split: else it
    would repeat the training loss under another name), every parameter and gradient."""
    h, test_split = tr.history, has_test_split(tr)
    rows = []
    for k in range(h.steps):
        row: dict = {"step": k + 1, "loss": h.losses[k]}
        if test_split:
            row["test_loss"] = h.test_losses[k]
        for n in h.names:
            flat_after = h.params[n][k + 1].reshape(-1)
            flat_grad = h.grads[n][k].reshape(-1)
            for j in range(min(flat_after.size, 16)):  # big matrices: the first 16 entries
                suffix = "" if flat_after.size == 1 else f"[{j}]"
                row[f"{n}{suffix}"] = float(flat_after[j])
                row[f"grad {n}{suffix}"] = float(flat_grad[j])
        rows.append(row)
    return rows
