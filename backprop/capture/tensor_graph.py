"""The autograd graph of a tensor as plain data (build_graph), and graph_of(tensor),
the public door: like torchviz's make_dot, but returning data, not a drawing."""

from __future__ import annotations

from collections.abc import Callable

import torch

from backprop.capture.hooks import GradFn, is_leaf_fn, op_name, saved_names, topo_order
from backprop.core.graph import Edge, Graph, Node, Value
from backprop.core.limits import DEFAULT_LIMITS

_NONE: Callable[[GradFn], torch.Tensor | None] = lambda fn: None  # noqa: E731


def build_graph(
    root: torch.Tensor,
    out_name: str | None,
    node_limit: int,
    leaf_names: dict[int, str],
    op_names: dict[GradFn, str],
    values: Callable[[GradFn], torch.Tensor | None] = _NONE,
    grads: Callable[[GradFn], torch.Tensor | None] = _NONE,
    saved: Callable[[GradFn], dict[str, torch.Tensor]] = lambda fn: {},
    constants: dict[GradFn, str] | None = None,
) -> tuple[Graph, dict[GradFn, str]]:
    """Walk `root.grad_fn` and return the Graph plus the grad_fn -> node id map.

    Nodes are exactly autograd's: AccumulateGrad nodes become leaves (named via
    `leaf_names`, keyed by id of the leaf tensor), every other grad_fn an op; the
    root's grad_fn is the output. Ids follow a deterministic topological order.
    `constants`: the program's text for an op's operand that is no graph node.
    """
    fn_root = root.grad_fn
    if fn_root is None:  # the output is itself a leaf: a one-node graph
        node = Node("n0", "output", None, out_name, _val(root), _val(root.grad))
        return Graph((node,), ()), {}
    fns = topo_order(fn_root, node_limit)
    ids = {fn: f"n{i}" for i, fn in enumerate(fns)}
    nodes = []
    for fn in fns:
        if is_leaf_fn(fn):
            var = fn.variable
            nodes.append(Node(ids[fn], "leaf", None, leaf_names.get(id(var)), _val(var),
                              _val(var.grad)))
            continue
        is_out = fn is fn_root
        name = out_name if is_out else op_names.get(fn)
        value = _val(root) if is_out else _val(values(fn))
        nodes.append(Node(ids[fn], "output" if is_out else "op", op_name(fn), name, value,
                          _val(grads(fn)), saved_names(fn),
                          {k: Value.of(v) for k, v in saved(fn).items()},
                          (constants or {}).get(fn)))
    edges = [Edge(ids[c], ids[fn], slot) for fn in fns
             for slot, (c, _) in enumerate(fn.next_functions) if c is not None]
    return Graph(tuple(nodes), tuple(edges)), ids


def graph_of(
    tensor: torch.Tensor,
    params: dict[str, torch.Tensor] | None = None,
    name: str = "output",
    node_limit: int = DEFAULT_LIMITS.nodes,
) -> Graph:
    """The graph autograd would run from `tensor`; leaves named from `params`.

    Op values are what autograd saved as the op's result where it kept one (no
    recomputation); leaf values and grads are the tensors' own.
    """
    leaf_names = {id(p): n for n, p in (params or {}).items()}
    graph, _ = build_graph(tensor, name, node_limit, leaf_names, {}, values=_saved_result)
    return graph


def _saved_result(fn: GradFn) -> torch.Tensor | None:
    try:
        return getattr(fn, "_saved_result", None)
    except RuntimeError:  # freed by an earlier backward
        return None


def _val(t: object) -> Value | None:
    return Value.of(t) if isinstance(t, torch.Tensor) else None
