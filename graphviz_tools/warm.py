"""Imported by the envelope's forkserver only: pay the first-run costs once, before
any worker is forked (torch's lazy dispatch setup, first capture, first backward),
so every worker starts warm. One thread, so the fork copies no thread pool."""

import torch

from . import actions

torch.set_num_threads(1)
actions.program("a = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                "z = (x * y + x).tanh() * a.sum()\nz.backward()", {"x": 0.5})
actions.fd("z = x * y + x", ["x", "y"])
