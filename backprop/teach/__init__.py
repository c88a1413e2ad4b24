"""Backprop explained as data: autograd op -> friendly name (ops.py), the chain-rule
table (chain.py, umath.py), the animation's steps, one per frame (steps.py), their
captions (stage_text.py) and the finite-difference check (fd.py). Reads a Trace; draws
nothing."""
