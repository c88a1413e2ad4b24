"""The exact PyTorch training loop that reproduces what the Tiny Network page shows.

Generated from the records, not typed again: the network's own code template (its
entry in the registry of networks), the trainer's actual initial weights, the
optimizer's and the loss's records. Tests run the text as plain Python and compare
every parameter after N steps with the trainer's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from backprop.train.losses import LOSSES
from backprop.train.optimizers import OPTIMIZERS
from backprop.train.training import Trainer

WEIGHTS = "{weights}"  # the template line where the initial weights are written
HEADER = ["import math", "import torch", "import torch.nn.functional as F",
          "from torch import nn", ""]


def number(x: np.floating) -> str:
    """The shortest text that reads back as the same float32 (`0.5`, `-0.3`)."""
    text = str(np.float32(x))
    return text if np.float32(float(text)) == np.float32(x) else repr(float(x))


def literal(a: np.ndarray) -> str:
    """A parameter's value as a Python literal: a number or nested lists."""
    if a.ndim == 0:
        return number(a[()])
    return "[" + ", ".join(literal(row) for row in a) + "]"


def weight_lines(initial: dict[str, np.ndarray]) -> tuple[list[str], str]:
    """The lines that set the initial weights, and the expression of the parameters.

    Plain tensors (`w1`) are created with their values; a module's parameters
    (`layers.0.weight`) are overwritten in place after the module is built."""
    names = list(initial)
    if not any("." in n for n in names):
        return ([f"{n} = torch.tensor({literal(v)}, requires_grad=True)"
                 for n, v in initial.items()] + [f"params = [{', '.join(names)}]"], "params")
    roots = {n.split(".")[0] for n in names}
    if len(roots) != 1:
        raise ValueError(f"one module holds every parameter, not {sorted(roots)}")
    lines = ["with torch.no_grad():  # the initial weights the page trained from"]
    for n, v in initial.items():
        attr = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", n)  # layers.0.weight -> layers[0].weight
        lines.append(f"    {attr}.copy_(torch.tensor({literal(v)}))")
    return lines, f"{roots.pop()}.parameters()"


def training_code(trainer: Trainer, steps: int, model: Sequence[str]) -> str:
    """The loop as text: `model` is the network's code template (a WEIGHTS line where
    the trainer's initial weights go), followed by the optimizer, the batches and
    `steps` iterations of zero_grad / forward / loss / backward / (clip) / step."""
    config, s = trainer.config, trainer.config.settings
    h = trainer.history
    weights, params = weight_lines({n: h.params[n][0] for n in h.names})
    lines = list(HEADER)
    for line in model:
        lines += weights if line == WEIGHTS else [line]
    lines += [f"optimizer = {OPTIMIZERS[config.optimizer].code_line(params, config.lr)}",
              f"batches = torch.Generator().manual_seed({config.seed})", "",
              f"for step in range({steps}):"]
    if config.batch_size:
        lines += [f"    idx = torch.randperm(len(x), generator=batches)[:{config.batch_size}]",
                  "    xb, yb = x[idx], y[idx]"]
    else:
        lines += ["    xb, yb = x, y"]
    if config.zero_grad:
        lines += ["    optimizer.zero_grad()"]
    else:
        lines += ["    # optimizer.zero_grad()  <- switched off: gradients pile up"]
    lines += ["    pred = model(xb)", "    loss = " + LOSSES[s.loss].code, "    loss.backward()"]
    if config.clip is not None:
        lines += [f"    torch.nn.utils.clip_grad_norm_({params}, max_norm={config.clip})"]
    # the comment says this optimizer's change (η: lr, g: the gradient), not SGD's
    lines += [f"    optimizer.step()  # w <- w {OPTIMIZERS[config.optimizer].delta}"]
    return "\n".join(lines) + "\n"
