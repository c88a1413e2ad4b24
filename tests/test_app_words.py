"""Issue 14 on pages: the language stays chosen, Learn's tour, presets per language."""

from __future__ import annotations

import re

import pytest

from examples.presets import PRESETS
from tests.helpers import app_test


def test_language_written_back_to_the_address_bar() -> None:
    """Every run re-sets ?lang=, so a page reached by the sidebar keeps it."""
    at = app_test("app_pages/tiny_network.py", {"lang": "bn"})
    assert at.query_params["lang"] == "bn"
    at.switch_page("app_pages/learn.py")
    at.query_params.clear()  # what the sidebar navigation does to the address bar
    at.run()
    assert not at.exception
    assert at.query_params["lang"] == "bn"


def test_learn_opens_the_lab_in_bengali_with_the_books_comments() -> None:
    at = app_test("app_pages/learn.py", {"lang": "bn"})
    assert not at.exception
    titles = [s.value for s in at.subheader]
    assert len(titles) == 7 and any("ক্লিপিং" in x for x in titles)
    assert "ব্যাকপ্রোপাগেশন" in "\n".join(m.value for m in at.markdown)
    at.button(key="learn.graph").click().run()
    assert not at.exception
    assert at.query_params["lang"] == "bn"
    assert at.session_state["lab.program"] == PRESETS["seed-ab"].code_in("bn")
    assert "# আউটপুটের উপর ব্যাকওয়ার্ড পাস" in at.session_state["lab.program"]


def test_preset_code_follows_the_language_while_unchanged() -> None:
    at = app_test("app_pages/expression_lab.py", {"lang": "bn"})
    at.selectbox(key="lab.preset").set_value("seed-diff-squares").run()
    assert "# ইনপুট টেনসর" in at.session_state["lab.program"]
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.session_state["lab.program"] == PRESETS["seed-diff-squares"].code


def test_anatomy_shows_buffers_keras_note_and_vgg_features() -> None:
    at = app_test("app_pages/model_anatomy.py", {"lang": "bn"})
    at.selectbox(key="anat.model").set_value("resnet50").run()
    assert not at.exception
    assert [m.value for m in at.metric][3] == "53,173"
    captions = "\n".join(c.value for c in at.caption)
    assert "25,636,712" in captions and "53,120" in captions and "NCHW" in captions
    at.sidebar.toggle(key="digits").set_value(True).run()
    assert [m.value for m in at.metric][0] == "২৫,৫৫৭,০৩২"
    assert "টি প্যারামিটার" in at.get("graphviz_chart")[0].proto.spec
    at.selectbox(key="anat.model").set_value("vgg16").run()
    assert not at.exception
    assert any("model.features(x)" in c.value for c in at.code)
    assert "১×৫১২×৭×৭" in "\n".join(c.value for c in at.caption)


def test_crash_banner_in_the_ui_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page that fails shows the catalog's message first (Streamlit's follows)."""
    import ui.common
    from backprop.i18n import t

    def boom(*_args: object, **_kw: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(ui.common, "legend", boom)  # the lab draws its legend every run
    at = app_test("app_pages/expression_lab.py", {"lang": "bn"})
    assert at.exception  # still reported (tests and logs see it)
    assert any(e.value == t("app.crash", "bn") for e in at.error)


@pytest.mark.parametrize("page", ["app_pages/expression_lab.py", "app_pages/tiny_network.py",
                                  "app_pages/model_anatomy.py", "app_pages/learn.py"])
def test_every_page_with_bengali_digits(page: str) -> None:
    at = app_test(page, {"lang": "bn", "digits": "1", "trained": "3"})
    assert not at.exception
    assert at.session_state["digits"] is True
    for m in at.metric:  # counts, losses, accuracies: no ASCII digit left
        assert not re.search("[0-9]", m.value), (page, m.label, m.value)
