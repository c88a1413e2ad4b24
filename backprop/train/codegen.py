"""The exact PyTorch training loop that reproduces what the Tiny Network page shows."""

from __future__ import annotations

from backprop.train.training import MOMENTUM, TrainConfig

_OPT = {
    "sgd": "torch.optim.SGD(model.parameters(), lr={lr})",
    "momentum": "torch.optim.SGD(model.parameters(), lr={lr}, momentum=" + str(MOMENTUM) + ")",
    "adam": "torch.optim.Adam(model.parameters(), lr={lr})",
    "rmsprop": "torch.optim.RMSprop(model.parameters(), lr={lr})",
}
_LOSS = {
    "mse": "F.mse_loss(pred, yb)",
    "bce": "F.binary_cross_entropy_with_logits(pred, yb.float())",
    "cross_entropy": "F.cross_entropy(pred, yb)",
}
_ACT = {"relu": "torch.relu", "tanh": "torch.tanh", "sigmoid": "torch.sigmoid", "none": ""}


def training_code(config: TrainConfig, steps: int) -> str:
    s = config.settings
    act = _ACT[s.activation]
    lines = ["import math", "import torch", "import torch.nn.functional as F",
             "from torch import nn", ""]
    if config.network == "seed-2layer":
        lines += ["# the book's network: h = act(w1*x + b1), y_pred = w2*h + b2",
                  "w1 = torch.tensor(0.5, requires_grad=True)",
                  "b1 = torch.tensor(0.1, requires_grad=True)",
                  "w2 = torch.tensor(-0.3, requires_grad=True)",
                  "b2 = torch.tensor(0.2, requires_grad=True)",
                  "params = [w1, b1, w2, b2]",
                  "x, y = torch.tensor([2.0]), torch.tensor([1.0])",
                  "def model(x):",
                  f"    h = {act}(w1 * x + b1)" if act else "    h = w1 * x + b1",
                  "    return w2 * h + b2", ""]
        opt = _OPT[config.optimizer].replace("model.parameters()", "params")
    elif config.network == "linear":
        lines += ["w = torch.tensor(-1.0, requires_grad=True)",
                  "b = torch.tensor(1.0, requires_grad=True)", "params = [w, b]",
                  "# x, y: the 40 training points shown on the page", "def model(x):",
                  "    return w * x + b", ""]
        opt = _OPT[config.optimizer].replace("model.parameters()", "params")
    else:
        out = 2 if s.loss == "cross_entropy" else 1
        sizes = [2] + [s.units] * s.hidden_layers + [out]
        lines += [f"g = torch.Generator().manual_seed({config.seed})  # same seed, same weights",
                  f"layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip({sizes}, {sizes[1:]}))",
                  "with torch.no_grad():",
                  "    for layer in layers:",
                  "        bound = 1 / math.sqrt(layer.in_features)",
                  "        layer.weight.uniform_(-bound, bound, generator=g)",
                  "        layer.bias.uniform_(-bound, bound, generator=g)",
                  "def model(x):",
                  "    for i, layer in enumerate(layers):",
                  "        x = layer(x)",
                  f"        if i < len(layers) - 1:\n            x = {act}(x)" if act else "",
                  "    return x.squeeze(-1) if x.shape[-1] == 1 else x",
                  "# x, y: the training points shown on the page"]
        lines = [ln for ln in lines if ln != ""] + [""]
        opt = _OPT[config.optimizer].replace("model.parameters()", "layers.parameters()")
    params = "params" if config.network in ("seed-2layer", "linear") else "layers.parameters()"
    lines += [f"optimizer = {opt.format(lr=config.lr)}",
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
    lines += ["    pred = model(xb)", "    loss = " + _LOSS[s.loss], "    loss.backward()"]
    if config.clip is not None:
        lines += [f"    torch.nn.utils.clip_grad_norm_({params}, max_norm={config.clip})"]
    lines += ["    optimizer.step()  # w <- w - lr * grad (for plain SGD)"]
    return "\n".join(lines) + "\n"
