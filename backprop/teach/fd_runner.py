"""The finite-difference check's own runner: the interpreter, perturbed.

Floats become float64 (central differences need the precision), one named leaf is
nudged at one element, and what only autograd does (backward(), `.grad`, print)
is skipped. The capture's Interpreter knows nothing of this.
"""

from __future__ import annotations

import ast
from typing import Any

import torch

from backprop.core.limits import Limits
from backprop.sandbox import modules
from backprop.sandbox.expression import Program
from backprop.sandbox.interpreter import Backward, Interpreter

Perturb = tuple[str, int, float]  # (name, flat element index, delta)


class PerturbingInterpreter(Interpreter):
    """Runs a Program under no_grad in float64, with `perturb` applied to the first
    float tensor bound to its name."""

    def __init__(self, program: Program, inputs: dict[str, torch.Tensor], limits: Limits,
                 perturb: Perturb | None = None) -> None:
        super().__init__(program, inputs, limits)
        self.perturb = perturb
        self._perturbed = False

    def bind(self, target: ast.expr, value: Any) -> None:
        if (self.perturb and not self._perturbed and isinstance(target, ast.Name)
                and target.id == self.perturb[0]):
            value = self._nudge(value)
        super().bind(target, value)

    def _nudge(self, value: Any) -> Any:
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            self._perturbed = True
            _, index, delta = self.perturb  # type: ignore[misc]
            value = value.detach().clone()
            value.view(-1)[index] += delta
        return value

    def torch_call(self, path: str, args: list, kwargs: dict, node: ast.Call) -> Any:
        out = super().torch_call(path, args, kwargs, node)
        if path in modules.UNLOGGED or path in modules.CONSTRUCTORS:
            return out
        if isinstance(out, torch.Tensor) and out.dtype == torch.float32:
            out = out.to(torch.float64)  # finite differences need the precision
        return out

    def method(self, obj: Any, f: ast.Attribute, args: list, kwargs: dict,
               node: ast.Call) -> Any:
        if obj is None:
            return None  # e.g. x.grad.zero_(): `.grad` is None here
        return super().method(obj, f, args, kwargs, node)

    def attribute_of(self, obj: Any, e: ast.Attribute) -> Any:
        if e.attr == "grad" and isinstance(obj, torch.Tensor):
            return None  # no backward ran
        return super().attribute_of(obj, e)

    def backward(self, b: Backward, node: ast.Call) -> None:
        return None  # the root is recorded (it is the output); nothing is run

    def say(self, line: str, node: ast.Call) -> None:
        return None  # the check's reruns print nothing
