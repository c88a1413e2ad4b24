"""AppTest: the Model Anatomy page."""

from __future__ import annotations

import io

import pytest
import torch
from streamlit.testing.v1 import AppTest

from backprop.i18n import t
from tests.helpers import app_test
from ui.safe_text import safe_t


@pytest.fixture
def at() -> AppTest:
    return app_test("app_pages/model_anatomy.py")


def metrics(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def test_resnet50_summary_and_collapsed_graph(at: AppTest) -> None:
    at.selectbox(key="anat.model").set_value("resnet50").run()
    assert not at.exception
    assert metrics(at)[:3] == ["25,557,032", "25,557,032", "0"]
    dot = at.get("graphviz_chart")[0].proto.spec
    assert '"m:layer3"' in dot and "7,098,368 params" in dot
    at.multiselect(key="anat.expand").set_value(["layer3"]).run()
    dot = at.get("graphviz_chart")[0].proto.spec
    assert '"m:layer3"' not in dot and '"m:layer3.5"' in dot
    at.select_slider(key="anat.depth").set_value(0).run()
    dot = at.get("graphviz_chart")[0].proto.spec
    assert "ConvolutionBackward0" in dot and "subgraph cluster_" in dot


def test_vgg16_counts(at: AppTest) -> None:
    at.selectbox(key="anat.model").set_value("vgg16").run()
    assert metrics(at)[0] == "138,357,544"


def test_freeze_changes_trainable_and_graph(at: AppTest) -> None:
    at.selectbox(key="anat.model").set_value("lenet5").run()
    before = at.get("graphviz_chart")[0].proto.spec
    at.multiselect(key="anat.freeze").set_value(["features"]).run()
    assert metrics(at)[1] == f"{61_706 - 156 - 2416:,}"
    assert metrics(at)[2] == f"{156 + 2416:,}"
    assert at.get("graphviz_chart")[0].proto.spec != before


def _pt(state: dict[str, torch.Tensor]) -> bytes:
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def _values(at: AppTest) -> str:
    return at.get("graphviz_chart")[0].proto.spec  # the DOT, with each node's value


def test_seed_simple_and_checkpoint_tab(at: AppTest) -> None:
    """The seed's module (a*x + b, a = b = 5, x = 5): its parameters, and a state_dict
    restored from an upload is the model the page shows, with what did not fit said."""
    assert not at.exception
    assert at.selectbox(key="anat.model").value == "seed-simple"
    assert metrics(at)[:3] == ["2", "1", "1"]  # one trainable, one non-trainable scalar
    params = [row for df in at.dataframe for row in df.value.to_dict("records")]
    names = {str(v) for row in params for v in row.values()}
    assert {"a_variable", "non_trainable_variable"} <= names
    assert any("class SimpleModule" in c.value for c in at.code)  # the Code tab
    assert at.download_button(key="anat.download").label == t("anat.download")
    upload = at.file_uploader(key="anat.upload")
    assert set(upload.allowed_type) >= {".pt", ".pth"}
    assert "30" in _values(at) and "40" not in _values(at)  # 5*5 + 5

    upload.set_value(("simple.pt", _pt({"a_variable": torch.tensor(7.0),
                                        "non_trainable_variable": torch.tensor(5.0)}),
                      "application/octet-stream")).run()
    assert not at.exception
    assert [s.value for s in at.success] == [t("anat.restored"), t("anat.loaded", n=2)]
    assert "40" in _values(at)  # 7*5 + 5: the graph is the restored model
    assert not at.warning

    at.file_uploader(key="anat.upload").set_value(
        ("other.pt", _pt({"a_variable": torch.ones(2), "extra": torch.tensor(1.0)}),
         "application/octet-stream")).run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert warnings == [safe_t("anat.missing", "en", names="non_trainable_variable"),
                        safe_t("anat.unexpected", "en", names="extra"),
                        safe_t("anat.wrong_shape", "en", name="a_variable", want=(),
                               got=(2,))]
    assert t("anat.loaded", n=0) in [s.value for s in at.success]

    at.file_uploader(key="anat.upload").set_value(
        ("bad.pt", b"not a checkpoint", "application/octet-stream")).run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("err.ckpt_format")]
    assert not at.success and "30" in _values(at)  # nothing restored: the initial weights


def test_uploads_are_read_in_a_worker_once_per_file(at: AppTest, monkeypatch) -> None:  # noqa: ANN001
    """The user's bytes are unpickled only in an envelope worker, once per distinct
    file (not on every rerun); the server applies the tensors the worker sent."""
    import backprop.sandbox.envelope as envelope
    import ui.checkpoint

    ui.checkpoint.FILES.clear()
    calls: list[str] = []
    call = envelope.Envelope.call

    def counting(self, action: str, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append(action)
        return call(self, action, *args, **kwargs)

    def no_load(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("torch.load in the server process")

    monkeypatch.setattr(envelope.Envelope, "call", counting)
    monkeypatch.setattr(torch, "load", no_load)  # the worker is another process
    raw = _pt({"a_variable": torch.tensor(7.0), "non_trainable_variable": torch.tensor(5.0)})
    at.file_uploader(key="anat.upload").set_value(
        ("simple.pt", raw, "application/octet-stream")).run()
    assert not at.exception
    assert "40" in _values(at)  # 7*5 + 5: the restored model, traced
    for depth in (0, 2, 1):  # reruns: nothing is read again
        at.select_slider(key="anat.depth").set_value(depth).run()
        assert not at.exception and "40" in _values(at)
    at.file_uploader(key="anat.upload").set_value(  # the same bytes, another upload
        ("again.pt", raw, "application/octet-stream")).run()
    assert "40" in _values(at)
    assert calls.count("checkpoint") == 1, calls

    at.file_uploader(key="anat.upload").set_value(
        ("bad.pt", b"PK not a checkpoint", "application/octet-stream")).run()
    at.select_slider(key="anat.depth").set_value(0).run()
    assert [e.value for e in at.error] == [t("err.ckpt_format")]  # the refusal is kept
    assert calls.count("checkpoint") == 2, calls
    assert "30" in _values(at)


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_thousands_of_long_unexpected_names_are_a_short_warning(lang: str) -> None:
    at = app_test("app_pages/model_anatomy.py", {"lang": lang})
    names = [f"{i:04d}." + "x" * 500 for i in range(3000)]
    raw = _pt({"a_variable": torch.tensor(7.0), **dict.fromkeys(names, torch.tensor(0.0))})
    at.file_uploader(key="anat.upload").set_value(
        ("many.pt", raw, "application/octet-stream")).run()
    assert not at.exception
    warning = next(w.value for w in at.warning if "0000" in w.value)
    assert len(warning) < 20 * 90 + 400, len(warning)  # was 1.5 MB: every name in full
    assert "0019" in warning and "0020" not in warning
    assert warning.endswith(t("anat.and_more", lang, n="2,980"))
    assert "x" * 79 not in warning.replace("\\", "") and "x" * 70 in warning
    assert "40" in _values(at)  # what fits is still loaded
