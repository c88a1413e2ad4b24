"""Expression Lab presets: the seed's autograd examples first, then a few more.

Each preset is data: code that pastes unchanged into the lab and values for its
free names. Titles and explanations live in the i18n catalogs under
`preset.<key>.title` / `preset.<key>.about`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from backprop.i18n import LANGUAGES, t


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


_SEED_MEAN = """\
import torch
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward()  # computes the gradients
print(x.grad)   # prints the gradient of x
"""

_SEED_DIFF_SQUARES = """\
import torch
# input tensors
x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(3.0, requires_grad=True)
# mathematical operation
z = (x + y) * (x - y)
# compute the gradients
z.backward()
# get the gradients of x and y
print(x.grad)
print(y.grad)
"""

_SEED_SUM = """\
import torch
# requires_grad=True: gradients will be tracked
x = torch.tensor([2.0, 3.0], requires_grad=True)
y = torch.tensor([5.0, 6.0], requires_grad=True)
z = x + y
z.sum().backward()
print(x.grad)  # the gradient of x
print(y.grad)  # the gradient of y
"""

_SEED_AB = """\
import torch
# make the tensors
a = torch.tensor([3.0, 4.0], requires_grad=True)
b = torch.tensor([5.0, 6.0], requires_grad=True)
# the operation
c = a * b + b
# backward pass from the output
c.sum().backward()
# show the gradients
print("a এর গ্র্যাডিয়েন্ট:", a.grad)
print("b এর গ্র্যাডিয়েন্ট:", b.grad)
"""

_ZERO_GRAD = """\
import torch
x = torch.tensor(2.0, requires_grad=True)
y = x * x
y.backward(retain_graph=True)
print(x.grad)   # 4: dy/dx = 2x
y.backward(retain_graph=True)
print(x.grad)   # 8: the new gradient was ADDED to the old one
x.grad.zero_()  # clear it, as the book says
y.backward()
print(x.grad)   # 4 again
"""

_CLIP = """\
import torch
w = torch.tensor([3.0, 4.0], requires_grad=True)
loss = (w * 10).sum()
loss.backward()
print(w.grad)   # tensor([10., 10.]): norm 14.14
norm = torch.nn.utils.clip_grad_norm_([w], max_norm=1.0)
print(norm)     # the norm before clipping
print(w.grad)   # rescaled so that its norm is 1.0
"""

_TWO_LAYER = """\
import torch
x = torch.tensor(2.0)        # input
y = torch.tensor(1.0)        # target
w1 = torch.tensor(0.5, requires_grad=True)
b1 = torch.tensor(0.1, requires_grad=True)
w2 = torch.tensor(-0.3, requires_grad=True)
b2 = torch.tensor(0.2, requires_grad=True)
h = torch.relu(w1 * x + b1)  # hidden layer: h = w1*x + b1, then the activation
y_pred = w2 * h + b2         # output layer
loss = (y_pred - y) ** 2     # squared error
loss.backward()
print(w1.grad, b1.grad, w2.grad, b2.grad)
"""

_LEAF_GRAD = """\
import torch
x = torch.tensor(2.0, requires_grad=True)  # a leaf: made by you
y = x * x                                  # not a leaf: made by an operation
y.retain_grad()                            # ask autograd to keep y.grad too
z = y * 3
z.backward()
print(x.is_leaf, y.is_leaf)  # True False
print(x.grad)                # 12 = dz/dx: leaves get .grad
print(y.grad)                # 3 = dz/dy: only because of retain_grad()
"""

_REUSE = """\
# x and y are never assigned, so they are inputs: set them on the right.
a = x * y
z = a + x      # x is used twice: its gradient is the SUM of both paths
"""

_TANH = """\
# One neuron, as in micrograd: two inputs, two weights, a bias, tanh.
n = x1 * w1 + x2 * w2 + b
o = torch.tanh(n)
"""

_SOFTMAX_CE = """\
import torch
import torch.nn.functional as F
logits = torch.tensor([2.0, 1.0, 0.1], requires_grad=True)
probs = torch.softmax(logits, dim=0)
loss = -torch.log(probs[0])   # the true class is 0: cross-entropy by hand
loss.backward()
print(probs)
print(logits.grad)            # = probs - [1, 0, 0]
print(F.cross_entropy(logits.unsqueeze(0), torch.tensor([0])))  # the same loss
"""

_BOOK_MANUAL = """\
import torch
x = torch.tensor(2.0)        # input
y = torch.tensor(1.0)        # target
w1 = torch.tensor(0.5, requires_grad=True)
b1 = torch.tensor(0.1, requires_grad=True)
w2 = torch.tensor(-0.3, requires_grad=True)
b2 = torch.tensor(0.2, requires_grad=True)
lr = 0.1                     # learning rate
for i in range(5):
    h = torch.relu(w1 * x + b1)      # feedforward: hidden layer
    y_pred = w2 * h + b2             # output layer
    loss = (y_pred - y) ** 2         # squared error
    loss.backward()                  # backpropagation
    with torch.no_grad():            # the update is not part of the graph
        w1 -= lr * w1.grad           # gradient descent: w <- w - lr * grad
        b1 -= lr * b1.grad
        w2 -= lr * w2.grad
        b2 -= lr * b2.grad
    w1.grad.zero_()                  # clear the gradients for the next iteration
    b1.grad.zero_()
    w2.grad.zero_()
    b2.grad.zero_()
    print(f"iteration {i}: loss {loss.item():.4f}")
"""

_BOOK_SGD = """\
import torch
x = torch.tensor(2.0)        # input
y = torch.tensor(1.0)        # target
w1 = torch.tensor(0.5, requires_grad=True)
b1 = torch.tensor(0.1, requires_grad=True)
w2 = torch.tensor(-0.3, requires_grad=True)
b2 = torch.tensor(0.2, requires_grad=True)
optimizer = torch.optim.SGD([w1, b1, w2, b2], lr=0.1)
for i in range(5):
    optimizer.zero_grad()            # clear the old gradients
    h = torch.relu(w1 * x + b1)
    y_pred = w2 * h + b2
    loss = (y_pred - y) ** 2
    loss.backward()
    optimizer.step()                 # w <- w - lr * grad, for every parameter
    print(f"iteration {i}: loss {loss.item():.4f}")
"""

_SEQ_REGRESSION = """\
import torch
import torch.nn as nn
torch.manual_seed(0)
X = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
Y = 2 * X + 1                # the line to learn: y = 2x + 1
model = nn.Sequential(nn.Linear(1, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(20):
    optimizer.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
print(model[0].weight, model[0].bias)
"""

PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("seed-mean", _SEED_MEAN, from_seed=True),
        Preset("seed-diff-squares", _SEED_DIFF_SQUARES, from_seed=True),
        Preset("seed-sum", _SEED_SUM, from_seed=True),
        Preset("seed-ab", _SEED_AB, from_seed=True),
        Preset("seed-zero-grad", _ZERO_GRAD),
        Preset("seed-clip", _CLIP),
        Preset("seed-2layer", _TWO_LAYER),
        Preset("leaf-grad", _LEAF_GRAD),
        Preset("reuse", _REUSE, {"x": 2.0, "y": 3.0}),
        Preset("tanh-neuron", _TANH,
               {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}),
        Preset("softmax-ce", _SOFTMAX_CE),
        Preset("book-2layer-manual", _BOOK_MANUAL),
        Preset("book-2layer-sgd", _BOOK_SGD),
        Preset("seq-regression", _SEQ_REGRESSION),
    )
}
DEFAULT_PRESET = "seed-mean"
