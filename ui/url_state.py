"""One declarative table for what a shared link carries, per page (query <-> state).

A link restores its page's state on the session's first visit (before the widgets
are made, so they start from it); `share_link()` writes the current state back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import streamlit as st


@dataclass(frozen=True)
class Param:
    query: str  # name in the link
    key: str  # session-state key (the widget's key)
    kind: str  # "str" | "int" | "float" | "bool" | "list" | "inputs"


GLOBAL = (Param("lang", "lang", "str"), Param("classroom", "classroom", "bool"),
          Param("digits", "digits", "bool"))
PAGES: dict[str, tuple[Param, ...]] = {
    "expression_lab": (
        Param("preset", "lab.preset", "str"), Param("program", "lab.program", "str"),
        Param("inputs", "lab.input.", "inputs"), Param("step", "lab.step", "int")),
    "tiny_network": (
        Param("network", "net.network", "str"), Param("hidden", "net.hidden", "int"),
        Param("units", "net.units", "int"), Param("activation", "net.activation", "str"),
        Param("loss", "net.loss", "str"), Param("dataset", "net.dataset", "str"),
        Param("noise", "net.noise", "float"), Param("optimizer", "net.optimizer", "str"),
        Param("lr", "net.lr", "float"), Param("batch", "net.batch", "int"),
        Param("seed", "net.seed", "int"), Param("clip", "net.clip_on", "bool"),
        Param("max_norm", "net.max_norm", "float"), Param("forget", "net.forget", "bool"),
        Param("trained", "net.trained", "int"), Param("view", "net.view", "int"),
        # the optimizer race and its branch (ui/race.py)
        Param("race", "race.on", "bool"), Param("racers", "race.optimizers", "list"),
        *(Param(f"race_lr_{o}", f"race.lr.{o}", "float")
          for o in ("sgd", "momentum", "adam", "rmsprop")),
        Param("race_steps", "race.steps", "int"), Param("race_param", "race.param", "str"),
        Param("branch", "race.branched", "bool"), Param("branch_from", "race.branch_from", "str"),
        Param("branch_at", "race.branch_at", "int"), Param("branch_opt", "race.branch_opt", "str"),
        Param("branch_lr", "race.branch_lr", "float")),
    "model_anatomy": (
        Param("model", "anat.model", "str"), Param("depth", "anat.depth", "int"),
        Param("freeze", "anat.freeze", "list"), Param("expand", "anat.expand", "list")),
    "learn": (),
}


def _decode(kind: str, raw: str) -> Any:
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        return raw in ("1", "true", "True")
    if kind == "list":
        return [x for x in raw.split(",") if x]
    return raw


def _encode(kind: str, value: Any) -> str:
    if kind == "bool":
        return "1" if value else "0"
    if kind == "list":
        return ",".join(value)
    return str(value)


def restore(page: str) -> None:
    """Session state from the link, once per session and page; bad values are ignored."""
    done = f"_restored.{page}"
    if st.session_state.get(done):
        return
    st.session_state[done] = True
    for p in GLOBAL + PAGES.get(page, ()):
        raw = st.query_params.get(p.query)
        if raw is None:
            continue
        try:
            if p.kind == "inputs":  # "x:2,y:3" -> lab.input.x = 2.0, lab.input.y = 3.0
                for pair in filter(None, raw.split(",")):
                    name, _, value = pair.partition(":")
                    st.session_state[p.key + name] = float(value)
            elif p.key not in st.session_state or p in GLOBAL:
                st.session_state[p.key] = _decode(p.kind, raw)
        except ValueError:
            continue


def state_query(page: str) -> dict[str, str]:
    """The current state of `page` (and the global settings) as query parameters."""
    out: dict[str, str] = {}
    for p in GLOBAL + PAGES.get(page, ()):
        if p.kind == "inputs":
            pairs = [f"{k[len(p.key):]}:{v:g}" for k, v in st.session_state.items()
                     if isinstance(k, str) and k.startswith(p.key)]
            if pairs:
                out[p.query] = ",".join(sorted(pairs))
        elif p.key in st.session_state and st.session_state[p.key] not in (None, "", []):
            out[p.query] = _encode(p.kind, st.session_state[p.key])
    return out


def share_link(page: str, path: str) -> str:
    base = (st.context.url or "").split("?")[0]
    if not base.rstrip("/").endswith(path):
        base = base.rstrip("/") + ("/" + path if path else "")
    return f"{base}?{urlencode(state_query(page))}"
