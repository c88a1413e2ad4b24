"""Rewrite imports and module paths from the flat `graphviz_tools` engine to `backprop`.

Issue 15 moved the engine's 55 flat modules into layer sub-packages of `backprop/`
(core, sandbox, capture, teach, draw, train, anatomy); `graphviz_tools` stays as the
public API (run_program, graph_of, to_dot, render, ProgramError) and `python -m
graphviz_tools`. Run this over code written against the old paths:

    python tools/remap_imports.py [PATH ...]     (default: the whole repository)

It rewrites, in .py/.md/.toml/.sh/Dockerfile files:
- `import graphviz_tools.x`, `from graphviz_tools.x import ...`, and any dotted string
  such as a monkeypatch target "graphviz_tools.sandbox.run" or "graphviz_tools.actions:fn";
- `from graphviz_tools import x` (x a module) -> `from backprop.<layer> import x`;
- relative imports inside backprop/ (`from .x import`, `from . import x`) -> absolute;
- paths "graphviz_tools/x.py", "graphviz_tools/assets", "graphviz_tools/locales" and
  `"graphviz_tools" / "locales"`-style pathlib joins.
It is idempotent: new paths never match the old names. Files that another branch added
to graphviz_tools/ are not moved: `git mv` them by the table below, then run this.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = "graphviz_tools", "backprop"

# old flat module -> new module under backprop (the one table of the move)
MOVES: dict[str, str] = {
    # top: wiring of every layer, and the language catalogs
    "cli": "cli", "actions": "actions", "warm": "warm", "i18n": "i18n",
    # core: the data model and what every layer shares
    "graph": "core.graph", "errors": "core.errors", "messages": "core.messages",
    "limits": "core.limits", "fmt": "core.fmt",
    # sandbox: the language, its interpreter, guards and the envelope
    "language": "sandbox.language", "expression": "sandbox.expression",
    "statements": "sandbox.statements", "modules": "sandbox.modules",
    "interpreter": "sandbox.interpreter", "guards": "sandbox.guards",
    "repair": "sandbox.repair", "suggest": "sandbox.suggest",
    "sandbox": "sandbox.envelope", "worker": "sandbox.worker",
    # capture: hooks, graph walk, Trace assembly, loops
    "capture": "capture.hooks", "tensor_graph": "capture.tensor_graph",
    "program": "capture.program", "trace_fn": "capture.trace_fn",
    "iterations": "capture.iterations",
    # teach: op names, chain rule, steps, finite differences
    "ops": "teach.ops", "chain": "teach.chain", "umath": "teach.umath",
    "steps": "teach.steps", "stage_text": "teach.stage_text", "fd": "teach.fd",
    # draw: DOT, layout, animation, the stage, export
    "dot": "draw.dot", "layout": "draw.layout", "style": "draw.style",
    "animation": "draw.animation", "stage": "draw.stage", "stage_html": "draw.stage_html",
    "export": "draw.export", "figdigits": "draw.figdigits",
    # train: the Tiny Network and the optimizer race
    "training": "train.training", "updates": "train.updates", "codegen": "train.codegen",
    "datasets": "train.datasets", "checkpoint": "train.checkpoint",
    "episode": "train.episode", "diagnose": "train.diagnose",
    "stage_figure": "train.stage_figure", "net_frames": "train.net_frames",
    "train_figures": "train.train_figures",
    "race": "train.race", "race_figures": "train.race_figures",
    "race_landscape": "train.race_landscape", "race_notes": "train.race_notes",
    "race_cli": "train.race_cli", "losses": "train.losses", "optimizers": "train.optimizers",
    # anatomy: models from the inside
    "anatomy": "anatomy.attribution", "summary": "anatomy.summary",
}
# folders that moved (file paths in docs, pathlib joins)
DIRS = {"assets": "draw/assets", "locales": "locales"}

_NAMES = "|".join(sorted(MOVES, key=len, reverse=True))
_DOTTED = re.compile(rf"\b{OLD}\.({_NAMES})\b(?!\.py)")
_PATH = re.compile(rf"\b{OLD}/({_NAMES})\.py\b")
_DIR = re.compile(rf"\b{OLD}/({'|'.join(DIRS)})\b")
_JOIN = re.compile(rf"""(["']){OLD}\1(\s*/\s*)(["'])({'|'.join(DIRS)})\3""")
_FROM_PKG = re.compile(rf"^(\s*)from {OLD} import ([\w ,]+)$", re.M)
_FROM_REL = re.compile(r"^(\s*)from \.(\w+) import", re.M)
_FROM_DOT = re.compile(r"^(\s*)from \. import ([\w ,]+)$", re.M)


def _new(name: str) -> str:
    return f"{NEW}.{MOVES[name]}"


def _moves(names: str) -> bool:
    return any(p.split(" as ")[0].strip() in MOVES for p in names.split(","))


def _split_import(indent: str, names: str, keep_pkg: str | None) -> str:
    """`from pkg import a, b as c` -> one line per moved module (others kept together)."""
    lines, kept = [], []
    for part in (p.strip() for p in names.split(",") if p.strip()):
        name = part.split(" as ")[0].strip()
        if name in MOVES:
            parent, _, leaf = _new(name).rpartition(".")
            alias = part[len(name):] or ("" if leaf == name else f" as {name}")
            lines.append(f"{indent}from {parent} import {leaf}{alias}")
        else:
            kept.append(part)
    if kept:
        if keep_pkg is None:
            return f"{indent}from . import {', '.join(kept)}"  # not ours: leave it be
        lines.insert(0, f"{indent}from {keep_pkg} import {', '.join(kept)}")
    return "\n".join(lines)


def remap(text: str, in_engine: bool) -> str:
    text = _FROM_PKG.sub(lambda m: _split_import(m[1], m[2], OLD) if _moves(m[2]) else m[0],
                         text)
    text = _DOTTED.sub(lambda m: _new(m[1]), text)
    text = _PATH.sub(lambda m: f"{NEW}/{MOVES[m[1]].replace('.', '/')}.py", text)
    text = _DIR.sub(lambda m: f"{NEW}/{DIRS[m[1]]}", text)
    text = _JOIN.sub(lambda m: m[1] + NEW + m[1] + m[2] + " / ".join(
        f"{m[3]}{p}{m[3]}" for p in DIRS[m[4]].split("/")), text)
    if in_engine:  # relative imports were written against the flat package
        text = _FROM_REL.sub(lambda m: f"{m[1]}from {_new(m[2])} import"
                             if m[2] in MOVES else m[0], text)
        text = _FROM_DOT.sub(lambda m: _split_import(m[1], m[2], None) if _moves(m[2])
                             else m[0], text)
    return text


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    skip = {".git", ".venv", "__pycache__", "test-artifacts", ".ruff_cache"}
    for p in paths:
        if p.is_file():
            out.append(p)
            continue
        for f in p.rglob("*"):
            if skip & set(f.relative_to(p).parts) or not f.is_file():
                continue
            if f.suffix in (".py", ".md", ".toml", ".sh", ".txt", ".cfg") or \
                    f.name in ("Dockerfile", ".dockerignore"):
                out.append(f)
    return out


def main(argv: list[str]) -> int:
    changed = 0
    for f in _files([Path(a) for a in argv] or [ROOT]):
        if f.resolve() == Path(__file__).resolve():
            continue
        old = f.read_text("utf-8")
        in_engine = f.suffix == ".py" and f.resolve().is_relative_to(ROOT / NEW)
        new = remap(old, in_engine)
        if new != old:
            f.write_text(new, "utf-8")
            changed += 1
            print(f"remapped {f}")
    print(f"{changed} file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
