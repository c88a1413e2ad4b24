"""What each autograd node is, in words: autograd class name -> friendly op key.

The key is looked up in the i18n catalogs as `op.<key>` ("multiply", "গুণ").
Names not listed fall back to the class name without `Backward0`.
"""

from __future__ import annotations

import re

from backprop.i18n import catalog, t

OPS: dict[str, str] = {
    "AddBackward0": "add", "AddBackward1": "add", "SubBackward0": "sub",
    "SubBackward1": "sub", "RsubBackward1": "sub", "MulBackward0": "mul",
    "MulBackward1": "mul", "DivBackward0": "div", "DivBackward1": "div",
    "PowBackward0": "pow", "PowBackward1": "pow", "PowBackward2": "pow",
    "NegBackward0": "neg", "ExpBackward0": "exp", "LogBackward0": "log",
    "SqrtBackward0": "sqrt", "AbsBackward0": "abs", "SinBackward0": "sin",
    "CosBackward0": "cos", "TanhBackward0": "tanh", "SigmoidBackward0": "sigmoid",
    "ReluBackward0": "relu", "LeakyReluBackward0": "relu", "GeluBackward0": "gelu",
    "SoftmaxBackward0": "softmax", "LogSoftmaxBackward0": "log_softmax",
    "SumBackward0": "sum", "SumBackward1": "sum", "MeanBackward0": "mean",
    "MeanBackward1": "mean", "MaxBackward1": "max", "MinBackward1": "min",
    "MaxBackward0": "max", "MinBackward0": "min", "ClampBackward1": "clamp",
    "MmBackward0": "matmul", "MvBackward0": "matmul", "DotBackward0": "matmul",
    "BmmBackward0": "matmul", "AddmmBackward0": "linear", "TBackward0": "transpose",
    "TransposeBackward0": "transpose", "PermuteBackward0": "transpose",
    "ViewBackward0": "reshape", "UnsafeViewBackward0": "reshape",
    "ReshapeAliasBackward0": "reshape", "UnsqueezeBackward0": "reshape",
    "SqueezeBackward0": "reshape", "SqueezeBackward1": "reshape",
    "ExpandBackward0": "expand", "CloneBackward0": "copy", "SelectBackward0": "index",
    "SliceBackward0": "index", "IndexBackward0": "index", "StackBackward0": "stack",
    "CatBackward0": "cat", "MseLossBackward0": "mse_loss", "NllLossBackward0": "nll_loss",
    "L1LossBackward0": "l1_loss", "BinaryCrossEntropyBackward0": "bce",
    "ProdBackward0": "prod", "StdBackward0": "std", "VarBackward0": "var",
    "NormBackward1": "norm", "LinalgVectorNormBackward0": "norm",
    "ConvolutionBackward0": "conv", "MaxPool2DWithIndicesBackward0": "max_pool",
    "AvgPool2DBackward0": "avg_pool", "AdaptiveAvgPool2DBackward0": "avg_pool",
    "NativeBatchNormBackward0": "batch_norm", "NativeLayerNormBackward0": "layer_norm",
    "ToCopyBackward0": "copy",
}


def friendly(op: str | None, lang: str) -> str:
    """`MulBackward0` -> "multiply" (or "গুণ")."""
    if op is None:
        return ""
    key = OPS.get(op)
    if key and f"op.{key}" in catalog("en"):
        return t(f"op.{key}", lang)
    return re.sub(r"Backward\d*$", "", op)
