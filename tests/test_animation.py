"""The animation: frames follow the captured orders; the chain rule matches PyTorch."""

from __future__ import annotations

import json

import pytest
import torch

from backprop.draw.animation import figure
from backprop.draw.export import animation_html
from backprop.teach.chain import explain
from backprop.teach.message import say
from backprop.teach.ops import OPS
from backprop.teach.steps import steps, transcript
from examples.presets import PRESETS
from graphviz_tools import run_program

SEED = PRESETS["seed-mean"].code
TAUGHT = {name for name, op in OPS.items() if op.rule is not None}  # ops with a formula


def test_frames_follow_forward_then_engine_order() -> None:
    trace = run_program(SEED)
    fig = figure(trace)
    names = [f["name"] for f in fig["frames"]]
    expected = [f"forward:{i}:{n}" for i, n in enumerate(trace.forward_order)]
    k = len(expected)
    expected += [f"backward:{k + i}:{n}" for i, n in enumerate(trace.last_pass.order)]
    assert names == expected
    # backward_order in the JSON is the same engine order, op nodes only
    assert [n.split(":")[2] for n in names[k:] if trace.graph.node(n.split(":")[2]).op] == \
        trace.to_dict()["backward_order"]


def test_second_backward_without_zero_grad_animates_both_passes() -> None:
    code = ("x = torch.tensor(2.0, requires_grad=True)\ny = x * x\n"
            "y.backward(retain_graph=True)\ny.backward()\n")
    trace = run_program(code)
    all_steps = steps(trace)
    leaf = trace.leaves()[0].id
    leaf_steps = [s for s in all_steps if s.phase == "backward" and s.node == leaf]
    assert [s.pass_no for s in leaf_steps] == [1, 2]
    assert [s.grads[leaf].data for s in leaf_steps] == [4.0, 8.0]  # += across passes
    assert "x.grad += 4 → 8" in say(leaf_steps[1].text)


def test_frames_carry_only_styles_and_texts() -> None:
    fig = figure(run_program(SEED))
    for frame in fig["frames"]:
        for update in frame["data"]:
            assert "x" not in update and "y" not in update  # geometry is sent once
            assert set(update) <= {"fillcolor", "line", "marker", "text"}
        assert len(frame["traces"]) == len(frame["data"])


def test_reused_value_shows_both_gradients_on_its_edges() -> None:
    trace = run_program(SEED)
    s = next(s for s in steps(trace) if s.phase == "backward"
             and trace.graph.node(s.node).op == "MulBackward0" and len(s.flows) == 2)
    assert sorted(v.data for v in s.flows.values()) == [[[2.25, 2.25], [2.25, 2.25]]] * 2
    y_step = next(s for s in steps(trace) if s.node == "n1" and s.phase == "backward")
    assert "2 times" in say(y_step.text)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_animates_within_budget(key: str) -> None:
    trace = run_program(PRESETS[key].code, PRESETS[key].inputs)
    fig = figure(trace)
    size = len(json.dumps(fig, separators=(",", ":"), ensure_ascii=False).encode())
    assert fig["frames"] and size < 100_000
    assert len(transcript(trace)) == len(fig["frames"])


def test_layout_is_reused_for_new_values(monkeypatch) -> None:  # noqa: ANN001
    import backprop.draw.layout as lay

    calls = []
    real = lay.run_dot
    monkeypatch.setattr(lay, "run_dot", lambda *a, **k: calls.append(a) or real(*a, **k))
    figure(run_program("z = q * w + q", {"q": 1.0, "w": 2.0}))
    figure(run_program("z = q * w + q", {"q": -3.0, "w": 7.0}))
    assert len(calls) <= 1  # the second figure re-used the first one's layout


# Programs that exercise every op of the chain-rule table: scalars, tensors, broadcasting.
CHAIN_PROGRAMS = [
    "a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)\n"
    "b = torch.tensor([0.5, -1.5], requires_grad=True)\n"
    "c = (a + b) * (a - b) / (b * b + 1) + a ** 3 - (2 - a) + a * 3 + a / 4 + a + 1 - 2\n"
    "out = c.sum() + (-a).exp().mean()",
    "x = torch.tensor([0.3, -1.2, 2.0], requires_grad=True)\n"
    "y = torch.tanh(x) + torch.sigmoid(x) + torch.relu(x) + torch.sin(x) + torch.cos(x)"
    " + x.abs() + (x * x + 1).log() + (x * x + 1).sqrt()\nout = y.mean()",
    "p = torch.tensor([0.2, 0.7, -0.4], requires_grad=True)\n"
    "q = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n"
    "out = (p @ q) * torch.softmax(p, dim=0)[1] + torch.log_softmax(q, dim=0)[0]"
    " + F.mse_loss(p, q)",
    "m = torch.tensor([[1.0, 2.0, 0.5]], requires_grad=True)\n"
    "w = torch.tensor([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], requires_grad=True)\n"
    "out = (m @ w).sum()",
]


