"""run_program: parse, run under capture, backward, and assemble the Trace."""

from __future__ import annotations

import logging
from dataclasses import replace

import torch

from backprop.capture.assemble import assemble
from backprop.capture.hooks import ForwardCapture, ForwardLog, GradFn, PassRecord, run_backward
from backprop.capture.iterations import Recorder
from backprop.core.errors import ProgramError
from backprop.core.fmt import show
from backprop.core.graph import Trace, Value
from backprop.core.limits import DEFAULT_LIMITS, Limits
from backprop.sandbox import guards
from backprop.sandbox.expression import Program, parse
from backprop.sandbox.interpreter import Backward, Interpreter, RunState
from backprop.sandbox.modules import is_module, named_tensors, quiet, warm

log = logging.getLogger(__name__)
DEFAULT_INPUT = 1.0  # a free name's value until the inputs panel says otherwise


def run_program(
    text: str,
    inputs: dict[str, float] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    sandboxed: bool = False,
) -> Trace:
    """Parse + run + backward, all captured from PyTorch. Raises only ProgramError.

    Nothing here depends on the UI language: a refusal is a catalog key with its
    parameters and position (`ProgramError.in_lang` says it), so a page switching
    language translates, it never runs the program again. With `sandboxed`, the whole
    run happens in an envelope worker (sandbox/envelope.py): the OS bounds its CPU time and
    memory, for text nobody has checked by hand."""
    if sandboxed:
        from backprop.sandbox.envelope import run
        return run("trace", text, inputs, limits)
    try:
        # a timeout can stop torch's own code half-way (an optimizer's step between
        # turning grad off and back on): the thread's grad mode is restored here
        with torch.enable_grad():
            return _run(text, inputs or {}, limits)
    except ProgramError:
        raise
    except RecursionError:
        raise ProgramError("too_deep", limit=limits.depth) from None
    except MemoryError:
        raise ProgramError("budget_memory", mb=512) from None
    except Exception as e:  # noqa: BLE001 - the contract: ProgramError, never anything else
        log.exception("unexpected failure running a program")
        raise ProgramError("internal", detail=type(e).__name__) from None


def input_tensors(program: Program, inputs: dict[str, float],
                  dtype: torch.dtype = torch.float32) -> dict[str, torch.Tensor]:
    """Free names become scalar leaves that require grad (1.0 unless given)."""
    out = {}
    for name in program.free_names:
        value = inputs.get(name, DEFAULT_INPUT)
        if not isinstance(value, (int, float)):
            raise ProgramError("input_value", name=name)
        out[name] = torch.tensor(float(value), dtype=dtype, requires_grad=True)
    return out


def _run(text: str, inputs: dict[str, float], limits: Limits) -> Trace:
    program = parse(text, limits)
    guards.warm_meta()  # once per process, before the program's clock starts
    flog = ForwardLog()
    flog.max_cloned = limits.values  # issue 11: one budget for every value kept
    saved: dict[GradFn, dict[str, torch.Tensor]] = {}
    records: list[PassRecord] = []

    def on_backward(b: Backward) -> None:
        with quiet():  # hooks' clones are ours, not the program's
            rec = run_backward(PassRecord(b.root), limits.nodes, saved,
                               limits.tensor_elements, **b.kwargs)
        if not recorder.take(rec, b):  # inside a loop: that iteration's record
            records.append(rec)
        guards.values_check(limits, flog.cloned + kept(records, saved))

    def build(passes: list[PassRecord], b: Backward) -> Trace:
        tr = _assemble(program, interp.state, b.root, b.source, passes, flog, saved, limits)
        return replace(tr, prints=())

    warm("nn." in text or "optim" in text)  # one-time imports, before the clock starts
    leaves = input_tensors(program, inputs)
    for t in leaves.values():
        flog.record(t)
    interp = Interpreter(program, leaves, limits, on_backward)
    recorder = Recorder(interp.state, flog, saved, limits, build)
    interp.loops = recorder
    with ForwardCapture(flog, interp.check_time):
        state = interp.run()
        details = recorder.final_details()
        if recorder.last_in_loop and details:  # the last iteration's graph is the graph
            trace = replace(details[-1][1], source=program.source)
            trace = _with_run(trace, state)
        else:
            root, out_name = _output(state, records, limits, saved)
            trace = _assemble(program, state, root, out_name, records, flog, saved, limits)
    final = {name: Value.of(t) for name, t in named_tensors(state.env)}
    return replace(trace, final=final, iterations=tuple(recorder.iterations),
                   details=tuple(details))


