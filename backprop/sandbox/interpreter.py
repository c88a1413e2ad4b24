"""Walk a checked Program's tree and do what it says, through the allow-lists.

This is the only place user programs "run", and it never hands text to Python:
each AST node is matched and mapped to one allowed torch call or operator.
"""

from __future__ import annotations

import ast
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from backprop.core.errors import ProgramError, backward_error_key
from backprop.core.fmt import first_line as _first_line
from backprop.core.fmt import show
from backprop.core.limits import Limits
from backprop.sandbox import guards, modules, statements
from backprop.sandbox.expression import Program, dotted, literal_index
from backprop.sandbox.language import DTYPES, FACTORIES, RANDOM, TENSOR_ATTRS, TORCH_FUNCTIONS

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow, ast.MatMult: operator.matmul,
}
_NUMBER = (int, float, bool)
# Methods whose result may be much larger than their inputs: checked on `meta` first.
@dataclass
class Backward:
    """A backward() call the program made: what on, and where in the text."""

    root: torch.Tensor
    source: str
    kwargs: dict[str, Any]


@dataclass
class RunState:
    """What the interpreter leaves behind for the capture and the page."""

    env: dict[str, Any] = field(default_factory=dict)
    bindings: list[tuple[str, Any]] = field(default_factory=list)  # every (name, value)
    prints: list[str] = field(default_factory=list)
    result: Any = None  # value of a final bare expression
    result_source: str | None = None
    last_assigned: tuple[str, Any] | None = None
    backward_roots: list[Backward] = field(default_factory=list)
    executed: int = 0  # statements run, loop bodies counted once per iteration
    iterations: int = 0  # loop iterations run, nested loops counted together


class LoopHooks:
    """What the capture does around each loop iteration (see iterations.py)."""

    def begin(self, records: bool) -> object:  # noqa: D102
        return None

    def end(self, token: object) -> None:  # noqa: D102
        return None


