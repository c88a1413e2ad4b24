"""The engine's layers (backprop/<layer>/): imports only point down, checked with ast.

A module may import from its own layer and from the layers its row allows; lazy
imports inside functions count too. The top (actions, warm, cli) wires every layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "backprop"

BASE = {"i18n", "core"}
# layer -> the layers it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "i18n": set(),
    "core": {"i18n"},
    "sandbox": BASE,
    "capture": BASE | {"sandbox"},
    "teach": BASE | {"sandbox", "capture"},
    "draw": BASE | {"sandbox", "capture", "teach"},
    "train": BASE | {"sandbox", "capture", "teach", "draw"},
    "anatomy": BASE | {"sandbox", "capture"},
    "top": {"i18n", "core", "sandbox", "capture", "teach", "draw", "train", "anatomy"},
}
TOP = {"__init__", "actions", "warm", "cli"}
# never imported by the engine (nor its own public shim, which imports the engine)
NEVER = {"examples", "ui", "app_pages", "app", "streamlit", "graphviz_tools"}


def _layer(path: Path) -> str:
    rel = path.relative_to(ENGINE)
    if len(rel.parts) > 1:
        return rel.parts[0]
    return "top" if rel.stem in TOP else rel.stem


def _imports(path: Path) -> list[str]:
    """Absolute dotted names this module imports (relative ones resolved)."""
    pkg = list(path.relative_to(ROOT).parent.parts)
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(pkg[:len(pkg) - node.level + 1]) if node.level else ""
            mod = ".".join(p for p in (base, node.module or "") if p)
            out += [f"{mod}.{a.name}" for a in node.names] if not node.module else [mod]
    return out


def _engine_files() -> list[Path]:
    return sorted(ENGINE.rglob("*.py"))


def test_every_engine_module_is_in_a_layer() -> None:
    for path in _engine_files():
        assert _layer(path) in ALLOWED, f"{path}: add its layer to ALLOWED (and a docstring)"


def test_imports_only_point_down() -> None:
    wrong = []
    for path in _engine_files():
        me = _layer(path)
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "backprop" or len(parts) < 2:
                continue
            target = parts[1] if parts[1] in ALLOWED else "top"
            if target != me and target not in ALLOWED[me]:
                wrong.append(f"{path.relative_to(ROOT)} ({me}) imports {name} ({target})")
    assert not wrong, "\n".join(wrong)


def test_sandbox_and_capture_never_import_draw_or_train() -> None:
    # spelled out (ALLOWED implies it): the rule the issue names
    for layer in ("sandbox", "capture"):
        for path in (ENGINE / layer).rglob("*.py"):
            for name in _imports(path):
                assert not name.startswith(("backprop.draw", "backprop.train")), (path, name)


def test_engine_never_imports_examples_ui_or_streamlit() -> None:
    # graphviz_tools/__init__.py (the public API) follows the engine's rule too; its
    # __main__ passes the registries from examples/ into the CLI (backprop/cli.py).
    for path in [*_engine_files(), ROOT / "graphviz_tools" / "__init__.py"]:
        for name in _imports(path):
            assert name.split(".")[0] not in NEVER, (path, name)


def test_cli_takes_the_registries() -> None:
    main = ROOT / "graphviz_tools" / "__main__.py"
    names = _imports(main)
    assert "examples.models" in names and "examples.networks" in names
    assert "registries=" in main.read_text("utf-8")


def test_every_layer_says_what_it_owns() -> None:
    for init in [ENGINE / "__init__.py", *ENGINE.glob("*/__init__.py")]:
        tree = ast.parse(init.read_text("utf-8"))
        doc = ast.get_docstring(tree)
        assert doc and len(doc.split()) >= 20, f"{init}: one paragraph of what it owns"
        if init.parent != ENGINE:
            assert "\n\n" not in doc.strip(), f"{init}: one paragraph"
            # nothing but the docstring: importing a layer costs nothing
            assert len(tree.body) == 1, init
    layers = {p.parent.name for p in ENGINE.glob("*/__init__.py")}
    assert layers == set(ALLOWED) - {"i18n", "top"}


MAX_LINES = 250


def test_no_module_over_250_lines() -> None:
    files = [*ENGINE.rglob("*.py"), *(ROOT / "graphviz_tools").glob("*.py"),
             *(ROOT / "ui").glob("*.py"), *(ROOT / "app_pages").glob("*.py"),
             *(ROOT / "examples").glob("*.py"), ROOT / "app.py"]
    long = {str(f.relative_to(ROOT)): n for f in files
            if (n := len(f.read_text("utf-8").splitlines())) > MAX_LINES}
    assert not long, long
