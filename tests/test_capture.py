"""PyTorch is the oracle: graphs equal autograd's walk, gradients equal .grad."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop.capture.tensor_graph import build_graph
from backprop.teach.fd import finite_differences
from examples.presets import PRESETS
from graphviz_tools import graph_of, run_program
from tests.helpers import labelled, raw_labelled, raw_walk, run_plain


def _plain_root(key: str) -> tuple[dict, torch.Tensor]:
    """Re-run a preset in plain PyTorch; return its namespace and the backward root."""
    p = PRESETS[key]
    code = p.code
    ns, _ = run_plain(code, p.inputs)
    trace = run_program(code, p.inputs)
    root_name = trace.output_node.name
    if trace.last_pass.implicit:
        root = ns[root_name.removesuffix(".sum()")]
        return ns, root.sum() if root_name.endswith(".sum()") else root
    return ns, ns["__roots"][-1]  # what the program's last backward() ran on


def _module_params(ns: dict) -> dict[str, torch.Tensor]:
    """Module parameters as the trace names them: `model.0.weight` (issue 13)."""
    return {f"{k}.{n}": p for k, v in ns.items() if isinstance(v, torch.nn.Module)
            for n, p in v.named_parameters()}


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_graph_equals_raw_walk(key: str) -> None:
    ns, root = _plain_root(key)
    names = {id(p): n for n, p in _module_params(ns).items()}  # `model.0.weight` first
    for k, v in ns.items():
        if isinstance(v, torch.Tensor) and v.is_leaf:
            names.setdefault(id(v), k)
    trace = run_program(PRESETS[key].code, PRESETS[key].inputs)
    assert labelled(trace.graph) == raw_labelled(root, names)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_grads_equal_pytorch(key: str) -> None:
    p = PRESETS[key]
    ns, _ = run_plain(p.code, p.inputs)
    trace = run_program(p.code, p.inputs)
    if trace.last_pass.implicit:
        out = ns[trace.output_node.name.removesuffix(".sum()")]
        (out.sum() if trace.last_pass.summed else out).backward()
    params = _module_params(ns)
    for leaf in trace.leaves():
        assert torch.equal(leaf.grad.tensor(), params.get(leaf.name, ns.get(leaf.name)).grad), \
            leaf.name


def test_build_graph_is_exactly_the_next_functions_graph() -> None:
    x = torch.randn(3, requires_grad=True)
    w = torch.randn(3, 3, requires_grad=True)
    y = torch.tanh(w @ x + x).sum() * x[0]
    graph, ids = build_graph(y, "y", 2000, {}, {})
    nodes, edges = raw_walk(y)
    assert set(ids) == nodes
    ours = {(ids_s, ids_d, e.slot) for e in graph.edges
            for ids_s, ids_d in [(e.src, e.dst)]}
    assert ours == {(ids[a], ids[b], s) for (a, b, s) in edges}


def test_ids_are_deterministic_and_topological() -> None:
    code = PRESETS["seed-2layer"].code
    a, b = run_program(code), run_program(code)
    assert a.to_dict() == b.to_dict()
    pos = {n.id: i for i, n in enumerate(a.graph.nodes)}
    assert all(pos[e.src] < pos[e.dst] for e in a.graph.edges)
    assert a.graph.nodes[-1].kind == "output"


def test_backward_order_is_the_engines_hook_order() -> None:
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = (x + y) * (x - y)
    seen: list[str] = []
    nodes, _ = raw_walk(z)
    hs = [fn.register_prehook(lambda g, fn=fn: seen.append(type(fn).__name__)) for fn in nodes]
    z.backward()
    for h in hs:
        h.remove()
    trace = run_program("x = torch.tensor(2.0, requires_grad=True)\n"
                        "y = torch.tensor(3.0, requires_grad=True)\n"
                        "z = (x + y) * (x - y)\nz.backward()\n")
    order = [trace.graph.node(i).op or "AccumulateGrad" for i in trace.last_pass.order]
    assert order == [s.replace("torch::autograd::", "") for s in seen]
    assert trace.to_dict()["backward_order"] == [
        i for i in trace.last_pass.order if trace.graph.node(i).kind != "leaf"]


def test_edge_gradients_show_both_paths_of_a_reused_value() -> None:
    trace = run_program("z = x * y + x", {"x": 2.0, "y": 3.0})
    p = trace.last_pass
    x = next(n for n in trace.leaves() if n.name == "x")
    into_x = sorted(v.data for (s, _, _), v in p.grads_sent.items() if s == x.id)
    assert into_x == [1.0, 3.0]  # from the add (1) and from the mul (y = 3)
    assert x.grad.data == 4.0


def test_forward_values_are_captured_snapshots() -> None:
    trace = run_program(PRESETS["seed-mean"].code)
    values = {n.op: n.value.data for n in trace.graph.nodes if n.op}
    assert values["AddBackward0"] == [[3.0, 3.0], [3.0, 3.0]]
    assert values["MeanBackward0"] == 27.0
    assert [trace.graph.node(i).kind for i in trace.forward_order][0] == "leaf"


def test_composite_ops_get_values_from_saved_results() -> None:
    trace = run_program("logits = torch.tensor([[2.0, 1.0, 0.1]], requires_grad=True)\n"
                        "loss = F.cross_entropy(logits, torch.tensor([0]))")
    lsm = next(n for n in trace.graph.nodes if n.op == "LogSoftmaxBackward0")
    expected = torch.log_softmax(torch.tensor([[2.0, 1.0, 0.1]]), dim=1)
    assert torch.allclose(lsm.value.tensor(), expected)
    assert trace.forward_order.index(lsm.id) < trace.forward_order.index(trace.output)


def test_graph_of_names_params_like_make_dot() -> None:
    lin = torch.nn.Linear(3, 2)
    out = lin(torch.ones(1, 3)).sum()
    g = graph_of(out, dict(lin.named_parameters()))
    assert {n.name for n in g.nodes if n.kind == "leaf"} == {"weight", "bias"}
    assert "AddmmBackward0" in {n.op for n in g.nodes}


def test_implicit_backward_sums_non_scalar_output() -> None:
    trace = run_program("y = x * torch.tensor([1.0, 2.0, 3.0])", {"x": 2.0})
    assert trace.last_pass.implicit and trace.last_pass.summed
    assert trace.output_node.name == "y.sum()"
    assert trace.output_node.op == "SumBackward0"
    assert trace.leaves()[0].grad.data == 6.0


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_finite_differences_agree_with_autograd(key: str) -> None:
    p = PRESETS[key]
    trace = run_program(p.code, p.inputs)
    names = [n.name for n in trace.leaves() if n.name]
    checks = finite_differences(p.code, names, p.inputs)
    for leaf in trace.leaves():
        if leaf.name not in checks:
            continue
        check = checks[leaf.name]
        got = trace.last_pass.grads_in[leaf.id].tensor().flatten()[: check.checked].double()
        want = torch.tensor(check.estimate, dtype=torch.float64)
        assert torch.allclose(got, want, atol=1e-3, rtol=1e-3), leaf.name


# Random programs: any expression over the allowed ops gives autograd's graph and grads.
_UNARY = ["torch.tanh({})", "torch.sigmoid({})", "torch.exp({} / 4)", "({}).relu()",
          "torch.sin({})", "({}) ** 2", "-({})", "({}).abs()"]
_BINARY = ["({} + {})", "({} - {})", "({} * {})", "({} / (1 + ({}) ** 2))",
           "({} * 2.0 + 0.5 * {})"]


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 3 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(["x", "y", "w", "x"]))
    if draw(st.booleans()):
        return draw(st.sampled_from(_UNARY)).format(draw(expressions(depth + 1)))
    return draw(st.sampled_from(_BINARY)).format(draw(expressions(depth + 1)),
                                                  draw(expressions(depth + 1)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), st.floats(-2, 2), st.floats(-2, 2))
def test_random_programs_match_pytorch(expr: str, xv: float, yv: float) -> None:
    code = (f"x = torch.tensor({xv!r}, requires_grad=True)\n"
            f"y = torch.tensor([{yv!r}, 0.5], requires_grad=True)\n"
            "w = torch.ones(2, requires_grad=True)\n"
            f"out = ({expr}) * x + y.sum() * w[0]\n")
    trace = run_program(code)
    ns, _ = run_plain(code)
    names = {id(ns[k]): k for k in ("x", "y", "w")}
    out = ns["out"]
    assert labelled(trace.graph)[0] == raw_labelled(out if out.numel() == 1 else out.sum(),
                                                   names)[0]
    (out.sum() if out.numel() != 1 else out).backward()
    for leaf in trace.leaves():
        assert torch.allclose(leaf.grad.tensor(), ns[leaf.name].grad, equal_nan=True)
