"""No markup from user text: Markdown (Streamlit), Plotly labels, exported HTML, DOT."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop.draw.animation import figure
from backprop.draw.export import animation_html, script_json
from graphviz_tools import ProgramError, render, run_program, to_dot
from ui.safe_text import ZWSP, error_text, md_escape, one_line, safe_t

LINKY = "[a](http://e.vil) ![i](http://e.vil/i.png) <img src=x> :red[x] $x$ www.e.vil `"
# the final bare expression's source segment (with its comments) names the output
PROGRAM = f"w = x * 2\n(w  # {LINKY} </script><!--\n * y)\n"
# GFM autolink literals: escapes do not stop them (remark-gfm reads the text after)
LINKS = ("see www.evil-example.com and https://evil-example.com/login", "[l](http://e.com)",
         "write to a@b.co or mailto:x@y.org", "WWW.E.COM HTTP://E.COM xmpp:me@e.im")
# remark-gfm's finders (mdast-util-gfm-autolink-literal), minus its checks of the
# character before and of the domain: these find more than it does, never less
_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.I)
_GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")


def _unescaped(md: str, ch: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(ch), md)
            if m.start() == 0 or md[m.start() - 1] != "\\"]


def test_markdown_escape_leaves_no_active_punctuation() -> None:
    out = md_escape(LINKY + "\nnext\u2028line")
    for ch in "[]()!<>:$`*_":
        assert not _unescaped(out, ch), ch
    assert "\n" not in out and "\u2028" not in out


def _text(md: str) -> str:
    """What Markdown makes of escaped text: every backslash escape resolved."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md)


def _autolinks(md: str) -> list[str]:
    text = _text(md)
    return [m.group() for m in (*_GFM_URL.finditer(text), *_GFM_EMAIL.finditer(text))]


def test_autolink_literals_cannot_form() -> None:
    for s in LINKS:
        assert _autolinks(s.replace("[l](", "").replace(")", ""))  # the finders find them
        out = md_escape(s)
        assert not _autolinks(out), out
        assert _text(out).replace(ZWSP, "") == s  # shown as typed (ZWSP is invisible)
    text = safe_t("anat.unexpected", "bn", names=", ".join(LINKS))
    assert not _autolinks(text)


_PIECES = st.sampled_from(["www", "WwW", ".", "http", "s", ":", "/", "//", "@", "a", "b.co",
                           " ", "(", "*", "_", "~", "\\", "mailto", "e-x.com", ZWSP, "\n"])


@given(st.lists(_PIECES, max_size=24).map("".join))
@settings(max_examples=300, deadline=None)
def test_no_autolink_from_any_text(s: str) -> None:
    out = md_escape(s)
    assert not _autolinks(out), out
    assert _text(out).replace(ZWSP, "") == one_line(s)


@pytest.mark.browser
def test_no_link_elements_in_a_real_browser(page, server: str, tmp_path) -> None:  # noqa: ANN001
    """The attack as a user would make it: a checkpoint whose names are web addresses,
    uploaded on Model Anatomy; the warning that lists them shows them, as text."""
    import torch

    path = tmp_path / "links.pt"
    torch.save(dict.fromkeys(LINKS, torch.tensor(0.0)), path)
    page.goto(f"{server}/model_anatomy")
    page.wait_for_selector("svg .node", timeout=60_000)
    page.get_by_role("tab", name="Checkpoint").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text("Showing the restored weights").wait_for(timeout=60_000)
    page.get_by_role("tab", name="Checkpoint").click()  # the rerun showed the first tab
    alert = page.locator('[data-testid="stAlert"]', has_text="not in this model")
    alert.wait_for(timeout=60_000)
    assert alert.locator("a").count() == 0, alert.inner_html()
    shown = alert.inner_text().replace(ZWSP, "")
    assert all(name in shown for name in LINKS), shown


def test_params_inside_code_spans_cannot_close_them() -> None:
    text = safe_t("lab.note.implicit", "en", name="x`) [a](http://e.vil) (`")
    assert text.count("`") == 2  # the catalog's own pair only
    assert "http://e.vil" in text  # shown literally, inside the code span


def test_error_text_is_one_safe_line() -> None:
    err = ProgramError("torch", 3, 2, detail="bad\n![i](http://e.vil/i.png)\r\x1b[31m")
    out = error_text(err, "bn")
    assert "\n" not in out and "\r" not in out and "\x1b" not in out
    assert not _unescaped(out, "[") and not _unescaped(out, "(")


def test_program_names_reach_the_page_escaped() -> None:
    trace = run_program(PROGRAM, {})
    name = trace.output_node.name
    assert "http://e.vil" in name and "\n" in name  # the segment, comment and all
    note = safe_t("lab.note.implicit", "en", name=name)
    assert "\n" not in note and note.count("`") == 2


def test_plotly_labels_and_captions_escape_user_html() -> None:
    fig = figure(run_program(PROGRAM, {}))
    texts = json.dumps([t for tr in fig["data"] for t in (tr.get("text") or [])]
                       + [t for fr in fig["frames"] for d in fr["data"]
                          for t in (d.get("text") or [])])
    assert "<img" not in texts and "</script" not in texts and "<!--" not in texts
    assert "&lt;img" in texts  # the user's text is still shown, as text


def test_exported_html_has_only_its_own_scripts() -> None:
    html = animation_html(run_program(PROGRAM, {}))
    assert len(re.findall(r"<script\b", html, re.I)) == 2
    assert len(re.findall(r"</script", html, re.I)) == 2
    assert "<!--" not in html.split("<script>", 2)[2]  # not in our script either


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_script_json_round_trips_and_never_ends_a_script(s: str) -> None:
    out = script_json({"s": s, "l": [s]})
    assert json.loads(out) == {"s": s, "l": [s]}
    assert "<" not in out and ">" not in out and "&" not in out
    assert "\u2028" not in out and "\u2029" not in out


@given(st.text(max_size=80))
@settings(max_examples=200, deadline=None)
def test_one_line_never_breaks(s: str) -> None:
    assert len(one_line(s).splitlines() or [""]) == 1


def test_control_characters_cannot_break_the_dot() -> None:
    trace = run_program("w = x * 2\n(w  # a \x01 b \x0b c \x1f d \u2028 e\n * y)\n", {})
    dot = to_dot(trace)
    assert not any(ord(c) < 32 and c not in "\n" for c in dot)
    assert render(trace, "svg").startswith(b"<?xml") or b"<svg" in render(trace, "svg")


def test_error_text_says_what_in_lang_says_for_plain_text() -> None:
    for err in (ProgramError("function", 2, 5, name="torch.tensr", suggest="torch.tensor"),
                ProgramError("unbound", 1, 1, name="abc"), ProgramError("timeout", seconds=2)):
        for lang in ("en", "bn"):
            assert error_text(err, lang).replace("\\", "") == err.in_lang(lang).replace("\\", "")
