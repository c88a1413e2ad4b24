"""Short text for values: scalars as numbers, tensors compactly with their shape."""

from __future__ import annotations

import math
from typing import Any

import torch

from backprop.core.graph import Value
from backprop.i18n import DEFAULT_LANG, t

SIG = 4  # significant digits on the graph


def number(x: Any) -> str:
    if isinstance(x, str):  # "nan"/"inf" from JSON-safe values
        return x
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{SIG}g}"
    return "0" if text == "-0" else text


def shape(v: Value, lang: str = DEFAULT_LANG) -> str:
    return "×".join(str(d) for d in v.shape) if v.shape else t("fmt.scalar", lang)


def _flat(data: Any) -> list:
    out, stack = [], [data]
    while stack:
        x = stack.pop()
        if isinstance(x, list):
            stack.extend(reversed(x))
        else:
            out.append(x)
    return out


def _nested(data: Any) -> str:
    if isinstance(data, list):
        return "[" + ", ".join(_nested(x) for x in data) + "]"
    return number(data)


def compact(v: Value | None, max_items: int = 4, lang: str = DEFAULT_LANG) -> str:
    """`3`, `[4.5, 4.5]`, `2×2 [4.5, 4.5, 4.5, 4.5]`, `3×8 [0.1, 0.2, 0.3, …]`."""
    if v is None:
        return "—"
    if v.data is None:  # a meta-device tensor: a shape, no numbers
        return f"{shape(v, lang)} {t('fmt.meta', lang)}"
    if not v.shape:
        return number(v.data)
    if v.numel <= max_items and len(v.shape) == 1:
        return _nested(v.data)
    flat = _flat(v.data)
    items = ", ".join(number(x) for x in flat[:max_items])
    more = ", …" if len(flat) > max_items else ""
    return f"{shape(v)} [{items}{more}]"


def full(v: Value | None, lang: str = DEFAULT_LANG) -> str:
    """Every element, nested like PyTorch prints it (for "full values on demand")."""
    if v is None:
        return "—"
    return _nested(v.data) if v.data is not None else f"{shape(v, lang)} {t('fmt.meta', lang)}"


def first_line(e: BaseException) -> str:
    """The first line of an exception's message (PyTorch's can be long)."""
    text = str(e).strip().splitlines()
    return text[0][:300] if text else type(e).__name__


def show(v: Any) -> str:
    """What Python's print would show, but with no memory addresses (deterministic)."""
    if isinstance(v, torch.Tensor):
        return str(v)
    if type(v).__module__ == "torch.autograd.graph" or "Backward" in type(v).__name__ \
            or type(v).__name__ == "AccumulateGrad":
        return f"<{type(v).__name__} object>"
    if isinstance(v, (list, tuple)):
        inner = ", ".join(show(x) for x in v)
        return f"[{inner}]" if isinstance(v, list) else f"({inner}{',' if len(v) == 1 else ''})"
    return str(v)
