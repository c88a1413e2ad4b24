"""The language's checker: one walk over the parsed tree that refuses the first thing
outside the allow-lists (language.py, modules.py), with line:column and did-you-mean.

expression.parse() runs it; nothing here evaluates user text.
"""

from __future__ import annotations

import ast

from backprop.core.errors import ProgramError
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
    dotted,
)
from backprop.sandbox.modules import (
    CONSTRUCTORS,
    INPLACE_METHODS,
    MODULE_ATTRS,
    MODULE_METHODS,
    OPTIMIZER_METHODS,
)
from backprop.sandbox.position import column
from backprop.sandbox.statements import STATEMENTS, check_for, check_fstring, check_if, check_with
from backprop.sandbox.suggest import (
    SYNTAX_NAMES,
    suggest_attribute,
    suggest_function,
    suggest_method,
)

_STATEMENTS = (ast.Import, ast.ImportFrom, ast.Assign, ast.AugAssign, ast.Expr, *STATEMENTS)
_METHODS = TENSOR_METHODS | MODULE_METHODS | OPTIMIZER_METHODS | INPLACE_METHODS
_ATTRS = TENSOR_ATTRS | MODULE_ATTRS
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
           ast.MatMult: "@"}
_UNARY = (ast.USub, ast.UAdd)

def err_at(key: str, node: ast.AST | None = None, **params: object) -> ProgramError:
    return ProgramError(key, getattr(node, "lineno", None), column(node), **params)


class Checker:
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
                raise err_at("operator", s, op=type(s.op).__name__)
            t = s.target
            if isinstance(t, ast.Attribute) and t.attr == "data":  # w.data -= lr * w.grad
                self.expr(t.value)
                self.expr(s.value)
                return
            if not isinstance(t, ast.Name):
                raise err_at("assign_target", t)
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
            raise err_at("import", node, name=name)

    def _target(self, t: ast.expr) -> None:
        if isinstance(t, ast.Tuple):
            for elt in t.elts:
                self._target(elt)
            return
        if not isinstance(t, ast.Name):
            raise err_at("assign_target", t)
        self._name(t)
        if t.id in RESERVED:
            raise err_at("reserved", t, name=t.id)
        self.stores.add(t.id)

    # expressions ------------------------------------------------------------
    def expr(self, e: ast.expr) -> None:
        if isinstance(e, ast.Constant):
            if not isinstance(e.value, (int, float, bool, str, type(None))):
                raise err_at("constant", e, kind=type(e.value).__name__)
        elif isinstance(e, ast.Name):
            self._load(e)
        elif isinstance(e, ast.BinOp):
            if type(e.op) not in _BINOPS:
                raise err_at("operator", e, op=type(e.op).__name__)
            self.expr(e.left)
            self.expr(e.right)
        elif isinstance(e, ast.UnaryOp):
            if not isinstance(e.op, _UNARY):
                raise err_at("operator", e, op=type(e.op).__name__)
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
            raise err_at("dunder", n, name=n.id)

    def _load(self, n: ast.Name) -> None:
        self._name(n)
        if n.id in MODULE_ALIASES:
            raise err_at("module_value", n, name=n.id)
        if n.id in BUILTINS:
            raise err_at("builtin_value", n, name=n.id)
        if n.id not in RESERVED:
            self.loads.setdefault(n.id)

    def _attribute(self, e: ast.Attribute) -> None:
        if e.attr.startswith("_"):
            raise err_at("dunder", e, name=e.attr)
        path = dotted(e)
        if path is not None:
            if path not in DTYPES:
                raise suggest_function(err_at, "attribute", e, path)
            return
        if e.attr not in _ATTRS:
            raise suggest_attribute(err_at, e, e.attr)
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
                raise err_at("dunder", f, name=f.attr)
            path = dotted(f)
            if path is not None:
                if path not in TORCH_FUNCTIONS and path not in CONSTRUCTORS:
                    raise suggest_function(err_at, "function", f, path)
            elif f.attr not in _METHODS:
                raise suggest_method(err_at, f, f.attr)
            else:
                self.has_backward |= f.attr == "backward"
                self.expr(f.value)
        else:
            raise err_at("call", c)
        for a in c.args:
            if isinstance(a, ast.Starred):
                raise self._refuse_syntax(a)
            self.expr(a)
        for k in c.keywords:
            if k.arg is None:
                raise err_at("kwargs", k)
            if k.arg not in KWARGS:
                raise err_at("keyword", k, name=k.arg)
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
            raise err_at("index", e)

    @staticmethod
    def _refuse_syntax(node: ast.AST) -> ProgramError:
        what = SYNTAX_NAMES.get(type(node), type(node).__name__)
        return err_at("syntax_kind", node, what=what)
