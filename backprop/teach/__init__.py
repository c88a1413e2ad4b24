"""Backprop explained as data: one record per autograd op (ops.py: friendly name,
local derivative, why-saved key), the chain rule with the captured numbers (chain.py,
umath.py), the animation's steps, one per frame (steps.py), their
captions (stage_text.py) and the finite-difference check (fd.py). Reads a Trace; draws
nothing."""