class Interpreter:
    """Evaluates one Program. `on_backward` performs (and records) backward calls.

    `fd_dtype`/`perturb` serve the finite-difference check: floats become float64
    and one named leaf is nudged at one element; backward calls are then skipped.
    """

    def __init__(
        self,
        program: Program,
        inputs: dict[str, torch.Tensor],
        limits: Limits,
        on_backward: Callable[[Backward], None] | None = None,
        fd_mode: bool = False,
        perturb: tuple[str, int, float] | None = None,
    ) -> None:
        self.program, self.limits = program, limits
        self.on_backward = on_backward
        self.fd_mode, self.perturb = fd_mode, perturb
        self.state = RunState(env=dict(inputs))
        self.generator = torch.Generator().manual_seed(0)
        self.deadline = time.monotonic() + limits.seconds
        self._perturbed = False
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
                    raise ProgramError(e.key, stmt.lineno, stmt.col_offset + 1,
                                       **e.params) from None
                raise
        return self.state

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise ProgramError("timeout", seconds=self.limits.seconds)

    def _err(self, key: str, node: ast.AST, **params: object) -> ProgramError:
        return ProgramError(key, getattr(node, "lineno", None),
                            getattr(node, "col_offset", -1) + 1, **params)

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
        if self.perturb and not self._perturbed and target.id == self.perturb[0]:
            value = self._nudge(value)
        self.state.env[target.id] = value
        self.state.bindings.append((target.id, value))
        self.state.last_assigned = (target.id, value)

    def _nudge(self, value: Any) -> Any:
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            self._perturbed = True
            _, index, delta = self.perturb  # type: ignore[misc]
            value = value.detach().clone()
            value.view(-1)[index] += delta
        return value

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
        return self._result(out, node)

    # calls ------------------------------------------------------------------
    def call(self, c: ast.Call) -> Any:
        self.check_time()
        args = [self.expr(a) for a in c.args]
        kwargs = {k.arg: self.expr(k.value) for k in c.keywords}
        f = c.func
        if isinstance(f, ast.Name):
            if f.id in self.state.env:  # model(x), loss_fn(pred, y)
                return self.call_module(self.name(f), args, kwargs, c)
            return self.builtin(f.id, args, kwargs, c)
        assert isinstance(f, ast.Attribute)
        path = dotted(f)
        if path is not None:
            return self.torch_call(path, args, kwargs, c)
        return self.method(self.expr(f.value), f, args, kwargs, c)

    def builtin(self, name: str, args: list, kwargs: dict, node: ast.Call) -> Any:
        if name == "print":
            sep = kwargs.pop("sep", " ")
            if kwargs or not isinstance(sep, str):
                raise self._err("keyword", node, name=next(iter(kwargs), "sep"))
            if not self.fd_mode:
                self.state.prints.append(sep.join(show(a) for a in args))
                guards.print_check(self.limits, self._at(node), self.state.prints)
            return None
        if name == "range":
            return statements.make_range(args, kwargs, self.limits.iterations, self._at(node))
        if kwargs:
            raise self._err("keyword", node, name=next(iter(kwargs)))
        guards.builtin_check(self.limits, self._at(node), name, args)
        fn = {"len": len, "float": float, "int": int, "abs": abs, "round": round,
              "min": min, "max": max, "sum": sum}[name]
        try:
            return self._result(fn(*args), node)
        except (TypeError, ValueError, RuntimeError, OverflowError) as e:
            raise self._err("torch", node, detail=_first_line(e)) from None

    def torch_call(self, path: str, args: list, kwargs: dict, node: ast.Call) -> Any:
        if path == "torch.manual_seed":
            guards.seed_check(self._at(node), args, kwargs)
            self.generator.manual_seed(args[0])
            return None
        if path in modules.CONSTRUCTORS:
            return self._invoke(modules.construct, [path, args, kwargs, self.limits,
                                                    self.generator, self._at(node)], {}, node)
        fn = TORCH_FUNCTIONS[path]
        guards.call_check(self.limits, self._at(node), path, fn, tuple(args), kwargs)
        if path in FACTORIES:
            guards.factory_check(self.limits, self._at(node), path, args, kwargs)
        if path == "torch.tensor":
            guards.data_check(self.limits, self._at(node), args[0] if args else None)
        if path in RANDOM:
            kwargs = {**kwargs, "generator": self.generator}
        if path in modules.UNLOGGED:
            with modules.quiet():
                return self._invoke(fn, args, kwargs, node)
        out = self._invoke(fn, args, kwargs, node)
        if self.fd_mode and isinstance(out, torch.Tensor) and out.dtype == torch.float32:
            out = out.to(torch.float64)  # finite differences need the precision
        return out

    def method(self, obj: Any, f: ast.Attribute, args: list, kwargs: dict,
               node: ast.Call) -> Any:
        name = f.attr
        if obj is None and self.fd_mode:
            return None  # e.g. x.grad.zero_() while checking finite differences
        if modules.is_optimizer(obj):  # step/zero_grad: no graph, nothing to log
            with modules.quiet():
                return self._invoke(modules.module_method, [obj, name, args, kwargs,
                                                            self._at(node)], {}, node)
        if modules.is_module(obj):
            return self._invoke(modules.module_method, [obj, name, args, kwargs,
                                                        self._at(node)], {}, node)
        if not isinstance(obj, torch.Tensor):
            if obj is None:
                raise self._err("none_method", node, name=name, what=self._src(f.value))
            raise self._err("method_on", node, name=name, kind=type(obj).__name__)
        if name == "backward":
            return self._backward(obj, f.value, args, kwargs, node)
        if name in modules.INPLACE_METHODS:
            statements.check_inplace(self, obj, name, self._src(f.value), node)
        elif name in modules.MODULE_METHODS | modules.OPTIMIZER_METHODS:
            raise self._err("not_module", node, name=name, what=self._src(f.value))
        guards.call_check(self.limits, self._at(node), name, getattr(torch.Tensor, name),
                          (obj, *args), kwargs)
        return self._invoke(getattr(obj, name), args, kwargs, node)

    def _backward(self, root: torch.Tensor, target: ast.expr, args: list, kwargs: dict,
                  node: ast.Call) -> None:
        if args or set(kwargs) - {"retain_graph"}:
            raise self._err("backward_args", node)
        guards.backward_check(self._at(node), kwargs)
        self.state.backward_roots.append(Backward(root, self._src(target), kwargs))
        if self.fd_mode:
            return None
        if self.on_backward is None:
            raise self._err("backward_args", node)
        try:
            self.on_backward(self.state.backward_roots[-1])
        except RuntimeError as e:
            raise self._err(backward_error_key(e), node, detail=_first_line(e)) from None
        return None

    def call_module(self, obj: Any, args: list, kwargs: dict, node: ast.Call) -> Any:
        if not modules.is_module(obj):
            raise self._err("not_callable", node, name=self._src(node.func),
                            kind=type(obj).__name__)
        if kwargs:
            raise self._err("keyword", node, name=next(iter(kwargs)))
        guards.module_check(self.limits, lambda key, **kw: self._err(key, node, **kw), obj,
                            args)
        return self._invoke(obj, args, {}, node)

    def _invoke(self, fn: Callable, args: list, kwargs: dict, node: ast.AST) -> Any:
        try:
            out = fn(*args, **kwargs)
        except ProgramError:
            raise
        except (RuntimeError, TypeError, ValueError, IndexError, OverflowError) as e:
            raise self._err("torch", node, detail=_first_line(e)) from None
        if type(out).__module__ == "torch.return_types":
            out = tuple(out)
        return self._result(out, node)

    # attributes and indexing ---------------------------------------------
    def attribute(self, e: ast.Attribute) -> Any:
        path = dotted(e)
        if path is not None:
            return DTYPES[path]
        obj = self.expr(e.value)
        if modules.is_module(obj):
            return modules.module_attribute(obj, e.attr, self._at(e))
        if not isinstance(obj, torch.Tensor):
            if obj is None:
                raise self._err("none_method", e, name=e.attr, what=self._src(e.value))
            raise self._err("attribute", e, name=f".{e.attr}")
        if e.attr == "grad" and self.fd_mode:
            return None
        if e.attr not in TENSOR_ATTRS:  # e.g. a module's `.bias` asked of a tensor
            raise self._err("attribute", e, name=f".{e.attr}")
        return getattr(obj, e.attr)

    def subscript(self, e: ast.Subscript) -> Any:
        obj = self.expr(e.value)
        if not isinstance(obj, (torch.Tensor, list, tuple, torch.Size, torch.nn.Sequential)):
            raise self._err("index_on", e, kind=type(obj).__name__)
        index = literal_index(e.slice)
        guards.index_check(self._at(e), index)
        try:
            return obj[index]
        except (IndexError, RuntimeError, TypeError) as e2:
            raise self._err("torch", e, detail=_first_line(e2)) from None
