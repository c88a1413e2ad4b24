"""An uploaded checkpoint: read once per distinct file, in an envelope worker.

The user's bytes are unzipped and unpickled (torch.load, weights_only) only in a
worker (backprop/actions.py: checkpoint), under its budget; never in the server. What
comes back is plain data the worker made of the tensors it read (names, dtypes, shapes,
bytes), rebuilt into tensors and checked here (backprop/train/checkpoint.py: from_plain)
and kept as (name, tensor) pairs; the page copies what fits into its model with
load_state_dict (checkpoint.py: load_state). One worker call per distinct file (by
SHA-256), shared by every rerun and session (ui/shared.py); a refusal is kept too, so
a bad file is one message, not one worker per rerun.

The report's lists are capped: a file with thousands of long names is a short warning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import streamlit as st
import torch

from backprop.i18n import t
from backprop.train.checkpoint import MAX_BYTES, read_sandboxed
from ui.safe_text import safe_t
from ui.shared import SharedCache

State = tuple[tuple[str, torch.Tensor], ...]  # read-only: every session gets the same

SHOWN, WIDTH = 20, 80  # names listed in a warning, characters of each
# an accepted file's tensors take about its size; a few kept, the largest fit
FILES = SharedCache("anat.ckpt", max_entries=8, max_bytes=3 * MAX_BYTES)
_MEMO = "anat.ckpt_digest"  # (file_id, digest): a rerun does not hash the file again


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def read(raw: bytes) -> State:
    """The file's tensors, read in a worker; ProgramError for a file it refused."""
    return tuple(read_sandboxed(raw).items())


def restore(upload: Any) -> tuple[str, State]:
    """(content digest, tensors) of an st.file_uploader value: one worker per content."""
    file_id = getattr(upload, "file_id", None)
    memo = st.session_state.get(_MEMO)
    if file_id is None or not memo or memo[0] != file_id:
        memo = (file_id, digest(upload.getvalue()))
        st.session_state[_MEMO] = memo
    return memo[1], FILES.get(memo[1], lambda: read(upload.getvalue()))


def names_warning(key: str, names: Sequence[str], lang: str) -> str:
    """The catalog's `key` with {names}: the first SHOWN, each cut to WIDTH characters,
    escaped (user text), then "…and N more" (the catalog's own words) for the rest."""
    shown = ", ".join(n if len(n) <= WIDTH else n[:WIDTH - 1] + "…" for n in names[:SHOWN])
    text = safe_t(key, lang, names=shown)
    more = len(names) - SHOWN
    return f"{text} {t('anat.and_more', lang, n=f'{more:,}')}" if more > 0 else text
