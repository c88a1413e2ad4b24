"""state_dict round trip: save to bytes, load an upload safely, explain mismatches."""

from __future__ import annotations

import io
from dataclasses import dataclass

import torch
from torch import nn

from .errors import ProgramError

MAX_BYTES = 20_000_000  # 20 MB: every small model here fits many times over


def save_bytes(model: nn.Module) -> bytes:
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.getvalue()


@dataclass(frozen=True)
class LoadReport:
    loaded: tuple[str, ...]
    missing: tuple[str, ...]  # in the model, not in the file
    unexpected: tuple[str, ...]  # in the file, not in the model
    wrong_shape: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]  # name, model, file


def load_bytes(model: nn.Module, raw: bytes) -> LoadReport:
    """Load what matches (names and shapes) with `weights_only=True`; report the rest.

    Never unpickles arbitrary objects: only tensors and plain containers are accepted.
    """
    if len(raw) > MAX_BYTES:
        raise ProgramError("ckpt_size", limit=MAX_BYTES // 1_000_000)
    try:
        state = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - any malformed or unsafe file is one clear message
        raise ProgramError("ckpt_format") from None
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise ProgramError("ckpt_format")
    own = model.state_dict()
    wrong = tuple((k, tuple(own[k].shape), tuple(v.shape)) for k, v in state.items()
                  if k in own and own[k].shape != v.shape)
    bad = {k for k, _, _ in wrong}
    good = {k: v for k, v in state.items() if k in own and k not in bad}
    model.load_state_dict(good, strict=False)
    return LoadReport(tuple(sorted(good)), tuple(sorted(set(own) - set(state))),
                      tuple(sorted(set(state) - set(own))), wrong)
