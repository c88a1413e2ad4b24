"""Programs pasted with their line breaks lost (copied from the book's web page):
`import torch x = torch.ones(2, 2, requires_grad=True) y = x + 2 ...`.

`repair_lines(text)` puts one statement per line again, comments kept, and returns
the result only when Python can parse it (the text given could not). It reads the
text as characters, never runs it.
"""

from __future__ import annotations

import ast
import re

# Where a new statement starts: `import`, `print(`, `name =`/`name -=`, `a.b.c(`.
_START = re.compile(
    r"(?:import\s|from\s+\w|print\(|(?:[A-Za-z_]\w*)(?:\.\w+)*\s*(?:[-+*/@]?=)(?!=)"
    r"|[A-Za-z_]\w*(?:\.\w+)+\()")
_END = re.compile(r"[\w)\]'\"]")  # what a statement can end with


HIDDEN = 3  # statements a comment must swallow before a text that parses is "flattened"


def _count(text: str) -> int | None:
    """Top-level statements, or None if Python cannot parse the text."""
    try:
        return len(ast.parse(text).body)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _split_line(line: str) -> list[tuple[str, str]] | None:
    """(code, comment) pairs found in one physical line; None if brackets or strings
    do not close on it."""
    out: list[tuple[str, str]] = []
    depth, quote, start, comment_at = 0, "", 0, -1
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = ""
        elif comment_at >= 0:
            if c == " " and _START.match(line, i + 1) and line[i + 1:i + 2] != "#":
                out.append((line[start:comment_at].strip(), line[comment_at:i].strip()))
                start, comment_at = i + 1, -1
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "#" and depth == 0:
            comment_at = i
        elif (c == " " and depth == 0 and i > start and _END.match(line[i - 1])
              and _START.match(line, i + 1)):
            out.append((line[start:i].strip(), ""))
            start = i + 1
        i += 1
    if depth != 0 or quote:
        return None
    if comment_at >= 0:
        out.append((line[start:comment_at].strip(), line[comment_at:].strip()))
    else:
        out.append((line[start:].strip(), ""))
    return out


def repair_lines(text: str) -> str | None:
    """The program with one statement per line, or None (nothing to repair, or the
    repair would not parse either). A text that parses is repaired only when a comment
    swallowed several statements (`import torch # comment x = ... y = ...`)."""
    if not isinstance(text, str) or len(text) > 20_000:
        return None
    before = _count(text)
    lines: list[str] = []
    for physical in text.splitlines():
        parts = _split_line(physical.strip())
        if parts is None:
            return None
        for k, (code, comment) in enumerate(parts):
            if code:
                lines.append(code)
            if comment and code and k == len(parts) - 1:  # the line's end: trailing
                lines[-1] += f"  {comment}"
            elif comment:  # code follows it: it spoke about that code (the book's way)
                lines.append(comment)
    repaired = "\n".join(lines) + "\n"
    after = _count(repaired)
    if after is None or len(lines) <= len(text.splitlines()):
        return None
    if before is not None and after < before + HIDDEN:
        return None
    return repaired
