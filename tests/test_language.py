"""The safe language: what is refused, where, and that refused code never runs."""

from __future__ import annotations

import time

import pytest

from backprop.sandbox.expression import parse
from graphviz_tools import ProgramError, run_program

# (program, catalog key, line, column): every refusal says what and where.
REFUSED = [
    ("import os", "import", 1, 1),
    ("import torch as np", "import", 1, 1),
    ("from torch import load", "import", 1, 1),
    ("x = 1\ny = open('f')", "function", 2, 5),
    ("eval('1')", "function", 1, 1),
    ("exec('x = 1')", "function", 1, 1),
    ("__import__('os')", "dunder", 1, 1),
    ("y = x.__class__", "dunder", 1, 5),
    ("y = x._version", "dunder", 1, 5),
    ("f = lambda a: a", "syntax_kind", 1, 5),
    ("y = [a for a in x]", "syntax_kind", 1, 5),
    ("for i in range(3):\n    y = i\nelse:\n    y = 0", "syntax_kind", 4, 5),
    ("while True:\n    y = 1", "syntax_kind", 1, 1),
    ("def f():\n    return 1", "syntax_kind", 1, 1),
    ("class A:\n    pass", "syntax_kind", 1, 1),
    ("with open('f') as fh:\n    y = fh", "with_kind", 1, 1),
    ("with torch.enable_grad():\n    y = x", "with_kind", 1, 1),
    ("y = torch._C", "dunder", 1, 5),
    ("y = torch.load('w.pt')", "function", 1, 5),
    ("y = torch.hub.load('a', 'b')", "function", 1, 5),
    ("y = torch.ops.aten.add(x, x)", "function", 1, 5),
    ("x.register_hook(print)", "method", 1, 1),
    ("x.numpy().tofile('f')", "method", 1, 1),
    ("y = x.storage()", "method", 1, 5),
    ("y = torch", "module_value", 1, 5),
    ("y = print", "builtin_value", 1, 5),
    ("y = f'{x:{w}}'", "fstring", 1, 5),
    ("y = f'{x!a}'", "fstring", 1, 5),
    ("y = x[x]", "index", 1, 7),
    ("y = x if x else x", "syntax_kind", 1, 5),
    ("y = {'a': 1}", "syntax_kind", 1, 5),
    ("y = x < 2", "syntax_kind", 1, 5),
    ("torch = 1", "reserved", 1, 1),
    ("x.grad = None", "assign_target", 1, 1),
    ("y = x % 2", "operator", 1, 5),
    ("y = b'abc'", "constant", 1, 5),
    ("y = torch.ones(2, device='cuda')", "keyword", 1, 19),
    ("y = x.sum(**{'dim': 0})", "kwargs", 1, 11),
    ("y = (", "syntax", 1, 5),
    ("y = 1 +", "syntax", 1, 8),
    ("", "empty", None, None),
    ("a\x00b", "nul_byte", None, None),
]


@pytest.mark.parametrize(("code", "key", "line", "col"), REFUSED)
def test_refused_with_place(code: str, key: str, line: int | None, col: int | None) -> None:
    with pytest.raises(ProgramError) as err:
        parse(code)
    assert err.value.key == key
    assert (err.value.line, err.value.col) == (line, col)
    assert err.value.message  # one clear message


RUNTIME = [
    ("y = 9 ** 9 ** 9", "exponent"),
    ("y = torch.ones(100000)", "tensor_size"),
    ("y = torch.ones(10000, 10000)", "tensor_size"),
    ("y = torch.arange(10 ** 10)", "tensor_size"),
    ("y = torch.rand(100, 1) + torch.rand(1, 1000)", "tensor_size"),
    ("a = torch.rand(5000, 1)\nb = torch.rand(1, 5000)\nc = a @ b", "tensor_size"),
    ("y = torch.ones(2).repeat(1000, 1000)", "tensor_size"),
    ("y = 10 ** 40 * 10 ** 40", "int_size"),
    ("y = 1 / 0", "zero_division"),
    ("y = torch.ones(2) + torch.ones(3)", "torch"),
    ("y = z * 2\nz = 1", "unbound"),
    ("y = x.grad.zero_()", "none_method"),
    ("y = torch.tensor(2.0, requires_grad=True)\ny.zero_()", "zero_leaf"),
    ("y = torch.tensor(2.0)\nz = y * 2", "no_grad_output"),
    ("print(1)", "no_output"),
    ("y = x * x\ny.backward()\ny.backward()", "backward_twice"),
    ("y = x * torch.ones(3)\ny.backward()", "backward_scalar"),
    ("y = 'a' * 3", "operand"),
    ("y = [1] * 10 ** 9", "operand"),
    ("a, b = torch.ones(3)", "unpack"),
]


