"""The allow-lists of the program language: everything not named here is refused.

Keys are the names a learner writes; values are what they mean. Module aliases
(`torch`, `nn`, `F`) are resolved to dotted names first, so `F.relu`,
`torch.nn.functional.relu` and `nn.functional.relu` are the same entry.
"""

from __future__ import annotations

import ast

import torch
import torch.nn.functional as F  # noqa: N812  (the seed's own spelling)

# Imports that are accepted and mean nothing (the names are always there).
IMPORTS: dict[str, str] = {"torch": "torch", "torch.nn": "nn", "torch.nn.functional": "F",
                           "torch.optim": "optim"}
MODULE_ALIASES: dict[str, str] = {"torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional",
                                  "optim": "torch.optim"}

# Factories take a shape: their element count is checked before they run.
FACTORIES = frozenset({
    "torch.ones", "torch.zeros", "torch.rand", "torch.randn", "torch.full",
    "torch.empty", "torch.eye", "torch.arange", "torch.linspace",
})
# Random factories draw from the run's own generator: same program, same numbers.
RANDOM = frozenset({"torch.rand", "torch.randn", "torch.randint"})

_TORCH_NAMES = (
    "tensor ones zeros rand randn randint full eye arange linspace ones_like zeros_like "
    "full_like add sub mul div pow neg exp log log2 log10 sqrt rsqrt abs sin cos tan tanh "
    "sigmoid relu square reciprocal sign floor ceil round sum mean prod std var norm max "
    "min amax amin argmax argmin clamp maximum minimum softmax log_softmax logsumexp "
    "matmul mm mv dot outer t transpose reshape flatten squeeze unsqueeze stack cat "
    "cumsum trace diag"
).split()
_F_NAMES = (
    "relu leaky_relu elu gelu silu softplus sigmoid tanh softmax log_softmax mse_loss "
    "l1_loss smooth_l1_loss cross_entropy nll_loss binary_cross_entropy "
    "binary_cross_entropy_with_logits linear normalize"
).split()

TORCH_FUNCTIONS: dict[str, object] = {
    **{f"torch.{n}": getattr(torch, n) for n in _TORCH_NAMES},
    **{f"torch.nn.functional.{n}": getattr(F, n) for n in _F_NAMES},
    "torch.manual_seed": None,  # handled by the interpreter: seeds the run's own generator
    "torch.nn.utils.clip_grad_norm_": torch.nn.utils.clip_grad_norm_,
    "torch.nn.utils.clip_grad_value_": torch.nn.utils.clip_grad_value_,
}

# Tensor methods a program may call (in-place methods only where the seed needs them).
TENSOR_METHODS = frozenset((
    "sum mean prod std var norm max min amax amin argmax argmin clamp pow exp log log2 "
    "sqrt rsqrt abs sin cos tan tanh sigmoid relu square reciprocal neg sign softmax "
    "log_softmax logsumexp matmul mm mv dot t transpose reshape view view_as flatten "
    "squeeze unsqueeze expand repeat cumsum add sub mul div maximum minimum item tolist "
    "size dim numel detach clone float double long backward zero_ requires_grad_ "
    "retain_grad"
).split())

# Tensor attributes a program may read.
TENSOR_ATTRS = frozenset((
    "grad shape requires_grad is_leaf grad_fn data T dtype ndim"
).split())

# dtype constants (torch.float32 ...).
DTYPES: dict[str, torch.dtype] = {
    f"torch.{n}": getattr(torch, n)
    for n in "float float32 float64 double half int int32 int64 long bool".split()
}

# Keyword arguments any allowed call may take; others are refused by name.
KWARGS = frozenset((
    "dim keepdim dtype requires_grad min max exponent reduction max_norm norm_type "
    "retain_graph target input other start end steps step size fill_value negative_slope "
    "p alpha beta weight bias label_smoothing clip_value approximate diagonal sep "
    # modules and optimizers (issue 13)
    "in_features out_features lr momentum dampening weight_decay nesterov betas eps "
    "set_to_none"
).split())

# Builtins a program may call.
BUILTINS = frozenset({"print", "len", "float", "int", "abs", "round", "min", "max", "sum",
                      "range"})

RESERVED = frozenset({*MODULE_ALIASES, *BUILTINS, "True", "False", "None"})


def dotted(node: ast.expr) -> str | None:
    """`torch.nn.functional.relu` for an attribute chain rooted at a module alias."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in MODULE_ALIASES:
        return ".".join([MODULE_ALIASES[node.id], *reversed(parts)])
    return None
