"""2-D toy datasets, generated with numpy from a seed (no downloads), and CSV uploads."""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from backprop.core.errors import ProgramError

DATASETS = ("moons", "circles", "spiral", "xor", "blobs")
MAX_UPLOAD_BYTES = 200_000
MAX_UPLOAD_ROWS = 2_000
F32_MAX = float(np.finfo(np.float32).max)  # an upload's largest coordinate
Data = tuple[np.ndarray, np.ndarray]  # X (n, 2) float32, labels (n,) int64


def generate(name: str, n: int = 200, noise: float = 0.1, seed: int = 0) -> Data:
    """`n` points of a named 2-class dataset; same (name, n, noise, seed) -> same points."""
    rng = np.random.default_rng(seed)
    half = n // 2
    labels = np.r_[np.zeros(half), np.ones(n - half)].astype(np.int64)
    if name == "moons":
        t = rng.uniform(0, math.pi, n)
        x = np.where(labels == 0, np.cos(t), 1 - np.cos(t))
        y = np.where(labels == 0, np.sin(t), 0.5 - np.sin(t))
        pts = np.c_[x - 0.5, y - 0.25]
    elif name == "circles":
        t = rng.uniform(0, 2 * math.pi, n)
        r = np.where(labels == 0, 1.0, 0.45)
        pts = np.c_[r * np.cos(t), r * np.sin(t)]
    elif name == "spiral":
        t = rng.uniform(0.25, 1, n) * 3 * math.pi
        sign = np.where(labels == 0, 1.0, -1.0)
        pts = np.c_[sign * t * np.cos(t), sign * t * np.sin(t)] / (3 * math.pi)
    elif name == "xor":
        pts = rng.uniform(-1, 1, (n, 2))
        labels = ((pts[:, 0] > 0) ^ (pts[:, 1] > 0)).astype(np.int64)
    elif name == "blobs":
        centers = np.where(labels[:, None] == 0, [-0.5, -0.4], [0.5, 0.4])
        pts = centers + rng.normal(0, 0.3, (n, 2))
    else:
        raise ProgramError("dataset", name=name)
    pts = pts + rng.normal(0, noise, pts.shape)
    order = rng.permutation(n)
    return pts[order].astype(np.float32), labels[order]


def parse_csv(raw: bytes) -> Data:
    """Rows of `x1,x2,label` (a header row is allowed); labels 0/1. Clear errors."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ProgramError("csv_size", limit=MAX_UPLOAD_BYTES // 1000)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProgramError("csv_text") from None
    try:  # newline="" is what the csv module expects; a stray \r is still a clear error
        rows = [r for r in csv.reader(io.StringIO(text, newline=""))
                if r and any(c.strip() for c in r)]
    except csv.Error:
        raise ProgramError("csv_text") from None
    if rows and not _is_number(rows[0][0]):
        rows = rows[1:]  # header
    if len(rows) < 4:
        raise ProgramError("csv_rows", n=len(rows))
    if len(rows) > MAX_UPLOAD_ROWS:
        raise ProgramError("csv_too_many", limit=MAX_UPLOAD_ROWS)
    pts, labels = [], []
    for i, row in enumerate(rows, start=1):
        if len(row) != 3 or not all(_is_number(c) for c in row):
            raise ProgramError("csv_row", row=i)
        x1, x2, lab = (float(c) for c in row)
        # checked as float32, the dtype the network trains in: 1e300 is inf there
        if lab not in (0.0, 1.0) or not (abs(x1) <= F32_MAX and abs(x2) <= F32_MAX):
            raise ProgramError("csv_row", row=i)
        pts.append((x1, x2))
        labels.append(int(lab))
    if len(set(labels)) < 2:
        raise ProgramError("csv_classes")
    return np.asarray(pts, dtype=np.float32), np.asarray(labels, dtype=np.int64)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True