def _with_run(trace: Trace, state: RunState) -> Trace:
    """What the whole run printed, on an iteration's Trace."""
    result = None if state.result is None or isinstance(state.result, torch.Tensor) \
        else show(state.result)
    return replace(trace, prints=tuple(state.prints), result=result)


def kept(records: list[PassRecord], saved: dict[GradFn, dict[str, torch.Tensor]]) -> int:
    """Elements the backward passes snapshotted (gradients in and sent, saved tensors)."""
    n = sum(v.numel() for d in saved.values() for v in d.values())
    for r in records:
        n += sum(g.numel() for g in r.grads_in.values())
        n += sum(g.numel() for g in r.grads_sent.values())
    return n


def output_tensor(state: RunState) -> tuple[torch.Tensor, str, bool]:
    """What the app backpropagates from when the program did not: the final bare
    expression, else the last assigned tensor. Returns (tensor, name, needs_sum)."""
    if state.backward_roots:
        b = state.backward_roots[-1]
        return b.root, b.source, False
    last = state.last_assigned or ("", None)
    if isinstance(state.result, torch.Tensor):
        value, name = state.result, state.result_source or "result"
    elif _holds_tensors(state.result):  # `x.max(dim=0)` as the last line
        raise ProgramError("many_output", name=state.result_source or "result",
                           n=len(state.result))
    elif isinstance(last[1], torch.Tensor):
        name, value = last
    elif _holds_tensors(last[1]):
        raise ProgramError("many_output", name=last[0], n=len(last[1]))
    else:
        raise ProgramError("no_output")
    if not value.requires_grad:
        raise ProgramError("no_grad_output", name=name)
    return value, name, value.numel() != 1


def _holds_tensors(v: object) -> bool:
    """(values, indices) from max/min(dim=...), or a list of tensors: not one output."""
    return isinstance(v, (tuple, list)) and any(isinstance(x, torch.Tensor) for x in v)


def _output(state: RunState, records: list[PassRecord], limits: Limits,
            saved: dict[GradFn, dict[str, torch.Tensor]]) -> tuple[torch.Tensor, str]:
    root, name, needs_sum = output_tensor(state)
    guards.values_check(limits, kept(records, saved))
    if state.backward_roots:
        return root, name
    if needs_sum:
        root, name = root.sum(), f"{name}.sum()"
    rec = PassRecord(root, implicit=True, summed=needs_sum)
    records.append(run_backward(rec, limits.nodes, saved, limits.tensor_elements))
    return root, name


def _assemble(program: Program, state: RunState, root: torch.Tensor, out_name: str,
              records: list[PassRecord], flog: ForwardLog,
              saved: dict[GradFn, dict[str, torch.Tensor]], limits: Limits) -> Trace:
    """The program's names for the graph's tensors, then the one assembly."""
    grad_names: dict[GradFn, str] = {}
    leaf_names: dict[int, str] = {}
    for var, v in state.env.items():  # module parameters as PyTorch names them
        if is_module(v):
            for pname, p in v.named_parameters():
                leaf_names.setdefault(id(p), f"{var}.{pname}")
    for name, v in state.bindings + list(zip(program.free_names,
                                             [state.env.get(n) for n in program.free_names],
                                             strict=True)):
        if isinstance(v, torch.Tensor):
            if v.grad_fn is not None:
                grad_names.setdefault(v.grad_fn, name)
            elif v.requires_grad:
                leaf_names.setdefault(id(v), name)
    result = None
    if state.result is not None and not (isinstance(state.result, torch.Tensor)
                                         and not state.backward_roots):
        result = guards.truncate(show(state.result), limits)
    return assemble(root, out_name, records, flog, saved, limits, leaf_names, grad_names,
                    program.source, tuple(state.prints), result, state.operands)
