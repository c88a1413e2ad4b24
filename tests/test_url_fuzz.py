"""Every query parameter of every page, fuzzed (no exception, ever), and the language
switched back and forth on every page (AppTest)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import app_test
from ui.url_state import GLOBAL, PAGES

SCRIPTS = {"expression_lab": "app_pages/expression_lab.py",
           "tiny_network": "app_pages/tiny_network.py",
           "model_anatomy": "app_pages/model_anatomy.py", "learn": "app_pages/learn.py"}
NUMBERS = st.one_of(st.integers(-10**12, 10**12).map(str),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.sampled_from(["0", "1", "-1", "1e309", "nan", "0x10", "1_0", " 3 "]))
VALUES = st.one_of(NUMBERS, st.text(max_size=40),
                   st.sampled_from(["zzz", "seed-mean", "xor", "lenet5", "bn", "en", "x:nan",
                                    "x:1e309,y:-inf", ":", ",,", "a,b", "<b>x</b>", "\x00",
                                    "z = x * y", "x = torch.ones(size=(10**5, 10**5))"]))


def _query(page: str) -> st.SearchStrategy[dict[str, str]]:
    names = [p.query for p in GLOBAL + PAGES[page]] + ["unknown"]
    return st.dictionaries(st.sampled_from(names), VALUES, max_size=6)


@pytest.mark.parametrize("page", list(SCRIPTS))
def test_every_query_parameter_fuzzed(page: str) -> None:
    @given(query=_query(page))
    @settings(max_examples=12, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    def check(query: dict[str, str]) -> None:
        at = app_test(SCRIPTS[page], query, timeout=180)
        assert not at.exception, (query, [e.message for e in at.exception])
        at.run()  # and the rerun after it (a bad value must not be stored)
        assert not at.exception, query

    check()


@pytest.mark.parametrize("page", list(SCRIPTS))
def test_each_parameter_at_its_edges(page: str) -> None:
    for p in GLOBAL + PAGES[page]:
        for raw in ("-99999", "99999", "nan", "inf", "zzz", ""):
            at = app_test(SCRIPTS[page], {p.query: raw}, timeout=180)
            assert not at.exception, (p.query, raw, [e.message for e in at.exception])


@pytest.mark.parametrize("page", list(SCRIPTS))
def test_language_back_and_forth(page: str) -> None:
    at = app_test(SCRIPTS[page], timeout=180)
    for lang in ("bn", "en", "bn", "en"):
        at.radio(key="lang").set_value(lang)
        at.run()
        assert not at.exception, (lang, [e.message for e in at.exception])
    assert at.session_state["lang"] == "en"
