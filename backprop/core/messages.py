"""Python's and PyTorch's own error texts, explained in the UI language.

Their messages are English. The common ones are matched here to a catalog key (with
the numbers and characters they name), so a Bengali page explains them in Bengali;
the original text is still shown, in a detail, for searching the web.
"""

from __future__ import annotations

import re

from backprop.i18n import t

# (pattern on the original message, catalog key); the groups become {a}, {b}, {c}
SYNTAX: tuple[tuple[str, str], ...] = (
    (r"^'(.)' was never closed", "syn.never_closed"),
    (r"^unmatched '(.)'", "syn.unmatched"),
    (r"^closing parenthesis '(.)' does not match opening parenthesis '(.)'", "syn.mismatch"),
    (r"^unexpected indent", "syn.indent"),
    (r"^expected an indented block", "syn.expected_indent"),
    (r"^unindent does not match", "syn.unindent"),
    (r"^unterminated (?:triple-quoted )?string literal", "syn.string"),
    (r"^cannot assign to", "syn.assign"),
    (r"^expected ':'", "syn.colon"),
    (r"^invalid decimal literal", "syn.decimal"),
    (r"^leading zeros in decimal integer", "syn.zeros"),
    (r"^invalid character '(.)'", "syn.char"),
    (r"^invalid non-printable character", "syn.nonprintable"),
    (r"^unexpected character after line continuation", "syn.continuation"),
    (r"^unexpected EOF|^incomplete input", "syn.eof"),
    (r"^invalid syntax\. Perhaps you forgot a comma\?", "syn.comma"),
    (r"^invalid syntax", "syn.invalid"),
)
TORCH: tuple[tuple[str, str], ...] = (
    (r"The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) "
     r"at non-singleton dimension (\d+)", "torch.broadcast"),
    (r"broadcast a dimension of length (\d+)", "torch.broadcast_to"),
    (r"mat1 and mat2 shapes cannot be multiplied \((\w+) and (\w+)\)", "torch.matmul"),
    (r"index (-?\d+) is out of bounds for dimension (\d+) with size (\d+)", "torch.index"),
    (r"Dimension out of range", "torch.dim"),
    (r"Only Tensors of floating point", "torch.float_grad"),
    (r"shape '\[([\d, -]*)\]' is invalid for input of size (\d+)", "torch.reshape"),
    (r"expected .*same dtype|expected scalar type|dtype", "torch.dtype"),
    (r"Sizes of tensors must match", "torch.cat"),
    (r"leaf Variable that requires grad is being used in an in-place", "torch.inplace_leaf"),
)


def explain(kind: str, original: str, lang: str) -> str | None:
    """The catalog's explanation of `original` ("syntax" or "torch" message), or None."""
    for pattern, key in SYNTAX if kind == "syntax" else TORCH:
        m = re.search(pattern, original)
        if m:
            return t(key, lang, **dict(zip("abc", m.groups(), strict=False)))
    return None
