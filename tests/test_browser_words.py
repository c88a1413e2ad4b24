"""Browser: every page in Bengali shows no English outside code; the language stays.

The walk reads every text node of the page (hidden tabs and expanders included),
except code, the graph's <title>, icon ligatures and text CSS has replaced (font-size
0, see ui/widget_texts.py). What remains may hold Latin script only for names that
are code or proper names: identifiers (digits, _, ., parentheses), CamelCase and
ACRONYMS, one- and two-letter symbols, and the short list below.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

# PyTorch function and module names, optimizers, tools, key names, language names
ALLOWED = {"torch", "tanh", "relu", "sigmoid", "softmax", "exp", "log", "sqrt", "abs", "sin",
           "cos", "max", "min", "sum", "mean", "clamp", "grad", "backward", "forward", "meta",
           "Adam", "RMSprop", "Graphviz", "English", "Alt", "Ctrl", "Enter", "xor", "moons",
           "micrograd", "None", "True", "False", "Dense", "Linear", "LazyLinear", "Module",
           "inf", "nan", "import", "print", "requires", "state", "dict", "weights", "only",
           "Normalize", "unsqueeze", "features", "include", "top", "retain", "optimizer",
           "zero", "norm", "clip", "label", "for", "while", "lambda", "flatten", "add",
           "out", "loss"}  # variable names of the book's code, shown on graph nodes
# Streamlit's own texts that no API or CSS reaches (a visually hidden skip link)
STREAMLIT = ("Skip to main content",)
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-()=\[\]/]*")

WALK = """() => {
  const skip = el => el.closest('code, pre, textarea, script, style, noscript, title, .katex,'
    + ' [data-testid="stIconMaterial"], [data-testid="stExpanderIcon"], .stExpanderIcon,'
    + ' [data-testid="stAlertDynamicIcon"], [aria-hidden="true"][translate="no"]');
  const out = [];
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = w.nextNode())) {
    const el = n.parentElement;
    if (!el || skip(el) || getComputedStyle(el).fontSize === '0px') continue;
    if (/[A-Za-z]/.test(n.textContent)) out.push(n.textContent.trim());
  }
  return out;
}"""


def shown_names() -> set[str]:
    """Identifiers the app shows as they are: variable names of the presets, module
    paths and classes of the models, the networks' tapped tensors (code, not prose)."""
    import ast

    from examples.models import MODELS
    from examples.presets import PRESETS

    names = {"logits", "h", "y_pred", "torchvision"}
    for p in PRESETS.values():
        names |= {n.id for n in ast.walk(ast.parse(p.code)) if isinstance(n, ast.Name)}
    for spec in MODELS.values():
        for path, m in spec.build().named_modules():
            names |= set(path.split(".")) | {type(m).__name__}
    return names


def english_words(texts: list[str]) -> set[str]:
    bad = set()
    allowed = ALLOWED | shown_names()
    for text in texts:
        if text in STREAMLIT:
            continue
        for tok in TOKEN.findall(text):
            word = tok.strip(".-/()=[]")
            if (len(word) <= 2 or re.search(r"[\d_.(=\[/]", tok.rstrip(".")) or word in allowed
                    or re.search(r"[a-z][A-Z]", word) or word.isupper()
                    or re.fullmatch(r"[A-Z][a-z]+[A-Z0-9].*", word)):
                continue
            bad.add(word)
    return bad


def _bengali(browser: object) -> object:
    ctx = browser.new_context(locale="en-US",  # type: ignore[attr-defined]
                              viewport={"width": 1400, "height": 1000})
    ctx.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda r: r.abort())  # offline
    return ctx


@pytest.mark.parametrize("path, ready", [("", ".bp-stage[data-ready='1']"), ("tiny_network", "h1"),
                                         ("model_anatomy", "svg .node"), ("learn", "h1")])
def test_every_page_in_bengali_has_no_english_words(browser, server: str, path: str,  # noqa: ANN001
                                                    ready: str) -> None:
    ctx = _bengali(browser)
    page = ctx.new_page()
    page.goto(f"{server}/{path}?lang=bn")
    page.wait_for_selector(ready, timeout=60_000)
    if path == "tiny_network":  # one step: the update panel and the training figures
        page.get_by_role("button", name="এক ধাপ").click()
        page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_timeout(2500)  # the last fragments (figures, tables) settle
    bad = english_words(page.evaluate(WALK))
    page.screenshot(path=str(ARTIFACTS / f"bn-{path or 'lab'}.png"), full_page=True)
    ctx.close()
    assert not bad, f"English on the Bengali {path or 'lab'} page: {sorted(bad)}"


def test_language_survives_learn_buttons_and_sidebar(browser, server: str) -> None:  # noqa: ANN001
    """A browser in English, a link with ?lang=bn: every way between pages keeps it."""
    ctx = _bengali(browser)
    page = ctx.new_page()
    page.goto(f"{server}/learn?lang=bn")
    page.wait_for_selector("h1", timeout=60_000)
    page.get_by_role("button", name="এক্সপ্রেশন ল্যাবে খুলুন").first.click()
    page.wait_for_selector("h1:has-text('এক্সপ্রেশন ল্যাব')", timeout=60_000)
    page.wait_for_function("() => location.search.includes('lang=bn')", timeout=30_000)
    page.locator('[data-testid="stSidebarNav"] a', has_text="ছোট নেটওয়ার্ক").click()
    page.wait_for_selector("h1:has-text('ছোট নেটওয়ার্ক')", timeout=60_000)
    page.wait_for_function("() => location.search.includes('lang=bn')", timeout=30_000)
    assert "/tiny_network" in page.url
    ctx.close()


def test_restored_checkpoint_changes_the_shown_model(browser, server: str,  # noqa: ANN001
                                                     tmp_path) -> None:  # noqa: ANN001
    """Upload a state_dict with a_variable = 7: the graph now computes 7·5 + 5 = 40."""
    import torch

    path = tmp_path / "simple.pt"
    torch.save({"a_variable": torch.tensor(7.0), "non_trainable_variable": torch.tensor(5.0)},
               path)
    ctx = _bengali(browser)
    page = ctx.new_page()
    page.goto(f"{server}/model_anatomy?lang=bn")
    page.wait_for_selector("svg .node", timeout=60_000)
    texts = "() => [...document.querySelectorAll('svg .node text')].map(t => t.textContent)"
    assert any("30" in x for x in page.evaluate(texts))  # 5·5 + 5 with the initial weights
    page.get_by_role("tab", name="চেকপয়েন্ট").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.wait_for_function(f"() => ({texts})().some(t => t.includes('40'))", timeout=60_000)
    assert page.get_by_text("ফিরিয়ে আনা ওজন দেখানো হচ্ছে", exact=False).count() == 1
    # the Checkpoint tab stays open on its report (the notice above does not reset the tabs)
    assert page.get_by_role("tab", name="চেকপয়েন্ট").get_attribute("aria-selected") == "true"
    page.screenshot(path=str(ARTIFACTS / "bn-anatomy-restored.png"), full_page=True)
    ctx.close()
