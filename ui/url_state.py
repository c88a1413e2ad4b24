"""One declarative table for what a shared link carries, per page (query <-> state).

Each row names a query parameter, its session key, kind and check; ui/url_sync.py
reads a link into the session and writes the session back into a link by it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backprop.core.limits import DEFAULT_LIMITS
from backprop.i18n import LANGUAGES

Check = Callable[[Any], Any]  # a decoded value -> the value to keep; ValueError: ignore it


@dataclass(frozen=True)
class Param:
    query: str  # name in the link
    key: str  # session-state key (the widget's key)
    kind: str  # "str" | "int" | "float" | "bool" | "list" | "inputs"
    check: Check | None = None  # what the widget accepts (a link is untrusted input)


def one_of(options: Callable[[], Any]) -> Check:
    """A name from a registry (read when checked: registries import torch)."""
    def check(v: Any) -> Any:
        if v not in options():
            raise ValueError(v)
        return v
    return check


def clamp(lo: float, hi: float) -> Check:
    """A number in [lo, hi]; outside it is clamped (a notice says so); nan/inf ignored."""
    def check(v: Any) -> Any:
        try:  # a 400-digit int overflows isfinite: out of range, like nan
            finite = math.isfinite(v)
        except OverflowError:
            finite = False
        if not finite:
            raise ValueError(v)
        out = min(max(v, lo), hi)
        if out != v:
            raise Clamped(out)
        return out
    return check


def subset_of(options: Callable[[], Any]) -> Check:
    """A list of registry names; unknown ones are dropped (with a notice)."""
    def check(v: Any) -> Any:
        if not isinstance(v, list):
            raise ValueError(v)
        kept = [x for x in v if x in options()]
        if kept != v:
            raise Clamped(kept)
        return kept
    return check


class Clamped(ValueError):  # noqa: N818 - not an error: the value to keep, with a notice
    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


def _program(v: str) -> str:
    if len(v) > DEFAULT_LIMITS.source_chars:
        raise ValueError("too long")
    return v


def _presets() -> Any:
    from examples.presets import PRESETS
    return PRESETS


def _networks() -> Any:
    from examples.networks import NETWORKS
    return NETWORKS


def _activations() -> Any:
    from backprop.train.losses import ACTIVATIONS
    return ACTIVATIONS


def _losses() -> Any:
    from backprop.train.losses import LOSSES
    return LOSSES


def _datasets() -> Any:
    from backprop.train.datasets import DATASETS
    return (*DATASETS, "upload")  # a link to "upload" just asks for a file


def _optimizers() -> Any:
    from backprop.train.optimizers import OPTIMIZERS
    return tuple(OPTIMIZERS)


def _models() -> Any:
    from examples.models import MODELS
    return MODELS


# The Tiny Network's choice widgets offer exactly these (the page imports them).
LRS = [0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3, 0.5, 1.0]
BATCHES = [0, 1, 4, 8, 16, 32, 64]
LINK_STEPS = 1_000  # steps a link may ask to have trained on opening (the biggest button)

GLOBAL = (Param("lang", "lang", "str", one_of(lambda: LANGUAGES)),
          Param("classroom", "classroom", "bool"), Param("digits", "digits", "bool"))
PAGES: dict[str, tuple[Param, ...]] = {
    "expression_lab": (
        Param("preset", "lab.preset", "str", one_of(_presets)),
        Param("program", "lab.program", "str", _program),
        Param("inputs", "lab.input.", "inputs", clamp(-1e6, 1e6)),
        Param("step", "lab.step", "int", clamp(1, 100_000))),
    "tiny_network": (
        Param("network", "net.network", "str", one_of(_networks)),
        Param("hidden", "net.hidden", "int", clamp(0, 3)),
        Param("units", "net.units", "int", clamp(1, 8)),
        Param("activation", "net.activation", "str", one_of(_activations)),
        Param("loss", "net.loss", "str", one_of(_losses)),
        Param("dataset", "net.dataset", "str", one_of(_datasets)),
        Param("noise", "net.noise", "float", clamp(0.0, 0.5)),
        Param("optimizer", "net.optimizer", "str", one_of(_optimizers)),
        Param("lr", "net.lr", "float", one_of(lambda: LRS)),
        Param("batch", "net.batch", "int", one_of(lambda: BATCHES)),
        Param("seed", "net.seed", "int", clamp(0, 10_000)),
        Param("clip", "net.clip_on", "bool"),
        Param("max_norm", "net.max_norm", "float", clamp(0.1, 5.0)),
        Param("forget", "net.forget", "bool"),
        Param("trained", "net.trained", "int", clamp(0, LINK_STEPS)),
        Param("view", "net.view", "int", clamp(1, LINK_STEPS)),
        # the optimizer race and its branch (ui/race.py snaps lrs and steps itself)
        Param("race", "race.on", "bool"),
        Param("racers", "race.optimizers", "list", subset_of(_optimizers)),
        *(Param(f"race_lr_{o}", f"race.lr.{o}", "float", clamp(0.0001, 10.0))
          for o in ("sgd", "momentum", "adam", "rmsprop")),
        Param("race_steps", "race.steps", "int", clamp(1, LINK_STEPS)),
        Param("race_param", "race.param", "str"),
        Param("branch", "race.branched", "bool"),
        Param("branch_from", "race.branch_from", "str", one_of(_optimizers)),
        Param("branch_at", "race.branch_at", "int", clamp(0, LINK_STEPS)),
        Param("branch_opt", "race.branch_opt", "str", one_of(_optimizers)),
        Param("branch_lr", "race.branch_lr", "float", clamp(0.0001, 10.0))),
    "model_anatomy": (
        Param("model", "anat.model", "str", one_of(_models)),
        Param("depth", "anat.depth", "int", clamp(0, 50)),
        Param("freeze", "anat.freeze", "list"), Param("expand", "anat.expand", "list")),
    "learn": (),
}
