"""Models from the inside: a Keras-style summary, which module produced each autograd
node (from the capture, not from names), and the graph collapsed to module depth."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from backprop.anatomy.summary import CallRecorder, LayerRow, Summary, numel, shape_of, summarize
from backprop.capture.hooks import ForwardCapture, ForwardLog, GradFn, is_leaf_fn
from backprop.capture.tensor_graph import build_graph
from backprop.core.graph import Edge, Graph, Node, Value
from backprop.i18n import DEFAULT_LANG, digits, t

NODE_LIMIT = 5_000  # ResNet-50's full graph has a few hundred nodes


@dataclass(frozen=True)
class ModelTrace:
    """One forward pass of a model, captured: the graph, and per node its module."""

    graph: Graph
    node_module: dict[str, str]  # node id -> module path ("" = the model itself)
    summary: Summary
    types: dict[str, str]  # module path -> class name
    shapes: dict[str, tuple[int, ...] | None]  # module path -> output shape
    params: dict[str, int]  # module path -> parameters inside it (recursive)
    called: tuple[str, ...] = ()  # module paths in the order the forward pass entered them


def trace_model(name: str, model: nn.Module, example: torch.Tensor,
                output_name: str = "output") -> ModelTrace:
    """Run `model(example)` once under capture, with hooks telling which module call
    each op belongs to. Works for any nn.Module; big ones run on the meta device."""
    paths = {m: p for p, m in model.named_modules()}
    stack: list[str] = [""]
    shapes: dict[str, tuple[int, ...] | None] = {}

    called: dict[str, None] = {}

    def pre(m: nn.Module, _args: object) -> None:
        stack.append(paths[m])
        called.setdefault(paths[m])

    def post(m: nn.Module, _args: object, out: object) -> None:
        stack.pop()
        shapes.setdefault(paths[m], shape_of(out))
        rec.module_done(m, out)

    handles = [h for m in paths for h in (m.register_forward_pre_hook(pre),
                                          m.register_forward_hook(post))]
    rec = CallRecorder(model, name, lambda: stack[-1])
    flog = ForwardLog(scope=lambda: stack[-1], on_op=rec.on_op)
    try:
        with ForwardCapture(flog):
            out = model(example)
    finally:
        for h in handles:
            h.remove()
    out = out if isinstance(out, torch.Tensor) else out[0]
    params = dict(model.named_parameters())
    leaf_names = {id(p): n for n, p in params.items()}
    real = out.device.type != "meta"
    graph, ids = build_graph(out, output_name, NODE_LIMIT, leaf_names, {},
                             values=(lambda fn: flog.op_value.get(fn)) if real else
                             (lambda fn: None))
    node_module = _attribute(graph, ids, flog, paths, params)
    summary = rec.summary(model)  # execution order, one row per call
    counts = {p: sum(numel(q) for q in m.parameters()) for m, p in paths.items()}
    return ModelTrace(graph, node_module, summary, {p: type(m).__name__ for m, p in
                                                      paths.items()}, shapes, counts,
                      tuple(p for p in called if p))


def _attribute(graph: Graph, ids: dict[GradFn, str], flog: ForwardLog,
               paths: dict[nn.Module, str], params: dict[str, nn.Parameter]) -> dict[str, str]:
    """Module of every node: logged ops from the capture's scope; ops made inside a
    composite call inherit their consumer's; parameters belong to their owner."""
    by_param = {id(p): n.rpartition(".")[0] for n, p in params.items()}
    out: dict[str, str] = {}
    consumers: dict[str, list[str]] = {}
    for e in graph.edges:
        consumers.setdefault(e.src, []).append(e.dst)
    fns = {v: k for k, v in ids.items()}
    for node in reversed(graph.nodes):  # consumers first
        fn = fns.get(node.id)
        if fn is not None and is_leaf_fn(fn):
            out[node.id] = by_param.get(id(fn.variable), "")
        elif fn is not None and fn in flog.op_scope:
            out[node.id] = flog.op_scope[fn]
        else:
            up = [out[c] for c in consumers.get(node.id, []) if c in out]
            out[node.id] = min(up, key=len) if up else ""
    return out


def depth_of(path: str) -> int:
    return 0 if not path else path.count(".") + 1


def group_of(path: str, depth: int, expanded: frozenset[str] = frozenset()) -> str:
    """The module a node is drawn in at `depth`; expanded modules open one level more."""
    parts = path.split(".") if path else []
    k = depth
    while k < len(parts) and ".".join(parts[:k]) in expanded:
        k += 1
    return ".".join(parts[:k])


def collapse(mt: ModelTrace, depth: int, expanded: frozenset[str] = frozenset(),
             lang: str = DEFAULT_LANG,
             native_digits: bool = False) -> tuple[Graph, dict[str, str]]:
    """One node per module at `depth` (ops outside any module stay as they are);
    edges are the full graph's, between groups. Returns the graph and its labels."""
    g = mt.graph
    group: dict[str, str] = {}
    for n in g.nodes:
        path = mt.node_module.get(n.id, "")
        key = group_of(path, depth, expanded) if depth else ""
        group[n.id] = f"m:{key}" if key else n.id
    nodes: dict[str, Node] = {}
    labels: dict[str, str] = {}
    for n in g.nodes:
        gid = group[n.id]
        if gid in nodes:
            continue
        if gid.startswith("m:"):
            path = gid[2:]
            shape = mt.shapes.get(path)
            value = Value(shape, "float32", None) if shape is not None else None
            nodes[gid] = Node(gid, "module", mt.types.get(path), path, value, None)
            labels[gid] = _module_label(path, mt, lang, native_digits)
        else:
            nodes[gid] = n
    edges: dict[tuple[str, str], Edge] = {}
    for e in g.edges:
        s, d = group[e.src], group[e.dst]
        if s != d and (s, d) not in edges:
            edges[(s, d)] = Edge(s, d, len(edges))
    return Graph(tuple(nodes.values()), tuple(edges.values())), labels


def _module_label(path: str, mt: ModelTrace, lang: str, native: bool) -> str:
    from html import escape

    shape = mt.shapes.get(path)
    rows = [f"<B>{escape(path)}</B>", escape(mt.types.get(path, "")),
            escape(digits(t("dot.params", lang, n=f"{mt.params.get(path, 0):,}"), lang, native))]
    if shape is not None:
        rows.append(digits("→ " + "×".join(str(d) for d in shape), lang, native))
    return "<BR/>".join(rows)


def modules_at(mt: ModelTrace, depth: int) -> list[str]:
    """Module paths at exactly `depth` that the forward pass called, in call order."""
    return [p for p in mt.called if depth_of(p) == depth]


__all__ = ["LayerRow", "ModelTrace", "Summary", "collapse", "modules_at", "summarize",
           "trace_model"]
