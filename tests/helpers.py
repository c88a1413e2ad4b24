"""Test helpers: run the same code in plain PyTorch (the oracle), raw graph walks."""

from __future__ import annotations

import io
from collections import Counter
from contextlib import redirect_stdout
from pathlib import Path

import torch
import torch.nn.functional as F  # noqa: N812
from streamlit.testing.v1 import AppTest

from graphviz_tools import Graph

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def app_test(page: str | None = None, query: dict[str, str] | None = None,
             timeout: int = 120) -> AppTest:
    """The real app, optionally on another page and with query parameters, run once."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if page:
        at.switch_page(page)
    return at.run()


def run_plain(code: str, inputs: dict[str, float] | None = None) -> tuple[dict, str]:
    """Run trusted test code with real Python + PyTorch. Returns (namespace, stdout).

    Only tests do this, on code they wrote: it is the oracle the app is checked against.
    """
    ns: dict = {"torch": torch, "F": F, "nn": torch.nn}
    for name, v in (inputs or {}).items():
        ns[name] = torch.tensor(float(v), requires_grad=True)
    roots: list[torch.Tensor] = []
    original = torch.Tensor.backward

    def recording_backward(self: torch.Tensor, *args: object, **kwargs: object) -> None:
        roots.append(self)  # the oracle's own record of what backward ran on
        original(self, *args, **kwargs)

    buf = io.StringIO()
    torch.Tensor.backward = recording_backward  # type: ignore[method-assign]
    try:
        with redirect_stdout(buf):
            exec(compile(code, "<test>", "exec"), ns)  # noqa: S102 - trusted test code
    finally:
        torch.Tensor.backward = original  # type: ignore[method-assign]
    ns["__roots"] = roots
    return ns, buf.getvalue()


def raw_walk(root: torch.Tensor) -> tuple[set, Counter]:
    """The simplest possible grad_fn walk, independent of the engine's."""
    nodes, edges, todo = set(), Counter(), [root.grad_fn]
    while todo:
        fn = todo.pop()
        if fn in nodes:
            continue
        nodes.add(fn)
        for slot, (child, _) in enumerate(fn.next_functions):
            if child is not None:
                edges[(child, fn, slot)] += 1
                todo.append(child)
    return nodes, edges


def labelled(graph: Graph) -> tuple[Counter, Counter]:
    """Node and edge multisets labelled by op / leaf name (ids differ between runs)."""
    def lab(i: str) -> str:
        n = graph.node(i)
        return n.op if n.op else f"leaf:{n.name}"
    nodes = Counter(lab(n.id) for n in graph.nodes)
    edges = Counter((lab(e.src), lab(e.dst), e.slot) for e in graph.edges)
    return nodes, edges


def raw_labelled(root: torch.Tensor, names: dict[int, str]) -> tuple[Counter, Counter]:
    nodes, edges = raw_walk(root)

    def lab(fn: object) -> str:
        if hasattr(fn, "variable"):
            return f"leaf:{names.get(id(fn.variable))}"
        return type(fn).__name__
    return (Counter(lab(fn) for fn in nodes),
            Counter((lab(a), lab(b), s) for (a, b, s), k in edges.items() for _ in range(k)))
