"""Project rules that keep the code base honest: i18n catalogs, engine boundary."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from backprop.i18n import LANGUAGES, catalog
from examples.presets import PRESETS

ROOT = Path(__file__).resolve().parent.parent


def test_every_key_in_every_language() -> None:
    """Every language the switch offers has a catalog file, and every catalog has
    exactly English's keys, each with a non-empty text (no English fallback shown)."""
    files = {p.stem for p in (ROOT / "backprop" / "locales").glob("*.json")}
    assert files == set(LANGUAGES) and "en" in files
    en = set(catalog("en"))
    for lang in LANGUAGES:
        keys = set(catalog(lang))
        assert keys == en, (lang, sorted(en - keys)[:5], sorted(keys - en)[:5])
        assert [k for k, v in catalog(lang).items() if not v.strip()] == [], lang


def test_placeholders_match_across_languages() -> None:
    import string
    fmt = string.Formatter()
    for key, text in catalog("en").items():
        en = {f for _, f, _, _ in fmt.parse(text) if f}
        for lang in LANGUAGES:
            other = {f for _, f, _, _ in fmt.parse(catalog(lang)[key]) if f}
            assert other == en, (lang, key)


def test_every_preset_has_title_and_about() -> None:
    for key in PRESETS:
        for lang in LANGUAGES:
            assert f"preset.{key}.title" in catalog(lang)
            assert f"preset.{key}.about" in catalog(lang)


def test_catalogs_are_valid_json_files() -> None:
    for lang in LANGUAGES:
        json.loads((ROOT / "backprop" / "locales" / f"{lang}.json").read_text("utf-8"))


def test_engine_never_imports_streamlit() -> None:
    for path in [*(ROOT / "backprop").rglob("*.py"), *(ROOT / "graphviz_tools").rglob("*.py")]:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "streamlit" for n in names), path
    code = "import sys, graphviz_tools, backprop.cli; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_no_eval_or_exec_in_app_code() -> None:
    for path in [*ROOT.glob("*.py"), *(ROOT / "backprop").rglob("*.py"),
                 *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec", "compile"), path
