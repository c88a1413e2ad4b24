"""The one exception the engine raises for refused or failing programs."""

from __future__ import annotations

import re
from collections.abc import Callable

from backprop.i18n import DEFAULT_LANG, catalog, t


class ProgramError(Exception):
    """A program was refused or failed. `message` is in the UI language.

    `key` and `params` name the catalog entry, so a page can re-render the same
    error in another language; `line`/`col` are 1-based where known.
    """

    def __init__(
        self,
        key: str,
        line: int | None = None,
        col: int | None = None,
        lang: str = DEFAULT_LANG,
        **params: object,
    ) -> None:
        self.key, self.line, self.col, self.params = key, line, col, params
        self.lang = lang
        super().__init__(self.message)

    def in_lang(self, lang: str, fmt: Callable[..., str] = t) -> str:
        """The message in `lang`; `fmt` formats each catalog entry (the pages pass one
        that escapes user text for Markdown: ui/safe_text.py)."""
        body = fmt(f"err.{self.key}", lang, **spoken(self.key, self.params, lang))
        if "suggest" in self.params:  # "did you mean …" from the allow-lists
            body += " " + fmt("err.did_you_mean", lang, name=self.params["suggest"])
        if "elsewhere" in self.params:  # the app does it, on another page
            body += " " + fmt(f"err.elsewhere.{self.params['elsewhere']}", lang)
        if self.line is None:
            return body
        where = fmt("err.where", lang, line=self.line, col=self.col or 1)
        return f"{where}: {body}"

    @property
    def original(self) -> str | None:
        """Python's or PyTorch's own (English) text, when the message explains one."""
        return str(self.params.get("detail")) if self.key in _EXPLAINED else None

    @property
    def message(self) -> str:
        return self.in_lang(self.lang)

    def localized(self, lang: str) -> ProgramError:
        """The same error, speaking `lang`."""
        return ProgramError(self.key, self.line, self.col, lang, **self.params)


_EXPLAINED = {"syntax": "syn.unknown", "torch": "torch.unknown"}


def spoken(key: str, params: dict[str, object], lang: str) -> dict[str, object]:
    """Params in the UI language: Python's/PyTorch's English text explained (the
    original stays in `.original`), refused syntax named in words of the catalog."""
    if key in _EXPLAINED and "detail" in params:
        from backprop.core.messages import explain

        text = explain(key, str(params["detail"]), lang)
        return {**params, "detail": text or t(_EXPLAINED[key], lang)}
    if key == "syntax_kind" and "what" in params:
        slug = "what." + re.sub(r"[^a-z]+", "_", str(params["what"]).lower()).strip("_")
        return {**params, "what": t(slug, lang) if slug in catalog(DEFAULT_LANG)
                else params["what"]}
    return params


def backward_error_key(e: RuntimeError) -> str:
    """The catalog key for PyTorch's own backward() errors (the common mistakes)."""
    msg = str(e)
    if "second time" in msg:
        return "backward_twice"
    if "implicitly created only for scalar" in msg:
        return "backward_scalar"
    if "does not require grad" in msg:
        return "backward_no_grad"
    return "torch"
