"""nn modules, losses and optimizers a program may build and use (issue 13).

The allow-list is by class: a program can only hold objects made here, and can only
call the methods and read the attributes named here. Sizes are counted from the
arguments (or a shape-only `meta` module) before any memory is taken, and weights are
initialised with the run's own generator, so the same program gives the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import torch
from torch import nn

from backprop.core.errors import ProgramError
from backprop.core.limits import Limits

Err = Callable[..., ProgramError]
# Work that is not the program's graph (snapshots, an optimizer's step, clipping under
# no_grad) runs past the forward capture (a torch-function mode): logging it would only
# slow it several-fold, and a timeout could stop torch's own code half-way.
quiet = torch._C.DisableTorchFunction

# Constructors by the dotted name a program writes.
LAYERS: dict[str, type[nn.Module]] = {
    "torch.nn.Linear": nn.Linear, "torch.nn.Sequential": nn.Sequential,
    "torch.nn.ReLU": nn.ReLU, "torch.nn.Tanh": nn.Tanh, "torch.nn.Sigmoid": nn.Sigmoid,
    "torch.nn.MSELoss": nn.MSELoss, "torch.nn.CrossEntropyLoss": nn.CrossEntropyLoss,
    "torch.nn.BCEWithLogitsLoss": nn.BCEWithLogitsLoss,
}
OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "torch.optim.SGD": torch.optim.SGD, "torch.optim.Adam": torch.optim.Adam,
    "torch.optim.RMSprop": torch.optim.RMSprop,
}
CONSTRUCTORS = frozenset({*LAYERS, *OPTIMIZERS})
# torch functions that work on gradients under no_grad: run unlogged (see `quiet`)
UNLOGGED = frozenset({"torch.nn.utils.clip_grad_norm_", "torch.nn.utils.clip_grad_value_"})
MODULE_CLASSES = tuple(LAYERS.values())
OPTIMIZER_CLASSES = tuple(OPTIMIZERS.values())

MODULE_METHODS = frozenset({"parameters", "named_parameters", "zero_grad", "train", "eval"})
OPTIMIZER_METHODS = frozenset({"zero_grad", "step"})
MODULE_ATTRS = frozenset({"weight", "bias"})
# In-place tensor updates: inside `with torch.no_grad():`, or on tensors that do not
# require grad (a .grad, plain data); autograd forbids them on leaves otherwise.
INPLACE_METHODS = frozenset({"sub_", "add_", "mul_", "div_", "zero_", "clamp_"})
# Where the things the lab does not do live in the app (named in refusals).
ELSEWHERE: dict[str, str] = {
    **{f"torch.nn.{n}": "anatomy" for n in (
        "Conv1d Conv2d MaxPool2d AvgPool2d BatchNorm1d BatchNorm2d LayerNorm Dropout "
        "Embedding LSTM GRU RNN Transformer MultiheadAttention Flatten Softmax "
        "LeakyReLU GELU Module ModuleList").split()},
    **{f"torch.optim.{n}": "network" for n in "Adagrad AdamW Adadelta LBFGS lr_scheduler".split()},
    "torch.utils.data": "network", "torch.save": "anatomy", "torch.load": "anatomy",
    "state_dict": "anatomy", "load_state_dict": "anatomy", "DataLoader": "network",
}


def warm(modules: bool) -> None:
    """What torch imports on first use, done before a program's clock starts (once per
    process): the size guards' shape and `meta` machinery (~1 s), and for programs with
    modules or optimizers torch's compiler stack (~2 s)."""
    _warm_guards()
    if modules:
        _warm_modules()


@cache
def _warm_guards() -> None:
    torch.broadcast_shapes((1,), (1,))
    m = torch.empty(1, 1, device="meta")
    _ = m @ m


@cache
def _warm_modules() -> None:
    import torch._dynamo  # noqa: F401


def is_module(v: object) -> bool:
    return type(v) in MODULE_CLASSES


def is_optimizer(v: object) -> bool:
    return type(v) in OPTIMIZER_CLASSES


def _count(n: Any, err: Err, what: str, limits: Limits) -> int:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise err("module_arg", what=what)
    if n > limits.tensor_elements:
        raise err("tensor_size", n=n, limit=limits.tensor_elements)
    return n


def construct(path: str, args: list, kwargs: dict, limits: Limits,
              generator: torch.Generator, err: Err) -> Any:
    """Build an allow-listed module, loss or optimizer (refusing bad or huge ones)."""
    if path in OPTIMIZERS:
        return _optimizer(path, args, kwargs, err)
    cls = LAYERS[path]
    if cls is nn.Linear:
        return _linear(args, kwargs, limits, generator, err)
    if cls is nn.Sequential:
        if kwargs or not all(is_module(a) for a in args):
            raise err("sequential_args")
        total = sum(p.numel() for a in args for p in a.parameters())
        if total > limits.tensor_elements * 10:
            raise err("tensor_size", n=total, limit=limits.tensor_elements * 10)
        return nn.Sequential(*args)
    if args or set(kwargs) - {"reduction"}:
        raise err("module_arg", what=path.rsplit(".", 1)[-1])
    return cls(**kwargs)


