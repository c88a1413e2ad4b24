"""User text into Streamlit's Markdown (st.error/info/warning/markdown/caption) safely.

Names, source segments (comments included), torch's error text, checkpoint keys and
CSV headers come from the user: in Markdown they could make links, images, colours
or icons. Every parameter is escaped for where the catalog puts it: inside a code
span (`{name}`) only a backtick can end it; elsewhere every ASCII punctuation mark
is backslash-escaped (CommonMark allows that for all of them, and it stops
`[…](…)` links, `:material/…:` icons, `:red[…]` colours and `$…$` LaTeX).
Escapes do not stop GFM's autolink literals: remark-gfm finds `www.`, `http(s)://` and
`a@b.co` in the text once escapes are resolved. A ZERO WIDTH SPACE (U+200B, invisible)
after `www`, between `:` and `//` and before `@` leaves nothing for it to find.
Control and format characters (ZWSP too) and line breaks become spaces first, so
messages stay one line and the only ZWSPs are these.
"""

from __future__ import annotations

import re
import string
import unicodedata

from backprop.core.errors import ProgramError
from backprop.i18n import t

_PUNCT = {ord(c): "\\" + c for c in string.punctuation}
ZWSP = "\u200b"
# what GFM autolink literals start with: www., scheme://, local@domain
_AUTOLINK = re.compile(r"(?i)www|:(?=//)|(?=@)")


def one_line(text: str) -> str:
    """Control and format characters (newlines, U+2028, bidi overrides) -> spaces."""
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                   for c in text)


def md_escape(text: object) -> str:
    """Plain text that renders as itself in Streamlit Markdown (never a link)."""
    text = _AUTOLINK.sub(lambda m: m.group() + ZWSP, one_line(str(text)))
    return text.translate(_PUNCT)


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
