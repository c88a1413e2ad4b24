"""Resource limits for user programs. Defaults carry their reasons."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    # A page of the book's code is ~1 KB; 20 KB leaves room without inviting bombs.
    source_chars: int = 20_000
    # Statements in the text; loops are bounded by the two counts below.
    statements: int = 300
    # Loop iterations in all (nested loops count together): a tutorial trains for
    # tens to hundreds of steps; each one is recorded for the iteration chooser.
    iterations: int = 1_000
    # Statements executed in all (loop bodies once per iteration).
    executed: int = 10_000
    # Numbers recorded across iterations (parameters before/after, gradients, and each
    # iteration's graph, a node counting as 50): past it, an iteration keeps only its
    # loss (the last one: all). ~5 MB of Python objects: a loop's trace stays cacheable.
    record_elements: int = 200_000
    # Width and precision in an f-string's format spec (`{x:>1000000}` must not run).
    format_width: int = 40
    # Expression nesting; deeper trees are refused before anything runs.
    depth: int = 60
    # Elements in any one tensor: a 100x100 matrix is plenty to learn from.
    tensor_elements: int = 10_000
    # |exponent| in `a ** b` on plain numbers (9**9**9 must not run).
    exponent: float = 1_000.0
    # Integers beyond this are refused instead of growing without bound.
    int_digits: int = 30
    # Autograd graph nodes walked; a graph this big is unreadable anyway.
    nodes: int = 2_000
    # Wall time for one program run, seconds.
    seconds: float = 2.0
    # PyTorch's own cap is higher; nobody learns from a 65-dimensional tensor.
    dims: int = 64
    # List literals: nesting through names (`b = [a, a]`), deep enough for any matrix.
    list_depth: int = 32
    # Printed text (all prints) and the final value's text: a notebook cell's worth.
    print_chars: int = 100_000
    # Tensor elements snapshotted for the animation in total (forward clones, saved
    # tensors, gradients of every pass): 1M numbers assemble in well under a second.
    values: int = 1_000_000
    # Animation steps (forward nodes + every backward pass's nodes): each is a frame.
    steps: int = 2_000
    # Edges drawn (a node may have many inputs: torch.cat of a long list).
    edges: int = 6_000


DEFAULT_LIMITS = Limits()
