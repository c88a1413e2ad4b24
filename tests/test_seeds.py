"""Every autograd example of seed 001 runs unchanged and prints the book's numbers."""

from __future__ import annotations

import pytest

from examples.presets import PRESETS
from graphviz_tools import run_program

# What the book prints (or what PyTorch prints for its code, where the book shows none).
BOOK = {
    "seed-mean": ["tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"],
    "seed-diff-squares": ["tensor(4.)", "tensor(-6.)"],
    "seed-sum": ["tensor([1., 1.])", "tensor([1., 1.])"],
    "seed-ab": ["a এর গ্র্যাডিয়েন্ট: tensor([5., 6.])", "b এর গ্র্যাডিয়েন্ট: tensor([4., 5.])"],
    "seed-zero-grad": ["tensor(4.)", "tensor(8.)", "tensor(4.)"],
    "seed-clip": ["tensor([10., 10.])", "tensor(14.1421)", "tensor([0.7071, 0.7071])"],
    "seed-2layer": ["tensor(1.3560) tensor(0.6780) tensor(-2.4860) tensor(-2.2600)"],
}


@pytest.mark.parametrize("key", sorted(BOOK))
def test_seed_prints_book_numbers(key: str) -> None:
    trace = run_program(PRESETS[key].code, PRESETS[key].inputs)
    assert list(trace.prints) == BOOK[key]


def test_seed_text_as_flattened_in_the_book_runs() -> None:
    # The book's first example, one statement per line exactly as its code block has it.
    code = ("import torch\nx = torch.ones(2, 2, requires_grad=True)\n"
            "y = x + 2\nz = y * y * 3\nout = z.mean()\n"
            "out.backward() # গ্র্যাডিয়েন্ট ক্যালকুলেট করবে\n"
            "print(x.grad) # x এর গ্র্যাডিয়েন্ট প্রিন্ট করবে\n")
    trace = run_program(code)
    assert trace.prints[0].startswith("tensor([[4.5000, 4.5000]")
    assert trace.output_node.name == "out"
    assert trace.output_node.value.data == 27.0


def test_every_preset_runs() -> None:
    for key, p in PRESETS.items():
        trace = run_program(p.code, p.inputs)
        assert trace.passes, key
        assert all(n.grad is not None for n in trace.leaves()), key


def test_micrograd_neuron_numbers() -> None:
    p = PRESETS["tanh-neuron"]
    grads = {n.name: n.grad.data for n in run_program(p.code, p.inputs).leaves()}
    assert grads["x1"] == pytest.approx(-1.5, abs=1e-5)
    assert grads["w1"] == pytest.approx(1.0, abs=1e-5)
    assert grads["x2"] == pytest.approx(0.5, abs=1e-5)
    assert grads["w2"] == pytest.approx(0.0, abs=1e-6)


def test_accumulation_is_visible_per_pass() -> None:
    trace = run_program(PRESETS["seed-zero-grad"].code)
    leaf = trace.leaves()[0]
    after = [p.leaf_grads[leaf.id].data for p in trace.passes]
    assert after == [4.0, 8.0, 4.0]  # accumulate, accumulate, zero_() then 4 again
    # each pass's own contribution, as it arrived at AccumulateGrad
    assert [p.grads_in[leaf.id].data for p in trace.passes] == [4.0, 4.0, 4.0]
