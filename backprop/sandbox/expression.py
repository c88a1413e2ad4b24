"""Parse and check a program before anything runs: `ast` + allow-lists.

`parse(text)` returns a `Program` or raises `ProgramError` with line and column.
Nothing here evaluates user text; the interpreter walks the checked tree later.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from backprop.core.errors import ProgramError
from backprop.core.limits import DEFAULT_LIMITS, Limits
from backprop.sandbox.checker import Checker, err_at
from backprop.sandbox.language import dotted
from backprop.sandbox.position import char_columns
from backprop.sandbox.repair import repair_lines
from backprop.sandbox.suggest import suggest_function, syntax_error

# the module's API (dotted: attribute chains, shared with the interpreter and statements)
__all__ = ["Program", "dotted", "literal_index", "parse"]


@dataclass(frozen=True)
class Program:
    """A checked program: the tree plus what the runner needs to know about it."""

    source: str
    tree: ast.Module
    free_names: tuple[str, ...]  # never assigned -> inputs, in first-use order
    has_backward: bool


def parse(text: str, limits: Limits = DEFAULT_LIMITS) -> Program:
    """Check `text` against the language; refuse with line:column or return a Program."""
    if not isinstance(text, str):
        raise ProgramError("not_text")
    if len(text) > limits.source_chars:
        raise ProgramError("too_long", chars=len(text), limit=limits.source_chars)
    if "\x00" in text:
        raise ProgramError("nul_byte")
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError as e:
        raise syntax_error(text, e) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ProgramError("too_deep", limit=limits.depth) from None
    if not text.isascii():  # carets in characters, not UTF-8 bytes
        char_columns(tree, text)
    if "#" in text and repair_lines(text) is not None:  # comments swallowed statements
        raise ProgramError("flattened", 1, 1)
    if not tree.body:
        raise ProgramError("empty")
    if len(tree.body) > limits.statements:
        raise ProgramError("too_many_statements", count=len(tree.body),
                           limit=limits.statements)
    _check_depth(tree, limits.depth)
    checker = Checker()
    for stmt in tree.body:
        checker.statement(stmt)
    for name, node in checker.called.items():
        if name not in checker.stores:  # never assigned a module: not a function we know
            raise suggest_function(err_at, "function", node, name)
    free = tuple(n for n in checker.loads if n not in checker.stores)
    return Program(text, tree, free, checker.has_backward)


def _check_depth(tree: ast.AST, limit: int) -> None:
    # Iterative, so a deep tree cannot overflow our own stack while being measured.
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise err_at("too_deep", node, limit=limit)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def literal_index(s: ast.expr) -> Any:
    """The value of a subscript that parse() accepted (integers, negatives, slices)."""
    if isinstance(s, ast.Tuple):
        return tuple(literal_index(x) for x in s.elts)
    if isinstance(s, ast.Slice):
        return slice(*(None if p is None else _int(p) for p in (s.lower, s.upper, s.step)))
    return _int(s)


def _int(e: ast.expr) -> int:
    if isinstance(e, ast.UnaryOp):
        return -_int(e.operand)
    assert isinstance(e, ast.Constant) and type(e.value) is int
    return e.value
