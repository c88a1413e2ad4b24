"""User text into Streamlit's Markdown (st.error/info/warning/markdown/caption) safely.

Names, source segments (comments included), torch's error text, checkpoint keys and
CSV headers come from the user: in Markdown they could make links, images, colours
or icons. Every parameter is escaped for where the catalog puts it: inside a code
span (`{name}`) only a backtick can end it; elsewhere every ASCII punctuation mark
is backslash-escaped (CommonMark allows that for all of them, and it also stops
GFM autolinks, `:material/…:` icons, `:red[…]` colours and `$…$` LaTeX).
Control characters and line breaks become spaces: messages stay one line.
"""

from __future__ import annotations

import string
import unicodedata

from backprop.core.errors import ProgramError
from backprop.i18n import t

_PUNCT = {ord(c): "\\" + c for c in string.punctuation}


def one_line(text: str) -> str:
    """Control and format characters (newlines, U+2028, bidi overrides) -> spaces."""
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                   for c in text)


def md_escape(text: object) -> str:
    """Plain text that renders as itself in Streamlit Markdown."""
    return one_line(str(text)).translate(_PUNCT)


def _in_code(text: object) -> str:
    return one_line(str(text)).replace("`", "ʹ")


def safe_t(key: str, lang: str, **params: object) -> str:
    """t(key, ...) with every parameter escaped for Markdown, by where it sits."""
    template = t(key, lang)
    parts = template.split("`")  # odd parts are code spans
    out = []
    for i, part in enumerate(parts):
        esc = _in_code if i % 2 else md_escape
        try:
            out.append(part.format(**{k: esc(v) for k, v in params.items()}))
        except (KeyError, IndexError, ValueError):
            out.append(part)
    return "`".join(out)


def error_text(err: ProgramError, lang: str) -> str:
    """An error's one-line message, Markdown-safe: ProgramError.in_lang with every
    parameter escaped for where the catalog puts it."""
    return err.in_lang(lang, safe_t)
