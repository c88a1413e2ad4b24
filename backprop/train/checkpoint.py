"""state_dict round trip: save to bytes, load an upload safely, explain mismatches."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import torch
from torch import nn

from backprop.core.errors import ProgramError

MAX_BYTES = 20_000_000  # 20 MB: every small model here fits many times over
# what a state_dict of these models holds (BatchNorm's counter is int64)
_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int64)


def check_zip(raw: bytes, limit: int) -> None:
    """torch.save files are zip archives: refuse bombs from the directory alone
    (declared sizes and methods), before anything is decompressed."""
    # a crafted directory makes zipfile raise more than BadZipFile (multi-disk archives,
    # zip versions it cannot read: NotImplementedError): every one is a malformed file
    try:
        if not zipfile.is_zipfile(io.BytesIO(raw)):
            return  # the legacy format: torch.load refuses or reads it, bounded by MAX_BYTES
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError):
        raise ProgramError("ckpt_format") from None
    total = sum(i.file_size for i in infos)
    if len(infos) > 10_000 or total > limit:
        raise ProgramError("ckpt_size", limit=limit // 1_000_000)
    if any(i.compress_type != zipfile.ZIP_STORED for i in infos):
        raise ProgramError("ckpt_format")  # torch.save never compresses


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


def load_bytes(model: nn.Module, raw: bytes, sandboxed: bool = False) -> LoadReport:
    """Load what matches (names and shapes) with `weights_only=True`; report the rest.

    Never unpickles arbitrary objects: only tensors and plain containers are accepted.
    With `sandboxed`, the file is opened in an envelope worker (see sandbox/envelope.py).
    """
    if sandboxed:
        from backprop.sandbox.envelope import run
        return load_state(model, run("checkpoint", raw))
    return load_state(model, read_state(raw))


def read_state(raw: bytes) -> dict[str, torch.Tensor]:
    """The upload's tensors, checked: zip directory first, then dense float tensors."""
    if len(raw) > MAX_BYTES:
        raise ProgramError("ckpt_size", limit=MAX_BYTES // 1_000_000)
    check_zip(raw, MAX_BYTES)
    try:
        state = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - any malformed or unsafe file is one clear message
        raise ProgramError("ckpt_format") from None
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise ProgramError("ckpt_format")
    for v in state.values():
        # meta (no data), sparse, quantized, or ints where weights are floats: refused
        if v.is_meta or v.layout != torch.strided or v.is_quantized \
                or v.dtype not in _DTYPES:
            raise ProgramError("ckpt_format")
    return state


def load_state(model: nn.Module, state: dict[str, torch.Tensor]) -> LoadReport:
    own = model.state_dict()
    wrong = tuple((k, tuple(own[k].shape), tuple(v.shape)) for k, v in state.items()
                  if k in own and own[k].shape != v.shape)
    bad = {k for k, _, _ in wrong}
    good = {k: v for k, v in state.items() if k in own and k not in bad}
    model.load_state_dict(good, strict=False)
    return LoadReport(tuple(sorted(good)), tuple(sorted(set(own) - set(state))),
                      tuple(sorted(set(state) - set(own))), wrong)
