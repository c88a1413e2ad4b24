"""Plain-text math for the stage: the chain-rule table's LaTeX as Unicode, and a
readable name for nodes the program never named (so an id never shows alone).

The stage draws text with Plotly and HTML `textContent`, not a TeX engine; the
LaTeX itself stays in the detail view. Only the table's own formulas (trusted,
short) are converted; user names are plain identifiers and pass through.
"""

from __future__ import annotations

from backprop.core.graph import Graph, Node

_SUP = dict(zip("0123456789+-=()nijTᵀ", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱʲᵀᵀ", strict=True))
_SUB = dict(zip("0123456789+-=()aeijklmnoprstux", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤₓ",
                strict=True))
_WORDS = {r"\partial": "∂", r"\cdot": "·", r"\tanh": "tanh", r"\sigma": "σ",
          r"\alpha": "α", r"\delta": "δ", r"\top": "ᵀ", r"\log": "log", r"\,": " ",
          r"\_": "_", r"\\": "; ", "&": " "}


def _group(s: str, i: int) -> tuple[str, int]:
    """The `{...}` group (or single character) starting at s[i]; returns (inner, end)."""
    if i < len(s) and s[i] == "{":
        depth, j = 1, i + 1
        while j < len(s) and depth:
            depth += {"{": 1, "}": -1}.get(s[j], 0)
            j += 1
        return s[i + 1:j - 1], j
    return (s[i], i + 1) if i < len(s) else ("", i)


def _script(text: str, table: dict[str, str], mark: str) -> str:
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}({text})" if len(text) > 1 else f"{mark}{text}"


def _wrap(text: str) -> str:
    """Parentheses unless the text is one token (`y`, `∂z`, `w_1²`)."""
    core = text.lstrip("∂")
    if core.replace("_", "").isalnum() or (core[:1] == "(" and core.count("(") == 1
                                           and core.endswith(")")):
        return text
    return f"({text})"


def unicode_math(latex: str) -> str:
    """`\\frac{\\partial z}{\\partial y} = 1 - z^2` -> `∂z/∂y = 1 − z²`."""
    out, i = [], 0
    while i < len(latex):
        c = latex[i]
        if latex.startswith(r"\frac", i):
            num, i = _group(latex, i + 5)
            den, i = _group(latex, i)
            out.append(f"{_wrap(unicode_math(num))}/{_wrap(unicode_math(den))}")
        elif latex.startswith(r"\sqrt", i):
            arg, i = _group(latex, i + 5)
            out.append("√" + _wrap(unicode_math(arg)))
        elif latex.startswith(r"\begin{cases}", i):
            end = latex.find(r"\end{cases}", i)
            body = latex[i + 13:end if end >= 0 else len(latex)]
            cases = [unicode_math(x).strip() for x in body.split(r"\\")]
            out.append(", ".join(" if ".join(p.split(None, 1)) if " " in p else p
                                 for p in cases).replace(" if else", " else"))
            i = end + 11 if end >= 0 else len(latex)
        elif latex.startswith((r"\mathrm", r"\text", r"\operatorname"), i):
            i = latex.index("{", i)
            arg, i = _group(latex, i)
            out.append(arg.replace(r"\_", "_"))
        elif c in "^_":
            arg, i = _group(latex, i + 1)
            out.append(_script(unicode_math(arg), _SUP if c == "^" else _SUB, c))
        elif c == "\\":
            word = next((w for w in sorted(_WORDS, key=len, reverse=True)
                         if latex.startswith(w, i)), None)
            out.append(_WORDS[word] if word else "")
            i += len(word) if word else 1
            while word == r"\partial" and i < len(latex) and latex[i] == " ":
                i += 1  # ∂z, not ∂ z
        elif c in "{}":
            i += 1
        else:
            out.append("−" if c == "-" else _WORDS.get(c, c))
            i += 1
    return " ".join("".join(out).split())


_SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "matmul": "@", "pow": "^"}


def _constant(n: Node) -> str:
    """The constant operand as the program wrote it, else as PyTorch saved it (`other`,
    `exponent`), else `c`."""
    if n.constant:
        return n.constant
    for key in ("other", "exponent"):
        v = n.saved_values.get(key)
        if v is not None and v.numel == 1 and v.data is not None:
            x = v.tensor().reshape(()).item()
            return f"{x:g}" if isinstance(x, float) else str(x)
    return "c"


def node_label(g: Graph, node_id: str, max_chars: int = 18) -> str:
    """The program's name for a node, else a short expression of its inputs (`y × y`)."""
    from backprop.teach.ops import op_key

    n = g.node(node_id)
    if n.name:
        return n.name
    if n.op is None:
        return node_id
    edges = g.inputs.get(node_id, ())
    args = [g.node(e.src).name or "…" for e in edges]
    key = op_key(n.op)
    sym = _SYMBOLS.get(key)
    if sym and len(args) == 2:
        text = f"{args[0]} {sym} {args[1]}"
    elif sym and len(args) == 1:  # `y * 3`: the constant is no graph node
        c = _constant(n)  # first when the graph's input is the second operand (`1 - x`)
        first = n.op.startswith("Rsub") or edges[0].slot == 1
        text = f"{c} {sym} {args[0]}" if first else f"{args[0]} {sym} {c}"
    else:
        text = f"{key}({', '.join(args)})"
    return text if len(text) <= max_chars else text[:max_chars - 1] + "…"
