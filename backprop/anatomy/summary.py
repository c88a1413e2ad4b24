"""A Keras-style summary of a model, in the order its forward pass really ran.

Rows come from the captured forward pass: one row per call of a layer (a module that
owns parameters or has no children), so a ReLU module used three times has three
rows, each with the shape of that call; and one row per functional op run directly in
a composite module's forward (a residual `out + identity`, a `torch.flatten`), as Keras
lists its Add layers. Parameters and buffers are counted on a layer's first call.
Buffers (BatchNorm's running mean/variance, ...) are state, not parameters: PyTorch
keeps them out of `parameters()`, Keras counts its moving statistics as
"non-trainable params".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn


@dataclass(frozen=True)
class LayerRow:
    name: str
    type: str
    output_shape: tuple[int, ...] | None
    params: int
    trainable: bool  # some parameter trains (or it has none); see `trainable_params`
    trainable_params: int = 0
    buffers: int = 0  # buffer elements (running mean/variance, counters)
    kind: str = "module"  # "module" | "op" (a functional op such as a residual add)
    call: int = 1  # which call of this module (a shared module has several rows)

    @property
    def trainable_state(self) -> str:
        """"yes", "no", "partly" (some parameters frozen) or "none" (no parameters)."""
        if not self.params:
            return "none"
        if self.trainable_params == self.params:
            return "yes"
        return "partly" if self.trainable_params else "no"


@dataclass(frozen=True)
class Summary:
    model: str
    layers: tuple[LayerRow, ...]
    total_params: int
    trainable_params: int
    buffers: int = 0  # buffer elements in the whole model
    buffer_counts: dict[str, int] = field(default_factory=dict)  # buffer name -> elements

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "total_params": self.total_params,
                "trainable_params": self.trainable_params,
                "non_trainable_params": self.non_trainable_params,
                "buffers": self.buffers, "buffer_counts": self.buffer_counts,
                "layers": [{"name": r.name, "type": r.type,
                            "output_shape": list(r.output_shape) if r.output_shape else None,
                            "params": r.params, "trainable": r.trainable,
                            "trainable_params": r.trainable_params,
                            "trainable_state": r.trainable_state, "buffers": r.buffers,
                            "kind": r.kind, "call": r.call}
                           for r in self.layers]}


def numel(p: torch.Tensor) -> int:
    return 0 if isinstance(p, nn.parameter.UninitializedParameter) else p.numel()


def shape_of(out: object) -> tuple[int, ...] | None:
    if isinstance(out, torch.Tensor):
        return tuple(out.shape)
    if isinstance(out, (tuple, list)) and out and isinstance(out[0], torch.Tensor):
        return tuple(out[0].shape)
    return None


def is_layer(path: str, m: nn.Module) -> bool:
    """Keras' notion of a layer: owns parameters, or has no children (not the model)."""
    return bool(list(m.parameters(recurse=False))) or (not list(m.children()) and path != "")


def _row(path: str, name: str, m: nn.Module, shape: tuple[int, ...] | None,
         call: int) -> LayerRow:
    own = list(m.parameters(recurse=False)) if call == 1 else []
    params = sum(numel(p) for p in own)
    trained = sum(numel(p) for p in own if p.requires_grad)
    bufs = sum(numel(b) for b in m.buffers(recurse=False)) if call == 1 else 0
    return LayerRow(name, type(m).__name__, shape, params, trained > 0 or not params,
                    trained, bufs, "module", call)


# torch functions that read a tensor but make no new value: no row for them
_NOT_OPS = {"__get__", "__set__", "size", "dim", "numel", "__len__", "__bool__", "item",
            "__format__", "__repr__", "tolist", "is_floating_point", "__hash__", "__eq__",
            "_has_compatible_shallow_copy_type", "stride", "data_ptr", "element_size"}


class CallRecorder:
    """Rows in execution order: module calls (from hooks) and functional ops run
    directly inside a composite module's forward (from the capture's `on_op`)."""

    def __init__(self, model: nn.Module, name: str, scope: Callable[[], str]) -> None:
        self.paths = {m: p for p, m in model.named_modules()}
        self.layers = {p for m, p in self.paths.items() if is_layer(p, m)}  # asked per op
        self.name, self.scope = name, scope
        self.rows: list[LayerRow] = []
        self.calls: dict[str, int] = {}

    def _name(self, base: str) -> tuple[str, int]:
        k = self.calls[base] = self.calls.get(base, 0) + 1
        return (base if k == 1 else f"{base} ({k})"), k

    def module_done(self, m: nn.Module, out: object) -> None:
        path = self.paths[m]
        if path in self.layers:
            name, k = self._name(path or type(m).__name__)  # the model itself: its class
            self.rows.append(_row(path, name, m, shape_of(out), k))

    def on_op(self, func: Any, args: tuple, out: object) -> None:
        scope = self.scope()
        if scope in self.layers or not isinstance(out, torch.Tensor):
            return  # inside a layer: its row says it all
        fname = getattr(func, "__name__", "")
        op = fname.strip("_")
        if (op and fname not in _NOT_OPS
                and torch.is_grad_enabled()  # not a lazy layer's weight init (no_grad)
                and any(isinstance(a, torch.Tensor) for a in args)):
            name, k = self._name(f"{scope}.{op}" if scope else op)
            self.rows.append(LayerRow(name, op, tuple(out.shape), 0, True, 0, 0, "op", k))

    def summary(self, model: nn.Module) -> Summary:
        """The rows recorded, then layers the forward never called (their parameters
        still count, e.g. an attention's out_proj used through its weight only)."""
        called = {r.name for r in self.rows if r.kind == "module" and r.call == 1}
        root = type(model).__name__
        rows = list(self.rows)
        for path, m in model.named_modules():
            if is_layer(path, m) and (path or root) not in called \
                    and list(m.parameters(recurse=False)):
                rows.append(_row(path, path or root, m, None, 1))
        return _totals(self.name, model, tuple(rows))


def summarize(name: str, model: nn.Module,
              shapes: dict[str, tuple[int, ...] | None] | None = None) -> Summary:
    """Without running the model: layers in definition order (the CLI's --no-run)."""
    rows = tuple(_row(p, p or type(m).__name__, m, (shapes or {}).get(p), 1)
                 for p, m in model.named_modules() if is_layer(p, m))
    return _totals(name, model, rows)


def _totals(name: str, model: nn.Module, rows: tuple[LayerRow, ...]) -> Summary:
    total = sum(numel(p) for p in model.parameters())
    trainable = sum(numel(p) for p in model.parameters() if p.requires_grad)
    counts: dict[str, int] = {}
    for bname, b in model.named_buffers():
        leaf = bname.rpartition(".")[2]
        counts[leaf] = counts.get(leaf, 0) + numel(b)
    return Summary(name, rows, total, trainable, sum(counts.values()), dict(sorted(counts.items())))
