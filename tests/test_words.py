"""Issue 14: teaching accuracy — the finite-difference verdict, catalogs, update rules."""

from __future__ import annotations

import json
import math
import re
import string
from pathlib import Path

import pytest

from backprop.teach.fd import finite_differences, verdict
from graphviz_tools import run_program

LOCALES = Path(__file__).resolve().parents[1] / "backprop" / "locales"


def test_verdict_agree_and_disagree() -> None:
    assert verdict([4.0, -6.0], (4.0000001, -6.0)).ok
    v = verdict([0.0], (0.5,))
    assert not v.ok and v.reason == "fd.mismatch" and v.diff == pytest.approx(0.5)


@pytest.mark.parametrize("auto, est, reason", [([math.nan], (1.0,), "fd.nan"),
                                               ([1.0], (math.nan,), "fd.nan"),
                                               ([1.0, math.nan], (1.0, 2.0), "fd.nan"),
                                               ([math.inf], (1.0,), "fd.inf")])
def test_verdict_non_finite_is_never_ok(auto: list[float], est: tuple, reason: str) -> None:
    v = verdict(auto, est)
    assert not v.ok and v.reason == reason


def test_relu_at_zero_is_a_cross_with_a_reason() -> None:
    """PyTorch's relu'(0) is 0; the central difference is 0.5: the table must say ✗."""
    src = "z = torch.relu(x)"
    trace = run_program(src, {"x": 0.0})
    x = next(n for n in trace.leaves() if n.name == "x")
    fd = finite_differences(src, ["x"], {"x": 0.0})["x"]
    v = verdict(x.grad.tensor().flatten().tolist(), fd.estimate)
    assert not v.ok and v.reason == "fd.mismatch"


def test_sqrt_at_zero_nan_is_a_cross() -> None:
    src = "z = torch.sqrt(x) * 0"  # autograd: 0 * inf = nan
    trace = run_program(src, {"x": 0.0})
    x = next(n for n in trace.leaves() if n.name == "x")
    got = x.grad.tensor().flatten().tolist()
    assert math.isnan(got[0])
    fd = finite_differences(src, ["x"], {"x": 0.0}).get("x")
    est = fd.estimate if fd else (0.0,)
    assert verdict(got, est).reason == "fd.nan"


def _catalogs() -> dict[str, dict[str, str]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in LOCALES.glob("*.json")}


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_bengali_covers_every_key_of_every_catalog() -> None:
    """Both ways: bn has every key of every catalog and no key of its own, with the
    same placeholders; the switch offers exactly the catalogs on disk."""
    from backprop.i18n import LANGUAGES

    cats = _catalogs()
    assert set(cats) == set(LANGUAGES) and len(cats) >= 2
    bn = cats["bn"]
    for lang, cat in cats.items():
        missing, extra = sorted(set(cat) - set(bn)), sorted(set(bn) - set(cat))
        assert not missing, f"bn lacks keys of {lang}: {missing}"
        assert not extra, f"{lang} lacks keys of bn: {extra}"
        for key, text in cat.items():
            assert _fields(text) == _fields(bn[key]), (lang, key)


def test_bengali_texts_are_bengali() -> None:
    """Every bn text that has words has Bengali script (not a copied English string),
    apart from names that stay as they are (optimizer and model names, file types)."""
    same_ok = re.compile(r"^[\s\W\d]*([A-Z][A-Za-z0-9-]*[\s\W\d]*)*$")
    bn = _catalogs()["bn"]
    for key, text in bn.items():
        prose = re.sub(r"`[^`]*`|\{[a-z_]+\}", "", text)
        if re.search(r"[A-Za-z]{3,}", prose) and not same_ok.match(prose):
            assert re.search(r"[\u0980-\u09FF]", prose), key


def test_catalog_format_is_kept() -> None:
    for p in LOCALES.glob("*.json"):
        raw = p.read_text(encoding="utf-8")
        assert raw == json.dumps(json.loads(raw), ensure_ascii=False, indent=1), p.name


