"""Record a training loop iteration by iteration (issue 13), memory-bounded.

Each iteration of a loop whose body calls backward() becomes an `Iteration` (loss,
parameters before, gradients, parameters after, optimizer state, as the train JSON's
steps) and, while a budget of recorded numbers lasts, its own `Trace` (graph, forward,
backward) built from that iteration's backward records; the last iteration's Trace is
always kept. Between iterations, forward-log entries of graphs nothing can reach any
more are dropped, so a long loop holds one iteration's graph, not all of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from backprop.capture.hooks import ForwardLog, GradFn, PassRecord, is_leaf_fn
from backprop.core.graph import Iteration, Trace, Value
from backprop.core.limits import Limits
from backprop.sandbox.interpreter import Backward, LoopHooks, RunState
from backprop.sandbox.modules import optimizer_state, quiet, trained

Build = Callable[[list[PassRecord], Backward], Trace]
NODE_COST = 50  # a node's objects (ids, names, dicts) weigh about as much as 50 numbers


@dataclass
class _Frame:
    records: bool  # the loop's body calls backward(): its iterations are recorded
    before: dict[str, Value] | None = None
    passes: list[PassRecord] = field(default_factory=list)
    last: Backward | None = None
    grads: dict[str, Value] = field(default_factory=dict)


def _values(pairs: list[tuple[str, torch.Tensor]]) -> dict[str, Value]:
    return {n: Value.of(t) for n, t in pairs}


def _numel(values: dict[str, Value]) -> int:
    return sum(v.numel for v in values.values())


def trace_size(tr: Trace) -> int:
    """Numbers a Trace holds (its share of the record budget)."""
    n = 0
    for node in tr.graph.nodes:
        for v in (node.value, node.grad, *node.saved_values.values()):
            n += v.numel if v is not None else 0
    for p in tr.passes:
        for m in (p.grads_in, p.leaf_grads):
            n += _numel(m)
        n += sum(v.numel for v in p.grads_sent.values())
    return n + NODE_COST * len(tr.graph.nodes)


class Recorder(LoopHooks):
    """The interpreter's loop hooks: opens/closes iterations, takes backward records."""

    def __init__(self, state: RunState, flog: ForwardLog,
                 saved: dict[GradFn, dict[str, torch.Tensor]], limits: Limits,
                 build: Build) -> None:
        self.state, self.flog, self.saved, self.limits, self.build = (
            state, flog, saved, limits, build)
        self.frames: list[_Frame] = []
        self.iterations: list[Iteration] = []
        self.details: list[tuple[int, Trace]] = []
        self.used = 0  # numbers recorded so far (the budget: limits.record_elements)
        self.tail: tuple[int, list[PassRecord], Backward] | None = None  # past the budget
        self.last_in_loop = False  # the program's last backward() ran inside a loop
        self._seq = -1  # forward-log position where the first loop began
        self._bind = 0  # bindings length where the first loop began
        self._next_prune = 0  # log size that makes the next walk worth its cost

    # hooks --------------------------------------------------------------------
    def begin(self, records: bool) -> object:
        if self._seq < 0:  # the first loop starts: what came before is never forgotten
            self._seq, self._bind = self.flog.seq, len(self.state.bindings)
        frame = _Frame(records)
        if records:
            params = trained(self.state.env)
            if self._fits(sum(t.numel() for _, t in params) * 3):
                with quiet():
                    frame.before = _values(params)
        self.frames.append(frame)
        return frame

    def take(self, rec: PassRecord, b: Backward) -> bool:
        """A backward pass ran: it belongs to the innermost recorded iteration, if any."""
        frame = next((f for f in reversed(self.frames) if f.records), None)
        self.last_in_loop = frame is not None
        if frame is None:
            return False
        frame.passes.append(rec)
        frame.last = b
        if frame.before is not None:
            with quiet():
                frame.grads = {n: Value.of(t.grad) for n, t in trained(self.state.env)
                               if t.grad is not None}
        return True

    def end(self, token: object) -> None:
        frame = self.frames.pop()
        assert frame is token
        with quiet():
            if frame.records and frame.last is not None:
                self._record(frame)
            self._forget(frame)

    # recording ------------------------------------------------------------------
    def _fits(self, n: int) -> bool:
        return self.used + n <= self.limits.record_elements

    def _record(self, frame: _Frame) -> None:
        assert frame.last is not None
        step = len(self.iterations) + 1
        root = frame.last.root.detach()
        loss: float | str = float(root.sum()) if root.numel() else 0.0
        if not math.isfinite(loss):
            loss = str(loss)
        if frame.before is not None:
            params = trained(self.state.env)
            after = _values(params)
            state = {n: _values(list(s.items()))
                     for n, s in optimizer_state(self.state.env, params).items()}
            self.used += _numel(frame.before) + _numel(frame.grads) + _numel(after) \
                + sum(_numel(s) for s in state.values())
            self.iterations.append(Iteration(step, loss, frame.before, frame.grads, after,
                                             state))
        else:
            self.iterations.append(Iteration(step, loss, {}, {}, {}, detail=False))
        if self.tail is None:
            tr = self.build(frame.passes, frame.last)
            size = trace_size(tr)
            if self._fits(size):
                self.used += size
                self.details.append((step, tr))
                return
        self.tail = (step, frame.passes, frame.last)  # built at the end if still last

    def final_details(self) -> list[tuple[int, Trace]]:
        """The kept iterations' Traces, the last iteration's always among them."""
        if self.tail is not None and self.tail[0] == len(self.iterations):
            step, passes, last = self.tail
            with quiet():
                self.details.append((step, self.build(passes, last)))
            self.tail = None
        return self.details

    # forgetting -----------------------------------------------------------------
    def _forget(self, frame: _Frame) -> None:
        """Drop what no later statement can reach: dead graphs' log entries, bindings
        superseded inside the loop, backward roots but the last."""
        st = self.state
        del st.backward_roots[:-1]
        head, tail = st.bindings[:self._bind], st.bindings[self._bind:]
        latest: dict[str, Any] = {}
        for name, v in tail:
            latest[name] = v
        st.bindings[:] = head + list(latest.items())
        # Like a generational GC: walk only when the log has doubled since the last walk,
        # so a graph that really grows (y = y * 2 in a loop) costs O(n) overall, not O(n²)
        size = len(self.flog.op_seq) + len(self.flog.leaf_seq)
        if size <= self._next_prune:
            return
        roots = [v for v in st.env.values() if isinstance(v, torch.Tensor)]
        roots += [t for v in st.env.values() if isinstance(v, (list, tuple))
                  for t in v if isinstance(t, torch.Tensor)]
        roots += [b.root for b in st.backward_roots]
        roots += [p.root for f in self.frames for p in f.passes]
        if self.tail is not None:
            roots += [p.root for p in self.tail[1]]
        prune(self.flog, self.saved, roots, self._seq)
        self._next_prune = 2 * (len(self.flog.op_seq) + len(self.flog.leaf_seq)) + 64


