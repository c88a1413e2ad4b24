"""The calls, attributes and indexing of a program, mapped to allowed torch calls.

A mixin of the Interpreter (interpreter.py): every call a program makes comes
through here and through the guards, never through Python's own evaluation.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from backprop.core.errors import ProgramError, backward_error_key
from backprop.core.fmt import first_line as _first_line
from backprop.core.fmt import show
from backprop.sandbox import guards, modules, statements
from backprop.sandbox.expression import dotted, literal_index
from backprop.sandbox.language import DTYPES, FACTORIES, RANDOM, TENSOR_ATTRS, TORCH_FUNCTIONS
from backprop.sandbox.run_state import Backward

if TYPE_CHECKING:
    from backprop.sandbox.interpreter import Interpreter

    _Base = Interpreter
else:
    _Base = object


class Calls(_Base):
    """Function, method and module calls; `.attr` and `[index]`."""

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
            self.say(sep.join(show(a) for a in args), node)
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
        return self._invoke(fn, args, kwargs, node)

    def method(self, obj: Any, f: ast.Attribute, args: list, kwargs: dict,
               node: ast.Call) -> Any:
        name = f.attr
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
        b = Backward(root, self._src(target), kwargs)
        self.state.backward_roots.append(b)
        self.backward(b, node)

    def backward(self, b: Backward, node: ast.Call) -> None:
        """Perform (and record) one backward() call the program made."""
        if self.on_backward is None:
            raise self._err("backward_args", node)
        try:
            self.on_backward(b)
        except RuntimeError as e:
            raise self._err(backward_error_key(e), node, detail=_first_line(e)) from None

    def say(self, line: str, node: ast.Call) -> None:
        """One print() line, kept for the page (within the output budget)."""
        self.state.prints.append(line)
        guards.print_check(self.limits, self._at(node), self.state.prints)

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
        return self.attribute_of(self.expr(e.value), e)

    def attribute_of(self, obj: Any, e: ast.Attribute) -> Any:
        if modules.is_module(obj):
            return modules.module_attribute(obj, e.attr, self._at(e))
        if not isinstance(obj, torch.Tensor):
            if obj is None:
                raise self._err("none_method", e, name=e.attr, what=self._src(e.value))
            raise self._err("attribute", e, name=f".{e.attr}")
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
