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
from backprop.sandbox.language import (
    BUILTINS,
    DTYPES,
    IMPORTS,
    KWARGS,
    MODULE_ALIASES,
    RESERVED,
    TENSOR_ATTRS,
    TENSOR_METHODS,
    TORCH_FUNCTIONS,
)
from backprop.sandbox.modules import (
    CONSTRUCTORS,
    INPLACE_METHODS,
    MODULE_ATTRS,
    MODULE_METHODS,
    OPTIMIZER_METHODS,
)
from backprop.sandbox.repair import repair_lines
from backprop.sandbox.statements import STATEMENTS, check_for, check_fstring, check_if, check_with
from backprop.sandbox.suggest import (
    suggest_attribute,
    suggest_function,
    suggest_method,
    syntax_error,
)

_STATEMENTS = (ast.Import, ast.ImportFrom, ast.Assign, ast.AugAssign, ast.Expr, *STATEMENTS)
_METHODS = TENSOR_METHODS | MODULE_METHODS | OPTIMIZER_METHODS | INPLACE_METHODS
_ATTRS = TENSOR_ATTRS | MODULE_ATTRS
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
           ast.MatMult: "@"}
_UNARY = (ast.USub, ast.UAdd)

# Friendly names for refused syntax, so the message says what was written.
_SYNTAX_NAMES = {
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


@dataclass(frozen=True)
class Program:
    """A checked program: the tree plus what the runner needs to know about it."""

    source: str
    tree: ast.Module
    free_names: tuple[str, ...]  # never assigned -> inputs, in first-use order
    has_backward: bool


def dotted(node: ast.expr) -> str | None:
    """`torch.nn.functional.relu` for an attribute chain rooted at a module alias."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in MODULE_ALIASES:
        return ".".join([MODULE_ALIASES[node.id], *reversed(parts)])
    return None


def _err(key: str, node: ast.AST | None = None, **params: object) -> ProgramError:
    line = getattr(node, "lineno", None)
    col = getattr(node, "col_offset", None)
    return ProgramError(key, line, None if col is None else col + 1, **params)


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
    if "#" in text and repair_lines(text) is not None:  # comments swallowed statements
        raise ProgramError("flattened", 1, 1)
    if not tree.body:
        raise ProgramError("empty")
    if len(tree.body) > limits.statements:
        raise ProgramError("too_many_statements", count=len(tree.body),
                           limit=limits.statements)
    _check_depth(tree, limits.depth)
    checker = _Checker()
    for stmt in tree.body:
        checker.statement(stmt)
    for name, node in checker.called.items():
        if name not in checker.stores:  # never assigned a module: not a function we know
            raise suggest_function(_err, "function", node, name)
    free = tuple(n for n in checker.loads if n not in checker.stores)
    return Program(text, tree, free, checker.has_backward)


def _check_depth(tree: ast.AST, limit: int) -> None:
    # Iterative, so a deep tree cannot overflow our own stack while being measured.
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise _err("too_deep", node, limit=limit)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


class _Checker:
    """Walks the tree once; refuses the first thing outside the language."""

    def __init__(self) -> None:
        self.loads: dict[str, None] = {}  # ordered set
        self.stores: set[str] = set()
        self.has_backward = False
        self.called: dict[str, ast.Name] = {}  # names called like functions

    # statements -------------------------------------------------------------
    def statement(self, s: ast.stmt) -> None:
        if not isinstance(s, _STATEMENTS):
            raise self._refuse_syntax(s)
        if isinstance(s, ast.Import):
            for a in s.names:
                self._import(a.name, a.asname, s)
        elif isinstance(s, ast.ImportFrom):
            for a in s.names:
                self._import(f"{s.module}.{a.name}", a.asname or a.name, s)
        elif isinstance(s, ast.Assign):
            self.expr(s.value)
            for target in s.targets:
                self._target(target)
        elif isinstance(s, ast.AugAssign):
            if type(s.op) not in _BINOPS:
                raise _err("operator", s, op=type(s.op).__name__)
            t = s.target
            if isinstance(t, ast.Attribute) and t.attr == "data":  # w.data -= lr * w.grad
                self.expr(t.value)
                self.expr(s.value)
                return
            if not isinstance(t, ast.Name):
                raise _err("assign_target", t)
            self._load(t)  # c += e reads c first
            self.expr(s.value)
            self._target(t)
        elif isinstance(s, ast.For):
            check_for(s, self._target, self.expr, self.statement)
        elif isinstance(s, ast.With):
            check_with(s, self.statement)
        elif isinstance(s, ast.If):
            check_if(s, self.expr, self.statement)
        else:  # ast.Expr
            self.expr(s.value)

    def _import(self, name: str, alias: str | None, node: ast.stmt) -> None:
        expected = IMPORTS.get(name)
        # `import torch.nn as nn` and friends only, under the names the seeds use
        # (a plain `import torch.nn` binds `torch`, which is fine too).
        if expected is None or alias not in (None, expected):
            raise _err("import", node, name=name)

    def _target(self, t: ast.expr) -> None:
        if isinstance(t, ast.Tuple):
            for elt in t.elts:
                self._target(elt)
            return
        if not isinstance(t, ast.Name):
            raise _err("assign_target", t)
        self._name(t)
        if t.id in RESERVED:
            raise _err("reserved", t, name=t.id)
        self.stores.add(t.id)

    # expressions ------------------------------------------------------------
    def expr(self, e: ast.expr) -> None:
        if isinstance(e, ast.Constant):
            if not isinstance(e.value, (int, float, bool, str, type(None))):
                raise _err("constant", e, kind=type(e.value).__name__)
        elif isinstance(e, ast.Name):
            self._load(e)
        elif isinstance(e, ast.BinOp):
            if type(e.op) not in _BINOPS:
                raise _err("operator", e, op=type(e.op).__name__)
            self.expr(e.left)
            self.expr(e.right)
        elif isinstance(e, ast.UnaryOp):
            if not isinstance(e.op, _UNARY):
                raise _err("operator", e, op=type(e.op).__name__)
            self.expr(e.operand)
        elif isinstance(e, (ast.List, ast.Tuple)):
            for elt in e.elts:
                self.expr(elt)
        elif isinstance(e, ast.Call):
            self._call(e)
        elif isinstance(e, ast.Attribute):
            self._attribute(e)
        elif isinstance(e, ast.Subscript):
            self.expr(e.value)
            self._index(e.slice)
        elif isinstance(e, ast.JoinedStr):
            check_fstring(e, self.expr)
        else:
            raise self._refuse_syntax(e)

    def _name(self, n: ast.Name) -> None:
        if n.id.startswith("__") or n.id.startswith("_"):
            raise _err("dunder", n, name=n.id)

    def _load(self, n: ast.Name) -> None:
        self._name(n)
        if n.id in MODULE_ALIASES:
            raise _err("module_value", n, name=n.id)
        if n.id in BUILTINS:
            raise _err("builtin_value", n, name=n.id)
        if n.id not in RESERVED:
            self.loads.setdefault(n.id)

    def _attribute(self, e: ast.Attribute) -> None:
        if e.attr.startswith("_"):
            raise _err("dunder", e, name=e.attr)
        path = dotted(e)
        if path is not None:
            if path not in DTYPES:
                raise suggest_function(_err, "attribute", e, path)
            return
        if e.attr not in _ATTRS:
            raise suggest_attribute(_err, e, e.attr)
        self.expr(e.value)

    def _call(self, c: ast.Call) -> None:
        f = c.func
        if isinstance(f, ast.Name):
            self._name(f)
            if f.id not in BUILTINS:  # calling a module: model(x), loss_fn(pred, y)
                self._load(f)
                self.called.setdefault(f.id, f)
        elif isinstance(f, ast.Attribute):
            if f.attr.startswith("_"):
                raise _err("dunder", f, name=f.attr)
            path = dotted(f)
            if path is not None:
                if path not in TORCH_FUNCTIONS and path not in CONSTRUCTORS:
                    raise suggest_function(_err, "function", f, path)
            elif f.attr not in _METHODS:
                raise suggest_method(_err, f, f.attr)
            else:
                self.has_backward |= f.attr == "backward"
                self.expr(f.value)
        else:
            raise _err("call", c)
        for a in c.args:
            if isinstance(a, ast.Starred):
                raise self._refuse_syntax(a)
            self.expr(a)
        for k in c.keywords:
            if k.arg is None:
                raise _err("kwargs", k)
            if k.arg not in KWARGS:
                raise _err("keyword", k, name=k.arg)
            self.expr(k.value)

    def _index(self, s: ast.expr) -> None:
        # Plain indexing only: integer literals, negative literals, slices of them.
        if isinstance(s, ast.Tuple):
            for elt in s.elts:
                self._index(elt)
        elif isinstance(s, ast.Slice):
            for part in (s.lower, s.upper, s.step):
                if part is not None:
                    self._int_literal(part)
        else:
            self._int_literal(s)

    def _int_literal(self, e: ast.expr) -> None:
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
            e = e.operand
        if not (isinstance(e, ast.Constant) and type(e.value) is int):
            raise _err("index", e)

    @staticmethod
    def _refuse_syntax(node: ast.AST) -> ProgramError:
        what = _SYNTAX_NAMES.get(type(node), type(node).__name__)
        return _err("syntax_kind", node, what=what)


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
