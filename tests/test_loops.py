"""Training loops in the program language (issue 13), beyond the numbers (those are in
test_loops_oracle.py): one trace per iteration, the JSON fields, the record budget,
printing, refusals with did-you-mean, the CLI, memory over long loops, timeouts, `if`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch
from torch import nn

from backprop.core.limits import Limits
from examples.presets import PRESETS
from graphviz_tools import ProgramError, run_program, to_dot
from tests.loop_programs import LINEAR_MOMENTUM, SEQ_ADAM
from tests.loop_programs import tensor_of as _t


def test_each_iteration_has_its_own_trace() -> None:
    tr = run_program(LINEAR_MOMENTUM)
    assert [s for s, _ in tr.details] == [1, 2, 3, 4, 5, 6]
    for it in tr.iterations:
        sub = tr.iteration(it.step)
        assert sub is not None and len(sub.passes) == 1
        leaves = {n.name: n for n in sub.leaves()}
        assert set(leaves) == {"lin.weight", "lin.bias"}
        # the pass's leaf gradients are the iteration's recorded gradients
        for name, node in leaves.items():
            assert sub.passes[0].leaf_grads[node.id] == it.grads[name]
        assert sub.output_node.name == "loss"
        assert sub.output_node.value.data == pytest.approx(it.loss)
    # the default graph is the last iteration's
    assert to_dot(tr) == to_dot(tr.iteration(6))
    assert tr.iteration(99) is None


def test_same_program_same_numbers_same_dot() -> None:
    a, b = run_program(SEQ_ADAM), run_program(SEQ_ADAM)
    assert to_dot(a) == to_dot(b)
    assert a.to_dict() == b.to_dict()


def test_to_dict_keeps_fields_and_adds_final_and_iterations() -> None:
    d = run_program(LINEAR_MOMENTUM).to_dict()
    for key in ("output", "inputs", "nodes", "edges", "forward_order", "backward_order",
                "final", "iterations"):
        assert key in d
    it = d["iterations"][0]
    assert set(it) >= {"step", "loss", "params_before", "grads", "params_after"}
    assert it["step"] == 1 and set(it["grads"]) == {"lin.weight", "lin.bias"}
    json.dumps(d)
    plain = run_program(PRESETS["seed-mean"].code).to_dict()
    assert plain["iterations"] == [] and set(plain["final"]) == {"x", "y", "z", "out"}


def test_record_budget_keeps_losses_and_the_last_iteration() -> None:
    tr = run_program(LINEAR_MOMENTUM, limits=Limits(record_elements=1200))
    assert len(tr.iterations) == 6
    assert not tr.iterations[-1].detail and tr.iterations[0].detail
    assert all(isinstance(i.loss, float) for i in tr.iterations)
    kept = [s for s, _ in tr.details]
    assert kept[-1] == 6 and len(kept) < 6
    assert tr.iteration(6) is not None


def test_printing_with_f_strings() -> None:
    tr = run_program('import torch\nn = 7\nx = torch.tensor(2.5, requires_grad=True)\n'
                     'y = x * 3\nprint(f"y={y.item():.3f} n={n:03d} [{n:>4}] {x}")\n')
    assert tr.prints == (f"y={7.5:.3f} n={7:03d} [{7:>4}] "
                         f"{torch.tensor(2.5, requires_grad=True)}",)
    assert tr.prints[0].endswith(" 2.5")


def test_nested_loops_and_range_forms() -> None:
    tr = run_program("import torch\nw = torch.tensor(1.0, requires_grad=True)\n"
                     "for i in range(2, 8, 3):\n    for j in range(2):\n"
                     "        loss = w * i * j\n        loss.backward()\n")
    # the inner loop's iterations are the ones that ran backward
    assert len(tr.iterations) == 4
    assert _t(tr.final["w"]).item() == 1.0
    # no zero_grad: the gradient accumulates, w*i*j for (2,0) (2,1) (5,0) (5,1)
    assert [it.grads["w"].data for it in tr.iterations] == [0.0, 2.0, 2.0, 7.0]


def test_same_linear_init_as_pytorch_under_the_same_seed() -> None:
    tr = run_program("import torch\nimport torch.nn as nn\ntorch.manual_seed(42)\n"
                     "m = nn.Linear(4, 3)\ny = m(torch.ones(1, 4)).sum()\n")
    torch.manual_seed(42)
    m = nn.Linear(4, 3)
    assert torch.equal(_t(tr.final["m.weight"]), m.weight.detach())
    assert torch.equal(_t(tr.final["m.bias"]), m.bias.detach())


REFUSED_AT_RUN = [
    ("for i in range(10 ** 9):\n    y = i", "too_many_iterations"),
    ("for i in range(100):\n    for j in range(100):\n        y = i", "too_many_iterations"),
    ("for i in range(1000):\n" + "    y = 1\n" * 30, "too_many_executed"),
    ("for i in x:\n    y = i", "for_iter"),
    ("for i in range('a'):\n    y = i", "range_args"),
    ("w = torch.ones(2, requires_grad=True)\nw.sub_(1)", "inplace_grad"),
    ("y = x * 2\ny.add_(1)", "inplace_grad"),
    ("m = nn.Linear(10 ** 6, 10 ** 6)", "tensor_size"),
    ("m = nn.Linear(2, 0)", "module_arg"),
    ("m = nn.Sequential(x)", "sequential_args"),
    ("o = torch.optim.SGD([x * 2], lr=0.1)", "optimizer_params"),
    ("m = nn.Linear(2, 2)\nm.state_dict()", "method"),
    ("z = torch.ones(2)\ny = z(2)", "not_callable"),
    ("m = nn.Linear(2, 2)\ny = m.grad\n", "module_attr"),
    ("y = x.step()", "not_module"),
    ("torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)", "not_module"),
    ("optimizer.zero_grad()", "not_module"),
    ('print(f"{x:>1000000}")', "format_spec"),
    ('print(f"{torch.ones(3):.2f}")', "format_tensor"),
    ("with torch.no_grad():\n    w = torch.ones(2)\n    w -= torch.ones(3, 2)", "inplace_shape"),
]


@pytest.mark.parametrize(("code", "key"), REFUSED_AT_RUN)
def test_refused_clearly(code: str, key: str) -> None:
    with pytest.raises(ProgramError) as err:
        run_program("import torch\nimport torch.nn as nn\n" + code, {"x": 1.0})
    assert err.value.key == key, err.value.message
    assert err.value.line is not None


def test_did_you_mean_and_where_it_lives() -> None:
    with pytest.raises(ProgramError) as err:
        run_program("import torch\nx = torch.tensr([1.0])")
    assert err.value.key == "function" and "`torch.tensor`" in err.value.message
    with pytest.raises(ProgramError) as err:
        run_program("import torch.nn as nn\nm = nn.Conv2d(1, 1, 3)", lang="bn")
    assert "অ্যানাটমি" in err.value.message
    with pytest.raises(ProgramError) as err:
        run_program("import torch\nw = torch.ones(1)\no = torch.optim.Adagrad([w])")
    assert "Tiny Network" in err.value.message
    with pytest.raises(ProgramError) as err:
        run_program("x = torch.ones(2, requires_grad=True)\ny = x.sum().backwrd()")
    assert "`backward`" in err.value.message


@pytest.mark.parametrize("code", ["y = (", "y = 1 +", "y = 'abc", "y = 2x", "y = x\n  z = y",
                                  "for i in range(2)\n  y = i", "f(x) = 2"])
def test_syntax_errors_speak_bengali(code: str) -> None:
    with pytest.raises(ProgramError) as err:
        run_program(code, lang="bn")
    body = err.value.message.split(": ", 1)[1]
    assert err.value.key == "syntax" and err.value.original
    # no English words from Python's own message
    assert not any(w in body for w in ("invalid", "never", "expected", "was", "syntax"))


def test_every_preset_still_runs() -> None:
    for key, p in PRESETS.items():
        tr = run_program(p.code, p.inputs)
        assert tr.graph.nodes, key


def test_cli_trace_json_has_final_and_iterations(tmp_path) -> None:  # noqa: ANN001
    f = tmp_path / "loop.py"
    f.write_text(LINEAR_MOMENTUM)
    out = subprocess.run([sys.executable, "-m", "graphviz_tools", "trace", str(f), "--json"],
                         capture_output=True, text=True, timeout=120, check=True)
    d = json.loads(out.stdout)
    assert len(d["iterations"]) == 6 and set(d["final"]) >= {"lin.weight", "lin.bias"}
    assert d["iterations"][-1]["params_after"]["lin.weight"] == d["final"]["lin.weight"]




def test_module_attributes_indexing_data_update_and_aliases() -> None:
    code = ("import torch\nfrom torch import nn\nimport torch.optim as optim\n"
            "torch.manual_seed(11)\nlin = nn.Linear(3, 2, bias=False)\n"
            "seq = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid())\n"
            "opt = optim.SGD(seq.parameters(), lr=0.1, weight_decay=0.01, nesterov=True,"
            " momentum=0.5)\n"
            "x = torch.ones(4, 3)\nfor k in range(3):\n    opt.zero_grad()\n"
            "    out = seq(lin(x)).sum()\n    out.backward()\n    opt.step()\n"
            "    lin.weight.data -= 0.01 * lin.weight.grad\n    lin.weight.grad.zero_()\n"
            "first = seq[0].weight * 1\nb = seq[0].bias\nn = out.item()\n")
    tr = run_program(code)
    torch.manual_seed(11)
    lin = nn.Linear(3, 2, bias=False)
    seq = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid())
    opt = torch.optim.SGD(seq.parameters(), lr=0.1, weight_decay=0.01, nesterov=True,
                          momentum=0.5)
    x = torch.ones(4, 3)
    for _ in range(3):
        opt.zero_grad()
        out = seq(lin(x)).sum()
        out.backward()
        opt.step()
        lin.weight.data -= 0.01 * lin.weight.grad
        lin.weight.grad.zero_()
    assert torch.equal(_t(tr.final["lin.weight"]), lin.weight.detach())
    assert torch.equal(_t(tr.final["seq.0.weight"]), seq[0].weight.detach())
    assert torch.equal(_t(tr.final["first"]), seq[0].weight.detach() * 1)
    assert "b" not in tr.final and "seq.0.bias" in tr.final  # the module's name wins
    assert "lin.bias" not in tr.final


def test_long_loop_keeps_one_iterations_graph_in_memory(monkeypatch) -> None:  # noqa: ANN001
    import backprop.capture.program as program
    logs = []

    class Log(program.ForwardLog):
        def __init__(self) -> None:
            super().__init__()
            logs.append(self)

    monkeypatch.setattr(program, "ForwardLog", Log)
    tr = run_program(LINEAR_MOMENTUM.replace("range(6)", "range(150)"))
    assert len(tr.iterations) == 150
    # the log holds about the last iteration's graph (walked when it doubles), not 150
    assert len(logs[0].op_seq) < 100 and len(logs[0].op_value) < 100


def test_cross_entropy_loop_with_loss_item_and_print() -> None:
    code = ("import torch\nimport torch.nn as nn\ntorch.manual_seed(2)\n"
            "model = nn.Linear(4, 3)\nloss_fn = nn.CrossEntropyLoss()\n"
            "opt = torch.optim.SGD(model.parameters(), lr=0.5)\n"
            "x = torch.randn(6, 4)\ny = torch.tensor([0, 1, 2, 0, 1, 2])\n"
            "for i in range(4):\n    opt.zero_grad()\n    loss = loss_fn(model(x), y)\n"
            "    loss.backward()\n    opt.step()\n    total = loss.item()\n"
            "    print(f'{i}: {total:.5f}', total > 0 if False else '')\n")
    with pytest.raises(ProgramError):  # comparisons stay out of the language
        run_program(code)
    code = code.replace(", total > 0 if False else '')", ")")
    tr = run_program(code)
    torch.manual_seed(2)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    x, y = torch.randn(6, 4), torch.tensor([0, 1, 2, 0, 1, 2])
    prints = []
    for i in range(4):
        opt.zero_grad()
        loss = nn.CrossEntropyLoss()(model(x), y)
        loss.backward()
        opt.step()
        prints.append(f"{i}: {loss.item():.5f}")
    assert list(tr.prints) == prints
    assert torch.equal(_t(tr.final["model.weight"]), model.weight.detach())


@pytest.mark.parametrize("seconds", [0.02, 0.05, 0.1, 0.2, 0.3])
def test_a_timeout_anywhere_leaves_grad_mode_on(seconds: float) -> None:
    with pytest.raises(ProgramError):
        run_program(SEQ_ADAM.replace("range(8)", "range(1000)"),
                    limits=Limits(seconds=seconds))
    assert torch.is_grad_enabled()


def test_if_on_plain_numbers_as_tutorials_print() -> None:
    code = PRESETS["seq-regression"].code.replace(
        '    print(f"epoch {epoch}: loss {loss.item():.4f}")\n',
        '    if epoch % 5 == 0:\n        print(f"epoch {epoch}: loss {loss.item():.4f}")\n'
        '    elif loss.item() < 0.05:\n        print("small")\n    else:\n        n = 1\n')
    tr = run_program(code)
    torch.manual_seed(0)
    X = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
    Y = 2 * X + 1
    model = nn.Sequential(nn.Linear(1, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    prints = []
    for epoch in range(20):
        optimizer.zero_grad()
        loss = nn.MSELoss()(model(X), Y)
        loss.backward()
        optimizer.step()
        if epoch % 5 == 0:
            prints.append(f"epoch {epoch}: loss {loss.item():.4f}")
        elif loss.item() < 0.05:
            prints.append("small")
    assert list(tr.prints[:-1]) == prints


@pytest.mark.parametrize(("code", "key"), [
    ("if x > 0:\n    y = x", "if_test"), ("if x:\n    y = x", "if_test"),
    ("if 1 % 0 == 0:\n    y = x", "zero_division"), ("if 'a' == 'a':\n    y = x", "if_test"),
    ("if 1 is 1:\n    y = x", "if_test"),
])
def test_if_refusals(code: str, key: str) -> None:
    with pytest.raises(ProgramError) as err:
        run_program(code, {"x": 1.0})
    assert err.value.key == key