def test_book_terms_in_bengali() -> None:
    bn = "\n".join(_catalogs()["bn"].values())
    for term in ("ব্যাকপ্রোপাগেশন", "বায়াস", "লস ফাংশন", "ফিডফরোয়ার্ড", "গ্র্যাডিয়েন্ট ডেসেন্ট"):
        assert term in bn, term
    assert "গ্র্যাডিয়েন্ট ডিসেন্ট" not in bn  # the book spells it ডেসেন্ট


def test_adam_rule_shown_is_the_rule_torch_applies() -> None:
    """The LaTeX names the bias correction, and applying it to the recorded state
    reproduces torch.optim.Adam's update."""
    from backprop.train.optimizers import OPTIMIZERS
    from backprop.train.training import TrainConfig, Trainer
    from backprop.train.updates import update_rows
    from examples.networks import NETWORKS

    rule = OPTIMIZERS["adam"].rule
    assert r"1-\beta_1^{\,t}" in rule and r"1-\beta_2^{\,t}" in rule
    net = NETWORKS["seed-2layer"]
    cfg = TrainConfig(optimizer="adam", lr=0.1, settings=net.defaults)
    tr = Trainer(cfg, net.build(net.defaults, 0), net.data(net.defaults, 0), "mse")
    tr.run(3)
    for step in (1, 3):
        for row in update_rows(tr.history, step):
            t_ = float(row.state["step"])
            m_hat = row.state["exp_avg"] / (1 - 0.9 ** t_)
            v_hat = row.state["exp_avg_sq"] / (1 - 0.999 ** t_)
            want = row.before - cfg.lr * m_hat / (v_hat ** 0.5 + 1e-8)
            assert abs(float(want) - float(row.after)) < 1e-6, (step, row.name)


@pytest.mark.parametrize("name", ["seed-2layer", "xor", "classifier"])
def test_no_test_loss_without_a_test_split(name: str) -> None:
    from backprop.train.train_figures import has_test_split, loss_figure
    from backprop.train.training import TrainConfig, Trainer
    from examples.networks import NETWORKS

    net = NETWORKS[name]
    tr = Trainer(TrainConfig(network=name, settings=net.defaults),
                 net.build(net.defaults, 0), net.data(net.defaults, 0), net.defaults.loss)
    tr.run(2)
    traces = loss_figure(tr, "en")["data"]
    split = name == "classifier"
    assert has_test_split(tr) is split
    assert len(traces) == (2 if split else 1)
    from ui.training import history_rows  # the CSV download: no test column either
    rows = history_rows(tr)
    assert len(rows) == 2 and ("test_loss" in rows[0]) is split


def test_catalogs_hard_code_no_digit_system() -> None:
    """Digits are ASCII in every catalog; the Bengali-digits switch maps them for display
    (the switch's own label, which shows what it does, is the one exception)."""
    for lang, cat in _catalogs().items():
        for key, text in cat.items():
            if key != "app.digits":
                assert not re.search("[০-৯]", text), (lang, key)


@pytest.mark.parametrize("src, key", [("x = (1 + 2", "syn.never_closed"),
                                      ("x = [1, 2)", "syn.mismatch"),
                                      ("  x = 1", "syn.indent"),
                                      ("x = 'abc", "syn.string"),
                                      ("x = 1 2", "syn.invalid"),
                                      ("x = 3a", "syn.decimal"),
                                      ("z = torch.ones(2, 3) @ torch.ones(2, 2)", "torch.matmul"),
                                      ("z = torch.ones(3)[5]", "torch.index")])
def test_python_and_torch_errors_explained_in_bengali(src: str, key: str) -> None:
    from backprop.i18n import t
    from graphviz_tools import ProgramError

    with pytest.raises(ProgramError) as err:
        run_program(src)
    e = err.value
    bn = e.in_lang("bn")
    assert e.original and e.original not in bn  # the English original goes to a detail
    expected = t(key, "bn").split("{")[0]
    assert expected in bn, bn
    prose = re.sub(r"'[^']*'|`[^`]*`", "", bn)
    assert not re.search(r"[A-Za-z]{3,}", prose), bn


