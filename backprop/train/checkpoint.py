"""state_dict round trip: save to bytes, load an upload safely, explain mismatches.

An upload is opened in an envelope worker (read_state); what the worker sends back is
plain data (`Plain`: names, dtype names, shapes and raw bytes, builtins only), not
pickled tensors: unpickling a tensor calls torch.load(weights_only=False) on the
receiving side. The server rebuilds the tensors (from_plain) and copies what fits into
its model (load_state).
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass

import torch
from torch import nn

from backprop.core.errors import ProgramError

MAX_BYTES = 20_000_000  # 20 MB: every small model here fits many times over
# what a state_dict of these models holds (BatchNorm's counter is int64)
_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int64)
_BY_NAME = {str(d).removeprefix("torch."): d for d in _DTYPES}
Plain = tuple[tuple[str, str, tuple[int, ...], bytes], ...]  # name, dtype, shape, data


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
    except Exception:  # noqa: BLE001 - any malformed file is one clear message
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
    return load_state(model, read_sandboxed(raw) if sandboxed else read_state(raw))


def read_sandboxed(raw: bytes) -> dict[str, torch.Tensor]:
    """read_state in an envelope worker; its plain reply rebuilt into the server's tensors."""
    from backprop.sandbox.envelope import run

    return from_plain(run("checkpoint", raw))


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


def to_plain(state: dict[str, torch.Tensor]) -> Plain:
    """A checked state as builtins (the worker's reply). Tensors of a file may share one
    storage: counted one by one, past MAX_BYTES in all is the size message."""
    if sum(v.numel() * v.element_size() for v in state.values()) > MAX_BYTES:
        raise ProgramError("ckpt_size", limit=MAX_BYTES // 1_000_000)
    return tuple((k, str(v.dtype).removeprefix("torch."), tuple(v.shape),
                  v.detach().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
                 for k, v in state.items())


def from_plain(plain: object) -> dict[str, torch.Tensor]:
    """The worker's reply as tensors (the server's own copies), checked again: any
    other shape of data is the upload message."""
    state: dict[str, torch.Tensor] = {}
    try:
        for name, dtype_name, shape, data in plain:  # type: ignore[attr-defined]
            dtype = _BY_NAME[dtype_name]
            if not (isinstance(name, str) and isinstance(data, bytes) and isinstance(shape, tuple)
                    and all(type(n) is int and n >= 0 for n in shape)
                    and math.prod(shape) * dtype.itemsize == len(data)):
                raise ValueError(name)
            flat = torch.frombuffer(bytearray(data), dtype=dtype) if data \
                else torch.empty(0, dtype=dtype)
            state[name] = flat.reshape(shape)
    except (TypeError, ValueError, KeyError):
        raise ProgramError("ckpt_format") from None
    return state


def load_state(model: nn.Module, state: dict[str, torch.Tensor]) -> LoadReport:
    """Copy the tensors that fit (name and shape) into `model`: tensors already read,
    never the file (in the app, an envelope worker read it)."""
    own = model.state_dict()
    wrong = tuple((k, tuple(own[k].shape), tuple(v.shape)) for k, v in state.items()
                  if k in own and own[k].shape != v.shape)
    bad = {k for k, _, _ in wrong}
    good = {k: v for k, v in state.items() if k in own and k not in bad}
    model.load_state_dict(good, strict=False)
    return LoadReport(tuple(sorted(good)), tuple(sorted(set(own) - set(state))),
                      tuple(sorted(set(state) - set(own))), wrong)
