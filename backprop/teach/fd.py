"""Finite differences: nudge each input a little, rerun, see how the output moves.

Shown beside autograd's gradient so a learner can check autograd is right. The
program is rerun in float64 under no_grad, with one named leaf nudged by ±h at
one element each time (central differences); backward() calls are skipped.
"""

from __future__ import annotations

import ast
import math
import time
from dataclasses import dataclass

import torch

from backprop.capture.program import input_tensors, output_tensor
from backprop.core.errors import ProgramError
from backprop.core.limits import DEFAULT_LIMITS, Limits
from backprop.sandbox.expression import parse
from backprop.sandbox.guards import warm_meta
from backprop.sandbox.interpreter import Interpreter

H = 1e-6  # float64 central differences: error ~h^2, rounding ~eps/h
MAX_ELEMENTS = 16  # per input: enough to see the pattern, cheap to rerun
MAX_RERUNS = 96  # in total, over every input (issue 11): 3 inputs x 16 elements x 2


@dataclass(frozen=True)
class FDCheck:
    name: str
    estimate: tuple[float, ...]  # first MAX_ELEMENTS elements, flattened
    checked: int  # how many elements were checked
    total: int  # how many the input has


def finite_differences(text: str, names: list[str], inputs: dict[str, float] | None = None,
                       limits: Limits = DEFAULT_LIMITS, sandboxed: bool = False
                       ) -> dict[str, FDCheck]:
    """Central-difference estimates of d(output)/d(name) for each named leaf.

    Names whose estimate cannot be computed (the output uses .grad, say) are left out.
    With `sandboxed`, every rerun happens in one envelope worker (one budget for all).
    """
    if sandboxed:
        from backprop.sandbox.envelope import run
        return run("fd", text, names, inputs)
    program = parse(text, limits)
    warm_meta()  # once per process, before any clock starts
    if any(isinstance(n, (ast.For, ast.With)) for n in ast.walk(program.tree)):
        return {}  # a training loop is not one function of its inputs: nothing to compare
    inputs = inputs or {}
    base = _output(program, inputs, limits, None)
    if base is None:
        return {}
    out: dict[str, FDCheck] = {}
    reruns = 0  # one total bound (count and wall time), however many inputs there are
    deadline = time.monotonic() + limits.seconds
    for name in names:
        if reruns + 2 > MAX_RERUNS or time.monotonic() > deadline:
            break
        try:
            total = _numel(program, inputs, limits, name)
            est = []
            for i in range(min(total, MAX_ELEMENTS)):
                if reruns + 2 > MAX_RERUNS or time.monotonic() > deadline:
                    break  # the table shows "checked/total"
                reruns += 2
                up = _output(program, inputs, limits, (name, i, H))
                down = _output(program, inputs, limits, (name, i, -H))
                if up is None or down is None:
                    raise ProgramError("internal", detail="fd")
                est.append((up - down) / (2 * H))
            out[name] = FDCheck(name, tuple(est), len(est), total)
        except ProgramError:
            continue
    return out


def _numel(program, inputs, limits, name) -> int:  # noqa: ANN001
    state = _run(program, inputs, limits, None)
    value = state.env.get(name)
    if not isinstance(value, torch.Tensor):
        raise ProgramError("internal", detail="fd")
    return value.numel()


def _run(program, inputs, limits, perturb):  # noqa: ANN001, ANN202
    leaves = input_tensors(program, inputs, dtype=torch.float64)
    if perturb and perturb[0] in leaves:
        name, index, delta = perturb
        with torch.no_grad():
            leaves[name] = leaves[name] + delta
        perturb = None
    with torch.no_grad():
        return Interpreter(program, leaves, limits, fd_mode=True, perturb=perturb).run()


def _output(program, inputs, limits, perturb) -> float | None:  # noqa: ANN001
    try:
        state = _run(program, inputs, limits, perturb)
        root, _, needs_sum = output_tensor_fd(state)
    except ProgramError:
        return None
    return float(root.sum() if needs_sum else root)


def output_tensor_fd(state):  # noqa: ANN001, ANN201
    # Under no_grad nothing requires grad, so don't ask output_tensor to check it.
    if state.backward_roots:
        return state.backward_roots[-1].root, "", False
    try:
        return output_tensor(state)
    except ProgramError as e:
        if e.key != "no_grad_output":
            raise
        value = state.result if isinstance(state.result, torch.Tensor) else \
            state.last_assigned[1]
        return value, "", value.numel() != 1


@dataclass(frozen=True)
class Verdict:
    """Autograd vs the estimate: `ok` (✓) only when both are finite and close."""

    ok: bool
    diff: float  # largest |autograd - estimate| (nan/inf when one side is)
    reason: str  # catalog key: fd.ok | fd.nan | fd.inf | fd.mismatch


def verdict(autograd: list[float], estimate: tuple[float, ...] | list[float],
            rtol: float = 1e-3) -> Verdict:
    """Compare element by element. Tolerance is relative to max(1, |autograd|): autograd
    runs in float32, the estimate in float64. NaN never passes (nan <= x is False, but
    max() with nan is order-dependent, so NaN and inf are checked first)."""
    pairs = list(zip(autograd, estimate, strict=True))
    values = [v for p in pairs for v in p]
    if any(math.isnan(v) for v in values):
        return Verdict(False, math.nan, "fd.nan")
    if any(math.isinf(v) for v in values):
        return Verdict(False, math.inf, "fd.inf")
    diff = max((abs(a - b) for a, b in pairs), default=0.0)
    scale = max([1.0, *(abs(a) for a in autograd)])
    ok = diff <= rtol * scale
    return Verdict(ok, diff, "fd.ok" if ok else "fd.mismatch")


__all__ = ["DEFAULT_LIMITS", "FDCheck", "Verdict", "finite_differences", "verdict"]