def _linear(args: list, kwargs: dict, limits: Limits, generator: torch.Generator,
            err: Err) -> nn.Linear:
    names = ["in_features", "out_features", "bias"]
    given = dict(zip(names, args, strict=False))
    if len(args) > 3 or set(kwargs) & set(given) or set(kwargs) - set(names):
        raise err("module_arg", what="nn.Linear")
    given.update(kwargs)
    fan_in = _count(given.get("in_features"), err, "in_features", limits)
    fan_out = _count(given.get("out_features"), err, "out_features", limits)
    bias = given.get("bias", True)
    if not isinstance(bias, bool):
        raise err("module_arg", what="bias")
    # the weight's size from the arguments, before any memory is taken for it
    if fan_in * fan_out > limits.tensor_elements:
        raise err("tensor_size", n=fan_in * fan_out, limit=limits.tensor_elements)
    layer = nn.Linear(fan_in, fan_out, bias=bias, device="meta").to_empty(device="cpu")
    # nn.Linear.reset_parameters, drawing from the run's generator (not the global one):
    # a program seeded with torch.manual_seed(s) gets the numbers plain PyTorch gives.
    with torch.no_grad():
        nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
        if layer.bias is not None:
            bound = 1 / math.sqrt(fan_in)
            nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
    return layer


def _optimizer(path: str, args: list, kwargs: dict, err: Err) -> torch.optim.Optimizer:
    if len(args) != 1 or not isinstance(args[0], (list, tuple)) or not args[0]:
        raise err("optimizer_params")
    params = list(args[0])
    if not all(isinstance(p, torch.Tensor) and p.is_leaf and p.requires_grad
               and p.is_floating_point() for p in params):
        raise err("optimizer_params")
    if "betas" in kwargs:
        kwargs = {**kwargs, "betas": tuple(kwargs["betas"])}
    # foreach=False: the plain per-parameter loop (the same numbers, fewer fused kernels)
    return OPTIMIZERS[path](params, **kwargs, foreach=False)


def module_method(obj: Any, name: str, args: list, kwargs: dict, err: Err) -> Any:
    """`model.parameters()`, `optimizer.step()` and the like (lists, not generators)."""
    allowed = MODULE_METHODS if is_module(obj) else OPTIMIZER_METHODS
    if name not in allowed:
        raise err("module_method", name=name, kind=type(obj).__name__)
    if name == "parameters":
        return list(obj.parameters())
    if name == "named_parameters":
        return [(n, p) for n, p in obj.named_parameters()]
    if name in ("train", "eval"):
        getattr(obj, name)()
        return None
    if name == "step" and (args or kwargs):
        raise err("module_arg", what="step")
    return getattr(obj, name)(*args, **kwargs)


def module_attribute(obj: Any, name: str, err: Err) -> Any:
    if name not in MODULE_ATTRS or not hasattr(obj, name):
        raise err("module_attr", name=name, kind=type(obj).__name__)
    return getattr(obj, name)


def named_tensors(env: dict[str, Any]) -> list[tuple[str, torch.Tensor]]:
    """Every module parameter (`model.0.weight`) and every name bound to a tensor, in
    binding order; a tensor appears once, under its first name (modules first)."""
    out: list[tuple[str, torch.Tensor]] = []
    seen: set[int] = set()
    for var, v in env.items():
        if is_module(v):
            for n, p in v.named_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append((f"{var}.{n}", p))
    for var, v in env.items():
        if isinstance(v, torch.Tensor) and id(v) not in seen:
            seen.add(id(v))
            out.append((var, v))
    return out


def trained(env: dict[str, Any]) -> list[tuple[str, torch.Tensor]]:
    """The tensors a training loop updates: leaves that require grad, by name."""
    return [(n, t) for n, t in named_tensors(env) if t.is_leaf and t.requires_grad]


def optimizer_state(env: dict[str, Any], params: list[tuple[str, torch.Tensor]]
                    ) -> dict[str, dict[str, torch.Tensor]]:
    """The state each optimizer keeps per parameter (momentum buffer, Adam moments)."""
    out: dict[str, dict[str, torch.Tensor]] = {}
    opts = [v for v in env.values() if is_optimizer(v)]
    for name, p in params:
        for opt in opts:
            for k, v in opt.state.get(p, {}).items():
                if isinstance(v, torch.Tensor) and v.numel() == p.numel():
                    out.setdefault(name, {})[k] = v
    return out
