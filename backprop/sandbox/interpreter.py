"""Walk a checked Program's tree and do what it says, through the allow-lists.

This is the only place user programs "run", and it never hands text to Python:
each AST node is matched and mapped to one allowed torch call or operator.
"""

from __future__ import annotations

import ast
import operator
import time
from collections.abc import Callable
from typing import Any

import torch

from backprop.core.errors import ProgramError
from backprop.core.fmt import first_line as _first_line
from backprop.core.limits import Limits
from backprop.sandbox import guards, statements
from backprop.sandbox.calls import Calls
from backprop.sandbox.expression import Program
from backprop.sandbox.position import column
from backprop.sandbox.run_state import Backward, LoopHooks, RunState

__all__ = ["Backward", "Interpreter", "LoopHooks", "RunState"]

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow, ast.MatMult: operator.matmul,
}
_NUMBER = (int, float, bool)
class Interpreter(Calls):
    """Evaluates one Program. `on_backward` performs (and records) backward calls.

    The finite-difference check runs its own subclass (fd_runner.py).
    """

    def __init__(
        self,
        program: Program,
        inputs: dict[str, torch.Tensor],
        limits: Limits,
        on_backward: Callable[[Backward], None] | None = None,
    ) -> None:
        self.program, self.limits = program, limits
        self.on_backward = on_backward
        self.state = RunState(env=dict(inputs))
        self.generator = torch.Generator().manual_seed(0)
        self.deadline = time.monotonic() + limits.seconds
        self._texts: dict[int, str] = {}
        self.no_grad = 0  # depth of `with torch.no_grad():` blocks around us
        self.loops: LoopHooks = LoopHooks()
        # loops whose body calls backward(): each of their iterations is recorded
        self.recording_loops = {id(n) for n in ast.walk(program.tree)
                                if isinstance(n, ast.For) and statements.has_backward(n)}

    # entry ------------------------------------------------------------------
    def run(self) -> RunState:
        body = self.program.tree.body
        for i, stmt in enumerate(body):
            self.check_time()
            try:
                self.statement(stmt, last=i == len(body) - 1)
            except ProgramError as e:
                if e.line is None:  # attach the statement's position
                    raise ProgramError(e.key, stmt.lineno, column(stmt),
                                       **e.params) from None
                raise
        return self.state

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise ProgramError("timeout", seconds=self.limits.seconds)

    def _err(self, key: str, node: ast.AST, **params: object) -> ProgramError:
        return ProgramError(key, getattr(node, "lineno", None), column(node), **params)

    def _at(self, node: ast.AST) -> Callable[..., ProgramError]:
        """An error factory that points at `node` (for the size guards)."""
        return lambda key, **params: self._err(key, node, **params)

    def _result(self, v: Any, node: ast.AST) -> Any:
        guards.result_check(self.limits, self._at(node), v)
        return v

    def _src(self, node: ast.AST) -> str:
        # cached: a loop asks for the same node's text every iteration
        text = self._texts.get(id(node))
        if text is None:
            text = self._texts[id(node)] = \
                ast.get_source_segment(self.program.source, node) or "?"
        return text

    # loops (statements.py runs them; these keep the one budget) -------------
    def count_iteration(self, node: ast.AST) -> None:
        self.state.iterations += 1
        if self.state.iterations > self.limits.iterations:
            raise self._err("too_many_iterations", node, limit=self.limits.iterations)

    def loop_begin(self, records: bool) -> object:
        return self.loops.begin(records)

    def loop_end(self, token: object) -> None:
        self.loops.end(token)

    # statements -------------------------------------------------------------
    def statement(self, s: ast.stmt, last: bool) -> None:
        self.check_time()
        self.state.executed += 1
        if self.state.executed > self.limits.executed:
            raise self._err("too_many_executed", s, limit=self.limits.executed)
        if isinstance(s, (ast.Import, ast.ImportFrom)):
            return
        if isinstance(s, ast.For):
            statements.run_for(self, s)
        elif isinstance(s, ast.With):
            statements.run_with(self, s)
        elif isinstance(s, ast.If):
            statements.run_if(self, s)
        elif isinstance(s, ast.AugAssign) and statements.aug_assign(self, s):
            return
        elif isinstance(s, ast.Assign):
            value = self.expr(s.value)
            for target in s.targets:
                self.bind(target, value)
        elif isinstance(s, ast.AugAssign):
            # `c += e` rebinds c to a new tensor (c = c + e), as micrograd does.
            value = self.binop(s.op, self.name(s.target), self.expr(s.value), s)
            self.bind(s.target, value)
        elif isinstance(s, ast.Expr):
            value = self.expr(s.value)
            if last and value is not None:
                self.state.result, self.state.result_source = value, self._src(s.value)

    def bind(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Tuple):
            if not isinstance(value, (tuple, list)) or len(value) != len(target.elts):
                raise self._err("unpack", target)
            for t, v in zip(target.elts, value, strict=True):
                self.bind(t, v)
            return
        assert isinstance(target, ast.Name)
        self.state.env[target.id] = value
        self.state.bindings.append((target.id, value))
        self.state.last_assigned = (target.id, value)

    # expressions ------------------------------------------------------------
    def expr(self, e: ast.expr) -> Any:
        if isinstance(e, ast.Constant):
            return e.value
        if isinstance(e, ast.Name):
            return self.name(e)
        if isinstance(e, ast.BinOp):
            return self.binop(e.op, self.expr(e.left), self.expr(e.right), e)
        if isinstance(e, ast.UnaryOp):
            v = self.expr(e.operand)
            if not isinstance(v, (*_NUMBER, torch.Tensor)):
                raise self._err("operand", e, kind=type(v).__name__)
            return -v if isinstance(e.op, ast.USub) else +v
        if isinstance(e, (ast.List, ast.Tuple)):
            items = [self.expr(x) for x in e.elts]
            guards.list_check(self.limits, self._at(e), items)
            return items if isinstance(e, ast.List) else tuple(items)
        if isinstance(e, ast.Call):
            return self.call(e)
        if isinstance(e, ast.Attribute):
            return self.attribute(e)
        if isinstance(e, ast.Subscript):
            return self.subscript(e)
        if isinstance(e, ast.JoinedStr):
            return statements.fstring(self, e)
        raise self._err("syntax_kind", e, what=type(e).__name__)  # parse() refused it already

    def name(self, n: ast.Name) -> Any:
        if n.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[n.id]
        try:
            return self.state.env[n.id]
        except KeyError:
            raise self._err("unbound", n, name=n.id) from None

    def binop(self, op: ast.operator, a: Any, b: Any, node: ast.AST) -> Any:
        symbol = type(op)
        tensors = isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor)
        if not tensors:
            if not (isinstance(a, _NUMBER) and isinstance(b, _NUMBER)):
                raise self._err("operand", node, kind=f"{type(a).__name__}, {type(b).__name__}")
            if symbol is ast.Pow and abs(b) > self.limits.exponent:
                raise self._err("exponent", node, limit=self.limits.exponent)
            if symbol is ast.MatMult:
                raise self._err("operand", node, kind="number @ number")
        else:
            for v in (a, b):
                if not isinstance(v, (*_NUMBER, torch.Tensor)):
                    raise self._err("operand", node, kind=type(v).__name__)
            if symbol is ast.MatMult:
                guards.meta_check(self.limits, self._at(node), operator.matmul, (a, b), {})
            else:
                guards.broadcast_check(self.limits, self._at(node), a, b)
        try:
            out = _BINOPS[symbol](a, b)
        except ZeroDivisionError:
            raise self._err("zero_division", node) from None
        except OverflowError:
            raise self._err("overflow", node) from None
        except (RuntimeError, TypeError, ValueError) as e:
            raise self._err("torch", node, detail=_first_line(e)) from None
        if isinstance(node, ast.BinOp) and isinstance(out, torch.Tensor) and out.grad_fn:
            self._note_operand(out.grad_fn, (a, node.left), (b, node.right))
        return self._result(out, node)

    def _note_operand(self, fn: Any, *sides: tuple[Any, ast.expr]) -> None:
        """`y_pred - y`: the side that is no graph node, as the program wrote it (a name
        or a number: plain text, safe in any label)."""
        plain = [e for v, e in sides if not (isinstance(v, torch.Tensor) and v.requires_grad)]
        if len(plain) != 1:
            return
        e = plain[0]
        if isinstance(e, ast.Name) and e.id not in ("True", "False", "None"):
            self.state.operands.setdefault(fn, e.id)
        elif isinstance(e, ast.Constant) and isinstance(e.value, _NUMBER) \
                and not isinstance(e.value, bool):
            self.state.operands.setdefault(fn, f"{e.value:g}")

