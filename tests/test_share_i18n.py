"""Languages, shared links, classroom mode, exports; no UI text written inline."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from backprop.i18n import catalog
from tests.helpers import app_test

ROOT = Path(__file__).resolve().parent.parent
BENGALI = re.compile("[\u0980-\u09ff]")
PAGES = ["app_pages/expression_lab.py", "app_pages/tiny_network.py",
         "app_pages/model_anatomy.py", "app_pages/learn.py"]


def app(query: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    return app_test(page, query)


def share_link(at: AppTest) -> str:
    """The link in the Share popover (a code block: plain text, copy button)."""
    return next(c.value for c in at.code if c.language == "plaintext"
                and re.match(r"^\S*(expression_lab|tiny_network|model_anatomy|learn)?(\?\S*)?$",
                             c.value) and ("?" in c.value or "/" in c.value))


def link_of(at: AppTest) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(share_link(at)).query))


def dot_of(at: AppTest) -> str:
    return next(c.value for c in at.code if c.language == "dot")


# Streamlit calls whose first argument is text a user reads (st.code / st.latex show code).
SHOWN = {"title", "header", "subheader", "markdown", "caption", "text", "write", "info",
         "warning", "error", "success", "button", "toggle", "selectbox", "slider",
         "select_slider", "multiselect", "number_input", "text_area", "text_input", "radio",
         "download_button", "file_uploader", "metric", "expander", "form_submit_button",
         "tabs", "progress"}


def test_no_ui_text_written_inline_in_pages() -> None:
    """Texts shown by st.* calls come from the catalogs (t(...)), never literals."""
    files = [ROOT / "app.py", *(ROOT / p for p in PAGES), *(ROOT / "ui").glob("*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SHOWN):
                continue
            for arg in [*node.args[:1], *(k.value for k in node.keywords
                                           if k.arg in ("label", "help", "placeholder"))]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    assert not re.search(r"[A-Za-z]{3,}", arg.value), \
                        f"{path.name}:{node.lineno} {arg.value!r}"
                if isinstance(arg, ast.JoinedStr):
                    text = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
                    assert not re.search(r"[A-Za-z]{3,}", text), f"{path.name}:{node.lineno}"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_bengali(page: str) -> None:
    at = app({"lang": "bn"}, page)
    assert not at.exception
    assert BENGALI.search(at.title[0].value)
    labels = [w.label for w in (*at.selectbox, *at.slider, *at.button) if w.label]
    # code names (max_norm, zero_grad()) stay as PyTorch spells them
    assert labels and all(BENGALI.search(x) or not re.search("[a-z]{4,}", x) or "_" in x
                          for x in labels if x not in ("◀", "▶")), labels


def test_browser_locale_is_not_needed_for_english_default() -> None:
    at = app()
    assert at.title[0].value == catalog("en")["lab.title"]


def test_lab_link_round_trip() -> None:
    at = app()
    at.text_area(key="lab.program").input("z = x * y + x\nw = torch.tanh(z)")
    at.button(key="lab.run").click().run()
    at.number_input(key="lab.input.x").set_value(2.0)
    at.number_input(key="lab.input.y").set_value(-1.5).run()
    q = link_of(at)
    assert q["program"].startswith("z = x * y") and q["inputs"] == "x:2,y:-1.5"
    again = app(q)
    assert again.text_area(key="lab.program").value == at.text_area(key="lab.program").value
    assert again.number_input(key="lab.input.y").value == -1.5
    assert dot_of(again) == dot_of(at)


def test_network_link_reopens_the_same_training_state() -> None:
    at = app(page="app_pages/tiny_network.py")
    at.selectbox(key="net.network").set_value("classifier").run()
    at.selectbox(key="net.optimizer").set_value("momentum")
    at.button(key="net.train").click().run()  # one more chunk: 300 + 300 steps
    q = link_of(at)
    # only what a fresh page would not show (the QR code stays small): no defaults, no race
    assert q == {"optimizer": "momentum", "trained": "600"}
    again = app(q, "app_pages/tiny_network.py")
    assert _stage_text(again, 600) == _stage_text(at, 600)  # same numbers, same words
    at.selectbox(key="net.network").set_value("xor").run()
    assert link_of(at)["network"] == "xor" and "hidden" not in link_of(at)
    # a fresh page trains its first chunk by itself: a link needs no `trained` for it
    assert link_of(app(page="app_pages/tiny_network.py")) == {}


def _stage_text(at: object, step: int) -> str:
    """The Tiny Network stage's explanation at `step` (it carries loss and accuracy)."""
    stage = next(d["fig"] for e in at.get("bidi_component")  # type: ignore[attr-defined]
                 if e.proto.component_name == "bp_stage"
                 for d in [json.loads(e.proto.json)]
                 if d["fig"].get("meta", {}).get("painter") == "net")
    frame = next(f for f in stage["frames"] if f["name"] == str(step))
    return " ".join([frame["explain"]["head"], *frame["explain"]["body"]])


