"""The statements training code needs (issue 13): `for`, `with torch.no_grad():`,
in-place updates, f-strings. Checked here before anything runs, run here by the
interpreter; every loop counts against one budget of iterations and statements.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from backprop.core.errors import ProgramError
from backprop.core.fmt import show
from backprop.sandbox.position import column

if TYPE_CHECKING:
    from backprop.sandbox.interpreter import Interpreter

STATEMENTS = (ast.For, ast.With, ast.If)
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
            ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
_INPLACE = {ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul,
            ast.Div: operator.itruediv}
# [[fill]align][sign][0][width][,][.precision][type]: no nested fields, small numbers
_SPEC = re.compile(r"(?:.?[<>^=])?[+\- ]?0?(?P<w>\d+)?[,_]?(?:\.(?P<p>\d+))?[eEfFgGdn%s]?")


def _err(key: str, node: ast.AST, **params: object) -> ProgramError:
    return ProgramError(key, getattr(node, "lineno", None), column(node), **params)


# checking (before anything runs) -------------------------------------------
def check_for(s: ast.For, target: Callable[[ast.expr], None],
              expr: Callable[[ast.expr], None], body: Callable[[ast.stmt], None]) -> None:
    if s.orelse:
        raise _err("syntax_kind", s.orelse[0], what="for … else")
    expr(s.iter)
    target(s.target)
    for stmt in s.body:
        body(stmt)


def check_with(s: ast.With, body: Callable[[ast.stmt], None]) -> None:
    from backprop.sandbox.expression import dotted  # (expression imports this module)
    item = s.items[0] if len(s.items) == 1 else None
    call = item.context_expr if item else None
    if (item is None or item.optional_vars is not None or not isinstance(call, ast.Call)
            or call.args or call.keywords or dotted(call.func) != "torch.no_grad"):
        raise _err("with_kind", s)
    for stmt in s.body:
        body(stmt)


def check_if(s: ast.If, expr: Callable[[ast.expr], None],
             body: Callable[[ast.stmt], None]) -> None:
    """`if epoch % 10 == 0:` — a comparison of plain numbers (`%` allowed there)."""
    test = s.test
    if not isinstance(test, ast.Compare) or not all(type(o) in _COMPARE for o in test.ops):
        raise _err("if_test", test)
    for operand in (test.left, *test.comparators):
        if isinstance(operand, ast.BinOp) and isinstance(operand.op, ast.Mod):
            expr(operand.left)
            expr(operand.right)
        else:
            expr(operand)
    for stmt in (*s.body, *s.orelse):
        body(stmt)


def check_fstring(e: ast.JoinedStr, expr: Callable[[ast.expr], None]) -> None:
    for part in e.values:
        if isinstance(part, ast.Constant):
            continue
        assert isinstance(part, ast.FormattedValue)
        if part.conversion not in (-1, ord("s"), ord("r")):
            raise _err("fstring", part)
        spec = part.format_spec
        if spec is not None and not all(isinstance(v, ast.Constant) for v in spec.values):
            raise _err("fstring", part)  # nested fields: {x:{width}}
        expr(part.value)


def has_backward(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "backward" for n in ast.walk(node))


# running --------------------------------------------------------------------
def run_for(it: Interpreter, s: ast.For) -> None:
    seq = it.expr(s.iter)
    if isinstance(seq, range):
        pass
    elif isinstance(seq, (list, tuple)):
        seq = list(seq)
    else:
        raise _err("for_iter", s.iter, kind=type(seq).__name__)
    records = id(s) in it.recording_loops
    for item in seq:
        it.count_iteration(s)
        it.bind(s.target, item)
        token = it.loop_begin(records)
        try:
            for stmt in s.body:
                it.statement(stmt, last=False)
        finally:
            it.loop_end(token)


def run_with(it: Interpreter, s: ast.With) -> None:
    it.no_grad += 1
    try:
        with torch.no_grad():
            for stmt in s.body:
                it.statement(stmt, last=False)
    finally:
        it.no_grad -= 1


def run_if(it: Interpreter, s: ast.If) -> None:
    test = s.test
    assert isinstance(test, ast.Compare)
    values = [_number(it, o) for o in (test.left, *test.comparators)]
    ok = all(_COMPARE[type(op)](a, b)
             for op, a, b in zip(test.ops, values, values[1:], strict=False))
    for stmt in s.body if ok else s.orelse:
        it.statement(stmt, last=False)


def _number(it: Interpreter, e: ast.expr) -> int | float:
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Mod):
        a, b = _number(it, e.left), _number(it, e.right)
        if b == 0:
            raise _err("zero_division", e)
        return a % b
    v = it.expr(e)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _err("if_test", e)
    return v


def make_range(args: list, kwargs: dict, limit: int, err: Callable[..., ProgramError]) -> range:
    if kwargs or not 1 <= len(args) <= 3 or not all(
            isinstance(a, int) and not isinstance(a, bool) for a in args):
        raise err("range_args")
    if len(args) == 3 and args[2] == 0:
        raise err("range_args")
    r = range(*args)  # lazy: its length is arithmetic, nothing is made
    if len(r) > limit:
        raise err("too_many_iterations", limit=limit)
    return r


def aug_assign(it: Interpreter, s: ast.AugAssign) -> bool:
    """`w -= lr * w.grad` under no_grad (or `w.data -= ...`): in place, as Python does
    for tensors, so `w` stays the leaf the optimizer and backward know. Returns False
    when this is a plain rebinding (`c += e` outside no_grad, numbers)."""
    if isinstance(s.target, ast.Attribute):  # w.data -= ...: the checker allowed only this
        obj = it.expr(s.target.value)
        if not isinstance(obj, torch.Tensor):
            raise _err("attribute", s.target, name=".data")
        current = obj.data
    else:
        current = it.name(s.target)
        if not (isinstance(current, torch.Tensor) and it.no_grad):
            return False
    value = it.expr(s.value)
    if not isinstance(value, (int, float, torch.Tensor)) or isinstance(value, bool):
        raise _err("operand", s, kind=type(value).__name__)
    if isinstance(value, torch.Tensor) and torch.broadcast_shapes(
            current.shape, value.shape) != current.shape:
        raise _err("inplace_shape", s, shape=list(current.shape))
    try:
        _INPLACE[type(s.op)](current, value)
    except (RuntimeError, TypeError, ValueError) as e:
        raise _err("torch", s, detail=str(e).strip().splitlines()[0][:300]) from None
    return True


def check_inplace(it: Interpreter, obj: torch.Tensor, name: str, what: str,
                  node: ast.AST) -> None:
    """In-place methods change a tensor autograd may need: allowed under no_grad, or
    on tensors that do not require grad (`w.grad.zero_()`)."""
    if obj.requires_grad and not it.no_grad:
        key = "zero_leaf" if name == "zero_" else "inplace_grad"
        raise _err(key, node, what=what, name=name)


def fstring(it: Interpreter, e: ast.JoinedStr) -> str:
    out: list[str] = []
    for part in e.values:
        if isinstance(part, ast.Constant):
            out.append(str(part.value))
            continue
        assert isinstance(part, ast.FormattedValue)
        v = it.expr(part.value)
        spec = "".join(str(c.value) for c in part.format_spec.values) \
            if part.format_spec else ""
        out.append(format_value(v, spec, it.limits.format_width, part))
    return "".join(out)


def format_value(v: Any, spec: str, width: int, node: ast.AST) -> str:
    if not spec:  # as Tensor.__format__: a 0-dim plain tensor formats as its number
        if type(v) is torch.Tensor and v.dim() == 0:
            return format(v.item(), "")
        return show(v)
    m = _SPEC.fullmatch(spec)
    # widths are compared as text length first: int() of a 5,000-digit width raises
    if m is None or any(len(m[g] or "") > 4 or int(m[g] or 0) > width for g in ("w", "p")):
        raise _err("format_spec", node, spec=spec[:20], limit=width)
    if isinstance(v, torch.Tensor):
        if v.numel() != 1:
            raise _err("format_tensor", node)
        v = v.item()
    if not isinstance(v, (int, float, str)):
        raise _err("format_spec", node, spec=spec[:20], limit=width)
    try:
        return format(v, spec)
    except ValueError:
        raise _err("format_spec", node, spec=spec[:20], limit=width) from None