def prune(flog: ForwardLog, saved: dict[GradFn, dict[str, torch.Tensor]],
          roots: list[torch.Tensor], since: int) -> None:
    """Forget log entries made at or after `since` that no root's graph reaches."""
    ops = {fn for fn, seq in flog.op_seq.items() if seq >= since}
    leaves = {i for i, seq in flog.leaf_seq.items() if seq >= since}
    if not ops and not leaves:
        return
    live: set[GradFn] = set()
    live_leaves = {id(t) for t in roots if t.grad_fn is None}
    stack = [t.grad_fn for t in roots if t.grad_fn in ops]
    while stack:
        fn = stack.pop()
        if fn in live:
            continue
        live.add(fn)
        for nxt, _ in fn.next_functions:
            if nxt is None:
                continue
            if is_leaf_fn(nxt):
                live_leaves.add(id(nxt.variable))
            elif nxt in ops and nxt not in live:
                stack.append(nxt)
    for fn in ops - live:
        del flog.op_seq[fn]
        v = flog.op_value.pop(fn, None)
        flog.cloned -= 0 if v is None else v.numel()  # the clone budget counts what is kept
        flog.op_scope.pop(fn, None)
        saved.pop(fn, None)
    dead = leaves - live_leaves
    if dead:
        for i in dead:
            del flog.leaf_seq[i]
        flog.keep = [t for t in flog.keep if id(t) not in dead]
