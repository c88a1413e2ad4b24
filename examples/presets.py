"""Expression Lab presets: the seed's autograd examples first, then a few more.

Each preset is data: code that pastes unchanged into the lab and values for its
free names. Titles and explanations live in the i18n catalogs under
`preset.<key>.title` / `preset.<key>.about`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from backprop.i18n import LANGUAGES, t
from examples import preset_programs as programs


@dataclass(frozen=True)
class Preset:
    key: str
    code: str  # the English page's code; comments are translated per language
    inputs: dict[str, float] = field(default_factory=dict)
    from_seed: bool = False  # taken unchanged from ../shared/seeds/001 (the book)

    def code_in(self, lang: str) -> str:
        """The code with its comments in `lang` (the book's own Bengali comments on the
        Bengali page); comments without a catalog entry stay as written."""
        return localize_comments(self.code, lang)

    def variants(self) -> set[str]:
        """The code as every language shows it (an unchanged preset, in any language)."""
        return {self.code_in(lang) for lang in LANGUAGES}


# comment text -> catalog key (code.*); the code itself never changes between languages
COMMENTS: dict[str, str] = {
    "computes the gradients": "code.computes_grads",
    "prints the gradient of x": "code.prints_x_grad",
    "input tensors": "code.input_tensors",
    "mathematical operation": "code.math_op",
    "compute the gradients": "code.compute_grads",
    "get the gradients of x and y": "code.get_xy_grads",
    "requires_grad=True: gradients will be tracked": "code.rg_tracked",
    "the gradient of x": "code.x_grad",
    "the gradient of y": "code.y_grad",
    "make the tensors": "code.make_tensors",
    "the operation": "code.op",
    "backward pass from the output": "code.backward_from_output",
    "show the gradients": "code.show_grads",
    "4: dy/dx = 2x": "code.zg_first",
    "8: the new gradient was ADDED to the old one": "code.zg_added",
    "clear it, as the book says": "code.zg_clear",
    "4 again": "code.zg_again",
    "tensor([10., 10.]): norm 14.14": "code.clip_before",
    "the norm before clipping": "code.clip_norm",
    "rescaled so that its norm is 1.0": "code.clip_after",
    "input": "code.input",
    "target": "code.target",
    "hidden layer: h = w1*x + b1, then the activation": "code.hidden",
    "output layer": "code.output_layer",
    "squared error": "code.sq_err",
    "a leaf: made by you": "code.leaf",
    "not a leaf: made by an operation": "code.non_leaf",
    "ask autograd to keep y.grad too": "code.retain",
    "True False": "code.true_false",
    "12 = dz/dx: leaves get .grad": "code.leaf_grad",
    "3 = dz/dy: only because of retain_grad()": "code.retained",
    "x and y are never assigned, so they are inputs: set them on the right.": "code.reuse_inputs",
    "x is used twice: its gradient is the SUM of both paths": "code.reuse_twice",
    "One neuron, as in micrograd: two inputs, two weights, a bias, tanh.": "code.tanh",
    "the true class is 0: cross-entropy by hand": "code.ce_by_hand",
    "= probs - [1, 0, 0]": "code.ce_grad",
    "the same loss": "code.ce_same",
}
_COMMENT = re.compile(r"#\s(.*?)\s*$")


def localize_comments(code: str, lang: str) -> str:
    out = []
    for line in code.splitlines(keepends=True):
        m = _COMMENT.search(line)
        key = COMMENTS.get(m.group(1)) if m else None
        if key:
            end = line[len(line.rstrip("\n")):]
            line = line[:m.start()] + "# " + t(key, lang) + end
        out.append(line)
    return "".join(out)


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("seed-mean", programs.SEED_MEAN, from_seed=True),
        Preset("seed-diff-squares", programs.SEED_DIFF_SQUARES, from_seed=True),
        Preset("seed-sum", programs.SEED_SUM, from_seed=True),
        Preset("seed-ab", programs.SEED_AB, from_seed=True),
        Preset("seed-zero-grad", programs.ZERO_GRAD),
        Preset("seed-clip", programs.CLIP),
        Preset("seed-2layer", programs.TWO_LAYER),
        Preset("leaf-grad", programs.LEAF_GRAD),
        Preset("reuse", programs.REUSE, {"x": 2.0, "y": 3.0}),
        Preset("tanh-neuron", programs.TANH,
               {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}),
        Preset("softmax-ce", programs.SOFTMAX_CE),
        Preset("book-2layer-manual", programs.BOOK_MANUAL),
        Preset("book-2layer-sgd", programs.BOOK_SGD),
        Preset("seq-regression", programs.SEQ_REGRESSION),
    )
}
DEFAULT_PRESET = "seed-mean"
