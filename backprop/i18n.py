"""UI strings: one JSON catalog per language, looked up by key."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

LANGUAGES: dict[str, str] = {"en": "English", "bn": "বাংলা"}
DEFAULT_LANG = "en"
_DIR = Path(__file__).with_name("locales")


@cache
def catalog(lang: str) -> dict[str, str]:
    """The flat key -> text table of one language (read once per process)."""
    return json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """Text for `key` in `lang`, falling back to English, formatted with `params`."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANG
    text = catalog(lang).get(key) or catalog(DEFAULT_LANG).get(key) or key
    return text.format(**params) if params else text


_BN_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
# a number, not the digits inside a name: w1, h2, MulBackward0, ResNet-50 keep theirs
_NUMBER = re.compile(r"(?<![A-Za-z_\d])(?<![A-Za-z]-)\d[\d.,]*(?:e[+-]?\d+)?")


def digits(text: str, lang: str, native: bool) -> str:
    """Write the numbers in `text` with Bengali digits when asked (display only)."""
    if not (native and lang == "bn"):
        return text
    return _NUMBER.sub(lambda m: m.group(0).translate(_BN_DIGITS), text)


def digits_prose(text: str, lang: str, native: bool) -> str:
    """`digits` for Markdown prose: `code spans` keep their digits (code stays code)."""
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(p if p.startswith("`") else digits(p, lang, native) for p in parts)