@pytest.mark.parametrize("src", ["for i in range(3):\n    x = 1\n    y = 2\n    while x:\n"
                                 "        y = 1", "def f(a):\n    return a",
                                 "y = [i for i in x]", "y = lambda q: q"])
def test_refused_syntax_named_in_bengali(src: str) -> None:
    from graphviz_tools import ProgramError

    with pytest.raises(ProgramError) as err:
        run_program(src, {"x": 1.0})
    prose = re.sub(r"`[^`]*`", "", err.value.in_lang("bn"))
    words = set(re.findall(r"[A-Za-z]{3,}", prose))
    assert words <= {"for", "while", "lambda"}, prose  # Python keywords themselves only


def test_digits_map_numbers_not_names() -> None:
    from backprop.i18n import digits

    assert digits("w1 = 0.5 · MulBackward0 · ResNet-50 · 1×512×7×7 · 1.5e-3", "bn", True) \
        == "w1 = ০.৫ · MulBackward0 · ResNet-50 · ১×৫১২×৭×৭ · ১.৫e-৩"
    assert digits("w1 = 0.5", "bn", False) == digits("w1 = 0.5", "en", True) == "w1 = 0.5"


def test_figures_get_bengali_tick_labels_and_texts() -> None:
    from backprop.draw.animation import figure
    from backprop.draw.figdigits import nice_ticks, with_native_digits
    from backprop.train.train_figures import loss_figure
    from backprop.train.training import TrainConfig, Trainer
    from examples.networks import NETWORKS

    assert nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    net = NETWORKS["classifier"]
    tr = Trainer(TrainConfig(network="classifier", settings=net.defaults),
                 net.build(net.defaults, 0), net.data(net.defaults, 0), "bce")
    tr.run(12)
    fig = loss_figure(tr, "bn")
    shown = with_native_digits(fig, "bn")
    x = shown["layout"]["xaxis"]
    assert x["tickvals"][0] >= 1 and all(v == int(v) for v in x["tickvals"])
    assert all(re.fullmatch("[০-৯]+", s) for s in x["ticktext"]), x["ticktext"]
    assert shown["data"][0]["y"] == fig["data"][0]["y"]  # data untouched
    # the animation: frame names and slider args untouched, texts mapped
    anim = figure(run_program("z = x * y + 2", {"x": 3.0, "y": 4.0}), "bn")
    bn = with_native_digits(anim, "bn")
    assert [f["name"] for f in bn["frames"]] == [f["name"] for f in anim["frames"]]
    assert json.dumps(bn["layout"].get("sliders", [])).count('"args"') == \
        json.dumps(anim["layout"].get("sliders", [])).count('"args"')
    assert "১৪" in json.dumps(bn, ensure_ascii=False)  # z = 14, in Bengali digits
    assert with_native_digits(anim, "en") is anim


def test_book_presets_carry_the_books_bengali_comments() -> None:
    """On the Bengali page the book's presets show the book's own comments, verbatim."""
    from examples.presets import PRESETS

    book = (Path(__file__).resolve().parents[2] / "shared" / "seeds"
            / "001_346323cd9218a508.txt")
    if not book.exists():
        pytest.skip("the book's chapter is not next to this checkout")
    text = book.read_text(encoding="utf-8")
    for p in PRESETS.values():
        if not p.from_seed and p.key != "seed-ab":
            continue
        comments = re.findall(r"#\s*(.+?)\s*$", p.code_in("bn"), re.M)
        assert comments, p.key
        for c in comments:
            assert c in text, (p.key, c)
        assert run_program(p.code_in("bn"), p.inputs).to_dict() == \
            run_program(p.code, p.inputs).to_dict()  # only comments differ
