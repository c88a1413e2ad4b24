"""Cases a reviewer found after the issue-11/13 merge: each refused clearly, never
"internal", and a module's oversized result refused before it is allocated."""

from __future__ import annotations

import resource

import pytest

from graphviz_tools import ProgramError, run_program

CASES = [
    # a module's result past the element limit: refused from its meta dry run
    ("import torch.nn as nn\nm = nn.Linear(1, 10000)\nx = torch.ones(10000, 1)\ny = m(x)",
     "tensor_size"),
    ("import torch.nn as nn\nf = nn.MSELoss(reduction='none')\n"
     "y = f(torch.ones(3000, 1), torch.ones(1, 3000))", "tensor_size"),
    # a module's attribute asked of a tensor
    ("x = torch.ones(1, requires_grad=True)\ny = x.bias", "attribute"),
    # a format width of 5,000 digits
    ('x = torch.ones(1, requires_grad=True)\nprint(f"{1.0:' + "9" * 5000 + '}")\ny = x * 2',
     "format_spec"),
]


@pytest.mark.parametrize(("src", "key"), CASES)
def test_refused_clearly_before_memory_is_taken(src: str, key: str) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ProgramError) as err:
        run_program(src)
    assert err.value.key == key
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100  # the 400 MB Linear output was never allocated


def test_huge_integer_in_a_link_is_ignored_not_a_crash() -> None:
    from tests.helpers import app_test

    at = app_test(None, {"step": "1" + "0" * 400, "seed": "9" * 400})
    assert not at.exception


def _list(n: int, item: str = "0.5") -> str:
    return "[" + ", ".join([item] * n) + "]"


# Well within every limit, refused by guards that measured the wrong thing (a reviewer's
# finds): a list of data taken for a shape, a product's inputs taken to broadcast.
ALLOWED = [
    ("w = torch.tensor(" + _list(100) + ", requires_grad=True)\ny = (w * w).sum()", 25.0),
    ("x = torch.ones(2, requires_grad=True)\ny = torch.cat(" + _list(65, "x") + ").sum()",
     130.0),
    ("x = torch.ones(2, requires_grad=True)\ny = torch.stack(" + _list(65, "x") + ").sum()",
     130.0),
    ("w = torch.ones(1, 200, requires_grad=True)\nv = torch.ones(200, 1)\ny = torch.mm(w, v)",
     200.0),
    ("w = torch.ones(1, 200, requires_grad=True)\nv = torch.ones(200, 1)\n"
     "y = torch.matmul(w, v)", 200.0),
    ("w = torch.ones(1, 200, requires_grad=True)\nv = torch.ones(200, 1)\ny = w.mm(v)", 200.0),
]


@pytest.mark.parametrize(("src", "value"), ALLOWED)
def test_small_results_from_long_lists_and_products_run(src: str, value: float) -> None:
    import torch

    out = run_program(src).output_node.value
    assert out is not None and out.tensor().sum().item() == value
    assert torch.isfinite(out.tensor()).all()


@pytest.mark.parametrize(("src", "key"), [
    ("x = torch.ones(1, requires_grad=True)\ny = x.reshape(" + _list(65, "1")[1:-1] + ").sum()",
     "dims"),
    ("x = torch.ones(" + _list(65, "1") + ", requires_grad=True)\ny = x.sum()", "dims"),
    ("a = torch.ones(200, 1, requires_grad=True)\nb = torch.ones(1, 200)\n"
     "y = torch.mm(a, b).sum()", "tensor_size"),
])
def test_shapes_and_big_products_are_still_refused(src: str, key: str) -> None:
    with pytest.raises(ProgramError) as err:
        run_program(src)
    assert err.value.key == key
