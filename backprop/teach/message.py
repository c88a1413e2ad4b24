"""Words as data: a catalog key and its parameters, said in a language only on screen.

The engine returns `Msg`s (steps, transcripts) so a page can switch language without
running the program again; `say` turns one into text at display time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backprop.i18n import DEFAULT_LANG, t


@dataclass(frozen=True)
class Msg:
    """Catalog `key` with `params`; a param may itself be a Msg, a `Friendly` op name,
    or a tuple of parts said one after the other (a list joined by the caller)."""

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, **params: Any) -> Msg:
        return cls(key, tuple(params.items()))

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class Friendly:
    """An autograd class name said in words (`MulBackward0` -> "multiply")."""

    op: str | None


def say(part: Any, lang: str = DEFAULT_LANG) -> str:
    """Any message part as text in `lang`."""
    if isinstance(part, Msg):
        return t(part.key, lang, **{k: _param(v, lang) for k, v in part.params})
    if isinstance(part, Friendly):
        from backprop.teach.ops import friendly  # the op table is the teaching layer's

        return friendly(part.op, lang)
    if isinstance(part, tuple):
        return "".join(say(p, lang) for p in part)
    return part if isinstance(part, str) else str(part)


def _param(value: Any, lang: str) -> Any:
    # numbers stay numbers: a catalog entry may format them (`{n}`, `{x:.2f}`)
    return say(value, lang) if isinstance(value, (Msg, Friendly, tuple)) else value
