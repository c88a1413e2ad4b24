"""Refusals that help: "did you mean …" over the allow-lists, where in the app the
things the lab does not do live, and Python's syntax errors in the UI language."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable

from backprop.core.errors import ProgramError
from backprop.sandbox.language import DTYPES, TENSOR_ATTRS, TENSOR_METHODS, TORCH_FUNCTIONS
from backprop.sandbox.modules import (
    CONSTRUCTORS,
    ELSEWHERE,
    INPLACE_METHODS,
    MODULE_ATTRS,
    MODULE_METHODS,
    OPTIMIZER_METHODS,
)
from backprop.sandbox.repair import repair_lines

Err = Callable[..., ProgramError]
_ALIASES = (("torch.nn.functional.", "F."), ("torch.nn.", "nn."), ("torch.optim.", "optim."))

# Friendly names for refused syntax, so the message says what was written.
SYNTAX_NAMES = {
    ast.For: "for loop", ast.While: "while loop", ast.If: "if statement",
    ast.FunctionDef: "function definition", ast.AsyncFunctionDef: "function definition",
    ast.ClassDef: "class definition", ast.Lambda: "lambda", ast.ListComp: "comprehension",
    ast.SetComp: "comprehension", ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator expression", ast.With: "with statement",
    ast.Try: "try statement", ast.Delete: "del statement", ast.Global: "global statement",
    ast.Nonlocal: "nonlocal statement", ast.Return: "return", ast.Yield: "yield",
    ast.Await: "await", ast.JoinedStr: "f-string", ast.Dict: "dictionary", ast.Set: "set",
    ast.Compare: "comparison", ast.BoolOp: "and/or", ast.IfExp: "conditional expression",
    ast.NamedExpr: ":= assignment", ast.Starred: "* unpacking", ast.Raise: "raise",
    ast.Assert: "assert", ast.AnnAssign: "annotated assignment",
}


def _short(path: str, written: str) -> str:
    """`torch.nn.Linear` as the learner spelled its prefix (`nn.Linear`)."""
    for long, short in _ALIASES:
        if path.startswith(long) and written.startswith(short):
            return short + path.removeprefix(long)
    return path


def _close(word: str, options: list[str]) -> str | None:
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    return found[0] if found else None


def _extra(name: str, options: list[str], written: str) -> dict[str, str]:
    where = ELSEWHERE.get(name) or ELSEWHERE.get(name.rsplit(".", 1)[-1])
    if where is None and name.startswith("torch.utils.data"):
        where = "network"
    if where:
        return {"elsewhere": where}
    best = _close(name, options)
    return {"suggest": _short(best, written)} if best else {}


def suggest_function(err: Err, key: str, node: ast.expr, path: str) -> ProgramError:
    """A torch path that is not allowed (`torch.tensr`, `nn.Conv2d`)."""
    written = ast.unparse(node)
    options = [*TORCH_FUNCTIONS, *CONSTRUCTORS, *DTYPES]
    return err(key, node, name=path, **_extra(path, options, written))


def suggest_method(err: Err, node: ast.Attribute, name: str) -> ProgramError:
    options = sorted(TENSOR_METHODS | MODULE_METHODS | OPTIMIZER_METHODS | INPLACE_METHODS)
    return err("method", node, name=name, **_extra(name, options, name))


def suggest_attribute(err: Err, node: ast.Attribute, name: str) -> ProgramError:
    options = sorted(TENSOR_ATTRS | MODULE_ATTRS)
    return err("attribute", node, name=f".{name}", **_extra(name, options, name))


def syntax_error(text: str, e: SyntaxError) -> ProgramError:
    """A SyntaxError as a ProgramError; errors.py explains Python's text in the UI
    language (messages.py) and keeps the original. Text whose line breaks were lost
    says so."""
    if repair_lines(text) is not None:
        return ProgramError("flattened", e.lineno, e.offset)
    return ProgramError("syntax", e.lineno, e.offset, detail=(e.msg or "")[:200])
