"""Download buttons: the graph (SVG, PNG, DOT), the animation, tables as CSV.

Files are made when clicked (callables), so a rerun never pays for them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import streamlit as st

from backprop.draw.layout import render
from backprop.i18n import t


def graph_downloads(dot: str, name: str, lang: str, key: str) -> None:
    """SVG and PNG rendered server-side by `dot` (Bengali font installed), and the DOT."""
    cols = st.columns(3)
    for col, fmt, mime in zip(cols, ("svg", "png", "dot"),
                              ("image/svg+xml", "image/png", "text/vnd.graphviz"), strict=True):
        col.download_button(t(f"export.{fmt}", lang), _lazy(dot, fmt),
                            file_name=f"{name}.{fmt}", mime=mime, key=f"{key}.{fmt}",
                            icon=":material/download:")


def _lazy(dot: str, fmt: str) -> Callable[[], bytes]:
    return lambda: render(dot, fmt)


def csv_bytes(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")  # BOM: spreadsheet apps then read Bengali