@pytest.mark.parametrize(("code", "key"), RUNTIME)
def test_runtime_failures_are_program_errors(code: str, key: str) -> None:
    start = time.monotonic()
    with pytest.raises(ProgramError) as err:
        run_program(code)
    assert err.value.key == key, err.value.message
    whole_program = key in ("no_output", "no_grad_output")  # no single place to point at
    assert (err.value.line is None) == whole_program
    assert time.monotonic() - start < 2.0


def test_refused_code_never_runs(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    marker = tmp_path / "ran"
    with pytest.raises(ProgramError):
        run_program(f"y = x * 2\nopen({str(marker)!r}, 'w')")
    assert not marker.exists()


def test_resource_bombs_refused_fast() -> None:
    bombs = ["(" * 10_000 + "x" + ")" * 10_000, "x = 1\n" * 50_000, "y = " + "x + " * 5000 + "x",
             "y = " + "-" * 5000 + "x"]
    for code in bombs:
        start = time.monotonic()
        with pytest.raises(ProgramError):
            run_program(code)
        assert time.monotonic() - start < 2.0


def test_messages_in_bengali_with_line_and_column() -> None:
    with pytest.raises(ProgramError) as err:
        run_program("y = open('f')")
    assert err.value.in_lang("bn").startswith("লাইন 1, কলাম 5")  # the page says it
    assert "অনুমোদিত নয়" in err.value.in_lang("bn")
    assert err.value.message.startswith("Line 1, column 5")  # the CLI's English


def test_free_names_become_inputs_in_first_use_order() -> None:
    p = parse("import torch\na = y * x\nb = a + y\nc = b * torch.ones(1)")
    assert p.free_names == ("y", "x")


def test_augmented_assignment_rebinds() -> None:
    trace = run_program("c = x * 2\nc += x\nc += 1", {"x": 3.0})
    assert trace.output_node.value.data == 10.0
    assert trace.leaves()[0].grad.data == 3.0


def test_manual_seed_and_random_are_per_run_deterministic() -> None:
    code = "torch.manual_seed(3)\nw = torch.randn(3, requires_grad=True)\ny = (w * w).sum()"
    a, b = run_program(code), run_program(code)
    assert a.leaves()[0].value == b.leaves()[0].value


def test_only_program_error_escapes(monkeypatch) -> None:  # noqa: ANN001
    import backprop.capture.program as prog

    def boom(*a: object, **k: object) -> None:
        raise KeyError("unexpected")
    monkeypatch.setattr(prog, "parse", boom)
    with pytest.raises(ProgramError) as err:
        run_program("y = x")
    assert err.value.key == "internal"


@pytest.mark.parametrize(("src", "at"), [
    ("ক = torch.ones(2, requires_grad=True)\nখখখখ = ক + ক.nope()", "ক.nope()"),
    ("ক = torch.ones(2, requires_grad=True)\nখখখখ = ক + undefined_fn(ক)", "undefined_fn(ক)"),
    ("ওজন = torch.ones(2, requires_grad=True)\x0c\nক্ষতি = ওজন.sum() + ওজন.nope()",
     "ওজন.nope()"),
])
def test_columns_count_characters_not_utf8_bytes(src: str, at: str) -> None:
    """A Bengali letter is three bytes in ast's col_offset: the caret must still sit
    under the refused name."""
    with pytest.raises(ProgramError) as err:
        run_program(src)
    e = err.value
    assert e.line == 2 and src.splitlines()[-1][e.col - 1:].startswith(at)


@pytest.mark.parametrize("src", [
    "x = torch.ones(3, requires_grad=True)\ny = torch.cumsum(x, dim=0).max(dim=0)",
    "x = torch.ones(3, requires_grad=True)\ntorch.cumsum(x, dim=0).min(dim=0)",
    "x = torch.ones(3, requires_grad=True)\ny = [x * 2, x * 3]",
])
def test_a_pair_as_the_output_says_so(src: str) -> None:
    """(values, indices) as the last line: not 'there is no tensor', nor a silent
    fallback to an earlier tensor, but which one to take."""
    with pytest.raises(ProgramError) as err:
        run_program(src)
    assert err.value.key == "many_output" and err.value.params["n"] == 2
    assert "[0]" in err.value.in_lang("en") and "[0]" in err.value.in_lang("bn")
