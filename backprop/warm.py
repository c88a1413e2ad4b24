"""Imported by the envelope's forkserver only: pay the first-run costs once, before
any worker is forked (torch's lazy dispatch setup, the Python meta kernels that the
size guards use — torch.stack's first meta call imports torch._refs, ~2 s —, first
capture, first backward), so every worker starts warm. One intra-op thread, so the
fork copies no thread pool. Never fails: a failing preload would stop the forkserver."""

import gc
import logging

import torch

from backprop import actions
from backprop.sandbox import guards

torch.set_num_threads(1)
try:
    guards.warm_meta()
    actions.program("a = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                    "b = torch.stack([a, a]).sum(0)\n"
                    "z = (x * y + x).tanh() * b.sum()\nz.backward()", {"x": 0.5})
    actions.fd("z = x * y + x", ["x", "y"])
except Exception:  # noqa: BLE001
    logging.getLogger(__name__).exception("envelope warm-up")

# Workers are forked from here: keep the cyclic GC from walking (and so copying) the
# preloaded heap in every worker.
gc.collect()
gc.freeze()
