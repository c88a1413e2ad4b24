"""Pasted text whose line breaks were lost (the book's web page): recognised, and
repaired to one statement per line with the book's comments kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from backprop.sandbox.repair import repair_lines
from graphviz_tools import ProgramError, run_program

BOOK = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "001_346323cd9218a508.txt"
# The book's code blocks (1-based line ranges in the chapter), as a browser copies them
# when the line breaks are lost: joined with spaces.
BLOCKS = [(60, 70), (144, 154)]
# The chapter's first example arrives flattened already, split over prose lines.
FIRST = ("import torch x = torch.ones(2, 2, requires_grad=True) y = x + 2 z = y * y * 3 "
         "out = z.mean() out.backward() # গ্র্যাডিয়েন্ট ক্যালকুলেট করবে "
         "print(x.grad) # x এর গ্র্যাডিয়েন্ট প্রিন্ট করবে")


def _block(a: int, b: int) -> str:
    if not BOOK.exists():
        pytest.skip("the book's chapter is not here")
    return "\n".join(BOOK.read_text(encoding="utf-8").splitlines()[a - 1:b])


@pytest.mark.parametrize(("a", "b"), BLOCKS)
def test_book_blocks_flattened_are_repaired_to_the_original(a: int, b: int) -> None:
    original = _block(a, b)
    flat = " ".join(original.splitlines())
    fixed = repair_lines(flat)
    assert fixed is not None
    # every statement and every comment is back, in order
    code = [ln.split("  #")[0].strip() for ln in fixed.splitlines() if not ln.startswith("#")]
    want = [ln.strip() for ln in original.splitlines() if not ln.startswith("#")]
    assert [c for c in code if c] == [w.split(" #")[0].strip() for w in want]
    for comment in [ln for ln in original.splitlines() if ln.startswith("#")]:
        assert comment in fixed
    # and it runs with the same result as the original
    assert run_program(fixed).to_dict()["inputs"] == run_program(original).to_dict()["inputs"]


def test_first_example_flattened() -> None:
    fixed = repair_lines(FIRST)
    assert fixed is not None
    assert fixed.splitlines()[:5] == ["import torch", "x = torch.ones(2, 2, requires_grad=True)",
                                      "y = x + 2", "z = y * y * 3", "out = z.mean()"]
    assert "# x এর গ্র্যাডিয়েন্ট প্রিন্ট করবে" in fixed
    tr = run_program(fixed)
    assert tr.prints == ("tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])",)


@pytest.mark.parametrize("lang", ["en", "bn"])
def test_flattened_text_is_recognised_in_the_ui_language(lang: str) -> None:
    with pytest.raises(ProgramError) as err:
        run_program(FIRST.replace(" # গ্র্যাডিয়েন্ট ক্যালকুলেট করবে", ""), lang=lang)
    assert err.value.key == "flattened"
    assert ("লাইন" in err.value.message) == (lang == "bn")
    # a comment that swallowed the rest is recognised too (the text parses as one line)
    with pytest.raises(ProgramError) as err:
        run_program(FIRST.replace("import torch x", "import torch # টেনসর x"), lang=lang)
    assert err.value.key == "flattened"


@pytest.mark.parametrize("text", ["x = 1", "y = x * 2\nz = y + 1\n", "y = (", "",
                                  "y = x  # then z = y + 1 is next", "for i in range(3): y = i"])
def test_nothing_to_repair(text: str) -> None:
    assert repair_lines(text) is None