def test_anatomy_link_round_trip() -> None:
    at = app(page="app_pages/model_anatomy.py")
    at.selectbox(key="anat.model").set_value("resnet50").run()
    at.multiselect(key="anat.expand").set_value(["layer2"]).run()
    q = link_of(at)
    again = app(q, "app_pages/model_anatomy.py")
    assert again.get("graphviz_chart")[0].proto.spec == at.get("graphviz_chart")[0].proto.spec


def test_classroom_mode_hides_editing() -> None:
    at = app({"classroom": "1", "preset": "seed-ab"})
    assert not at.exception
    assert not at.text_area  # the program is shown, not edited
    assert any("a * b + b" in c.value for c in at.code)


def test_bengali_digits_on_the_graph() -> None:
    at = app({"lang": "bn", "digits": "1"})
    dot = dot_of(at)
    assert "৪.৫" in dot and '"n0"' in dot  # numbers in Bengali digits, ids untouched


def test_learn_opens_the_lab_with_the_example() -> None:
    at = app(page="app_pages/learn.py")
    at.button(key="learn.accumulate").click().run()
    assert not at.exception
    assert "x.grad.zero_()" in at.session_state["lab.program"]


def test_share_link_is_short_and_comes_with_a_qr_code() -> None:
    at = app()
    assert link_of(at) == {"preset": "seed-mean"}  # the preset names its code and inputs
    assert at.get("image")  # the QR code, drawn as an image (SVG), not as markup
    at.selectbox(key="lab.preset").set_value("seed-ab").run()
    assert link_of(at) == {"preset": "seed-ab"}
    at = app({"lang": "bn", "step": "4"})
    assert link_of(at) == {"preset": "seed-mean", "lang": "bn", "step": "4"}


def test_a_link_made_on_the_projector_opens_the_editable_view() -> None:
    at = app({"classroom": "1"})
    assert "classroom" not in link_of(at)  # students get the normal, editable page
    at.checkbox(key="share.projector").check().run()
    assert link_of(at)["classroom"] == "1"  # unless the teacher chooses otherwise
    assert not app({"preset": "seed-ab"}).get("checkbox")  # the choice is the projector's


def test_qr_code_is_a_real_qr_of_the_link() -> None:
    import segno

    from ui.share import qr_svg

    svg = qr_svg("http://localhost:8501/expression_lab?preset=seed-ab")
    assert svg.startswith("<svg") and "<script" not in svg
    assert segno.make("http://localhost:8501/expression_lab?preset=seed-ab", error="m").version \
        <= 4  # a short link stays a small code, readable from the back of a room


def test_a_link_too_long_for_a_qr_code_says_so() -> None:
    from ui.share import qr_svg

    assert qr_svg("x" * 5000) is None  # more than any QR code holds: no crash
    at = app({"program": "y = x * 2\n" * 80})
    assert not at.exception and not at.get("image")
    assert any(c.value == catalog("en")["share.too_long"] for c in at.caption)
