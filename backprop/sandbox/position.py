"""Where an error points: a node's column in characters, for the caret under the line."""

from __future__ import annotations

import ast
import re


def column(node: ast.AST | None) -> int | None:
    """`node`'s 1-based column in characters, where the caret goes (ast counts UTF-8
    bytes: a Bengali letter is three; parse() noted the characters, see char_columns)."""
    col = getattr(node, "char_col", None)
    if col is None:
        col = getattr(node, "col_offset", None)
    return None if col is None else col + 1


def char_columns(tree: ast.AST, text: str) -> None:
    """Note each node's column in characters (`char_col`) next to ast's byte offset,
    which ast.get_source_segment still needs. Only for text that is not ASCII."""
    # lines as Python's tokenizer counts them (str.splitlines also splits at \f, U+2028, ...)
    lines = [ln.encode() for ln in re.split(r"\r\n|\r|\n", text)]
    for node in ast.walk(tree):
        line, col = getattr(node, "lineno", None), getattr(node, "col_offset", None)
        if line is not None and col is not None and 0 < line <= len(lines):
            chars = len(lines[line - 1][:col].decode("utf-8", "ignore"))
            node.char_col = chars  # type: ignore[attr-defined]