@pytest.mark.parametrize("code", CHAIN_PROGRAMS)
def test_upstream_times_local_equals_captured_gradient(code: str) -> None:
    trace = run_program(code)
    p = trace.last_pass
    checked = set()
    for node_id in p.order:
        for term in explain(trace.graph, p, node_id):
            op = trace.graph.node(node_id).op
            if op in TAUGHT and term.sent is not None:
                assert term.product is not None, op
                assert torch.allclose(term.product.tensor(), term.sent.tensor(),
                                      rtol=1e-4, atol=1e-5), op
                checked.add(op)
    assert checked


def test_every_rule_in_the_table_is_exercised() -> None:
    seen = set()
    for code in CHAIN_PROGRAMS:
        trace = run_program(code)
        seen |= {n.op for n in trace.graph.nodes}
    missing = TAUGHT - seen - {"AddBackward1", "SubBackward1", "MulBackward1"}
    assert not missing, missing


def test_animate_cli_writes_standalone_html(tmp_path) -> None:  # noqa: ANN001
    import subprocess
    import sys

    prog = tmp_path / "p.py"
    prog.write_text(SEED, encoding="utf-8")
    out = tmp_path / "anim.html"
    r = subprocess.run([sys.executable, "-m", "graphviz_tools", "animate", str(prog), "-o",
                        str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html and "backward:9:n0" in html
    assert "<script src=" not in html  # plotly.js is inlined: no network
    j = tmp_path / "anim.json"
    subprocess.run([sys.executable, "-m", "graphviz_tools", "animate", str(prog), "-o", str(j)],
                   check=True, timeout=120)
    assert len(json.loads(j.read_text())["frames"]) == 10


def test_html_export_has_transcript() -> None:
    html = animation_html(run_program(SEED))
    assert html.count("<li>") == 10


def test_exports_inline_the_vendored_cartesian_bundle() -> None:
    """A handed-out page carries the players' plotly.js (1.5 MB), not the full 4.8 MB."""
    from backprop.draw.plotly_bundle import STATIC, plotly_js_name
    from backprop.draw.stage_html import stage_html

    bundle = (STATIC / plotly_js_name()).read_text(encoding="utf-8")
    for page in (animation_html(run_program(SEED)), stage_html(run_program(SEED))):
        assert page.count(bundle) == 1 and len(page) < len(bundle) + 1_000_000


def test_standalone_stage_page_cannot_be_closed_by_program_text() -> None:
    from backprop.draw.stage_html import script_json, stage_html

    code = "x = torch.tensor(2.0, requires_grad=True)  # </script><script>alert(1)</script>\n" \
           "y = x * x"
    page = stage_html(run_program(code))
    assert page.count("<script>alert") == 0 and "&lt;/script&gt;" in page
    assert script_json({"t": "</script><!--&"}) == '{"t":"\\u003c/script\\u003e\\u003c!--\\u0026"}'
    assert "Plotly" in page and "bpStage.mount" in page and "<script src=" not in page


def test_unnamed_nodes_show_their_constant_not_a_placeholder() -> None:
    """`y * 3` reads `y × 3` on the stage, and constants PyTorch does not keep read as the
    program wrote them (`1 - x`, `y_pred - y`), in the operands' order."""
    from backprop.teach.umath import node_label

    tr = run_program("y = x * 2\nz = y * 3 + x / 4 + x ** 2 + (1 - x)", {"x": 3.0})
    labels = {node_label(tr.graph, n.id) for n in tr.graph.nodes}
    assert {"y × 3", "x ÷ 4", "x ^ 2", "1 − x"} <= labels
    tr = run_program("t = torch.tensor([1.0, 2.0])\nw = torch.tensor([0.5, 0.5], "
                     "requires_grad=True)\na = w - t\nb = t - w\nloss = (a * b * t).sum()")
    labels = {node_label(tr.graph, n.id) for n in tr.graph.nodes}
    assert {"a", "b", "a × b", "… × t"} <= labels  # named nodes keep their names
    tr = run_program("t = torch.tensor([1.0, 2.0])\nw = torch.tensor([0.5, 0.5], "
                     "requires_grad=True)\nloss = ((w - t) * (t - w)).sum()")
    labels = {node_label(tr.graph, n.id) for n in tr.graph.nodes}
    assert {"w − t", "t − w"} <= labels


def test_the_chain_rule_names_a_constant_operand() -> None:
    """d(m × x)/dx is `m`, not `c`; a number stays a number."""
    from backprop.teach.chain import explain

    tr = run_program("x = torch.tensor([2.0, 1.0], requires_grad=True)\nm = torch.ones(2)\n"
                     "z = (m * x).sum() / 2.5")
    formulas = [s.formula or "" for n in tr.graph.nodes if n.op
                for s in explain(tr.graph, tr.last_pass, n.id)]
    assert any(f.endswith("= m") for f in formulas)
    assert any(f.endswith(r"= \frac{1}{2.5}") for f in formulas)
