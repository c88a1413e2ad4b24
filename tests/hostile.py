"""A corpus of programs the app must refuse or fail cleanly (ProgramError, < 2 s)."""

from __future__ import annotations

_ESCAPES = [
    "import os", "import sys", "import subprocess", "import torch as os", "from os import system",
    "from torch import load", "from torch.hub import load", "import numpy", "import socket",
    "__import__('os').system('id')", "open('/etc/passwd').read()", "eval('1+1')",
    "exec('import os')", "compile('1', 'f', 'eval')", "getattr(torch, 'load')",
    "globals()", "locals()", "vars()", "dir()", "breakpoint()", "input()", "help()",
    "x = torch._C", "x = torch.load('w.pt')", "x = torch.hub.load('a', 'b')",
    "x = torch.ops.aten.add", "x = torch.save(x, 'f')", "x = torch.utils.data",
    "x = torch.cuda.is_available()", "x = torch.jit.script", "x = torch.compile",
    "x = torch.from_file('f')", "x = torch.set_default_dtype(torch.float64)",
    "x = torch.set_num_threads(64)", "x = torch.manual_seed", "torch.manual_seed('a')",
    "y = x.__class__.__bases__", "y = x.__dict__", "y = x._version", "y = x.storage()",
    "y = x.numpy()", "x.numpy().tofile('f')", "y = x.tolist().__class__",
    "x.register_hook(print)", "y = x.grad_fn.register_hook(print)",
    "y = x.grad_fn.next_functions", "y = x.data_ptr()", "y = x.untyped_storage()",
    "y = x.to('cuda')", "y = x.cuda()", "y = x.pin_memory()", "y = x.share_memory_()",
    "y = x.apply_(print)", "y = x.map_(x, print)", "y = x.add_(1)", "y = x.copy_(x)",
    "y = x.set_(x)", "y = x.resize_(10 ** 9)", "x.requires_grad = False",
    "x.grad = torch.ones(1)", "torch.pi = 3", "y = lambda: 1", "y = [i for i in range(9)]",
    "y = {i: i for i in x}", "y = (i for i in x)", "def f(): pass", "class A: pass",
    "for i in x:\n    y = i", "while True:\n    pass", "if x:\n    y = 1",
    "with open('f') as fh:\n    y = fh", "try:\n    y = 1\nexcept Exception:\n    y = 2",
    "async def f(): pass", "y = x if x else x", "y = f'{x}'", "y = f'{x!r:>{10**9}}'",
    "y = {'a': 1}", "y = {1, 2}", "y = x < 1", "y = x and x", "y = not x", "y = ~x",
    "y = x % 2", "y = x // 2", "y = x << 2", "y = x ^ x", "y = x | x", "y = x & x",
    "y = *x,", "del x", "global x", "assert x", "raise ValueError()", "y: int = 1",
    "y := 1", "y = b'bytes'", "y = 1j", "y = ...", "y = x[x]", "y = x[x > 0]",
    "y = x[:, None]", "y = x[0:'a']", "y = print", "y = torch", "y = nn", "y = F",
    "torch = 1", "print = 2", "y = x.sum(dim=0, out=x)", "y = torch.ones(2, device='cuda')",
    "y = x.sum(**{'dim': 0})", "y = torch.ones(*[2, 2])",
]
_BOMBS = [
    "y = 9 ** 9 ** 9", "y = 10 ** 100000", "y = 2 ** 4000", "y = torch.ones(10 ** 10)",
    "y = torch.zeros(100000)", "y = torch.randn(1000, 1000)", "y = torch.ones(10 ** 5, 1)",
    "y = torch.arange(10 ** 10)", "y = torch.linspace(0, 1, 10 ** 9)",
    "y = torch.full((10000, 10000), 1.0)", "y = torch.eye(100000)",
    "a = torch.rand(5000, 1)\nb = torch.rand(1, 5000)\nc = a @ b",
    "a = torch.rand(5000, 1)\nc = a + a.t()", "y = torch.ones(100).repeat(1000)",
    "y = torch.ones(2).expand(10 ** 6)", "y = torch.tensor([1.0] * 3)",
    "y = [1] * 10 ** 9", "y = 'a' * 10 ** 9", "y = 10 ** 40 * 10 ** 40",
    "x = 1\n" * 50_000, "y = " + "(" * 10_000 + "x" + ")" * 10_000,
    "y = " + "-" * 20_000 + "x", "y = " + " + ".join(["x"] * 20_000),
    "y = " + "x" * 30_000, "y = x" + "\x00", "\x00" * 100, "y = '" + "a" * 25_000 + "'",
    "y = torch.tensor(" + "[" * 500 + "1.0" + "]" * 500 + ")",
]
_MISTAKES = [
    "y = (", "y = 1 +", "y = x +* 2", "def", "y = x.", "y = torch.nope(x)", "y = x.nope()",
    "y = torch.ones(2) + torch.ones(3)", "y = torch.ones(2, 3) @ torch.ones(2, 3)",
    "y = z * 2\nz = 1", "y = x.grad.zero_()", "print(1)", "y = torch.tensor(2.0)",
    "y = x * x\ny.backward()\ny.backward()", "y = x * torch.ones(3)\ny.backward()",
    "y = torch.tensor('a')", "y = torch.ones('a')", "a, b = torch.ones(3)",
    "y = x.backward(x)", "y = torch.tensor(2.0, requires_grad=True)\ny.zero_()",
    "y = 1 / 0", "y = float('x')", "y = int('x')", "y = len(1)", "y = x[5]",
    "y = torch.ones(2)[7]", "y = x.sum(dim=5)", "y = torch.softmax(x, dim=3)",
    "y = F.cross_entropy(torch.ones(2, 3), torch.tensor([5, 0]))",
    "y = F.mse_loss(torch.ones(2), torch.ones(3))", "", "   ", "# only a comment",
]
# Loops, `with`, modules and f-strings (issue 13): bombs, nesting, in-place updates of
# tensors autograd needs, huge modules, format bombs.
_LOOPS = [
    "for i in range(10 ** 9):\n    y = i", "for i in range(999999999999):\n    pass",
    "for i in range(1000):\n    for j in range(1000):\n        y = i",
    "for i in range(100):\n    for j in range(100):\n        for k in range(100):\n"
    "            y = x * x",
    "for i in range(1000):\n" + "    y = 1\n" * 100,
    "for i in range(10 ** 100):\n    y = i", "for i in range(0, 10 ** 12, 1):\n    y = i",
    "for i in range(1, 2, 0):\n    y = i", "for i in range(x):\n    y = i",
    "for i in x:\n    y = i", "for i in 'abc':\n    y = i", "for i in print:\n    y = i",
    "y = x\nfor i in range(100):\n    y = torch.cat([y.reshape(-1), y.reshape(-1)])",
    "y = x\nfor i in range(700):\n    y = y * 1.5 + 1 - x",
    "for i in range(3):\n    x = x * x\n    x.backward()",
    "for i in range(5):\n    y = x * 2\n    y.backward()\n    x.sub_(0.1)",
    "x.sub_(1)", "w = torch.ones(2, requires_grad=True)\nw.add_(1)",
    "y = x * 2\nfor i in range(3):\n    y.mul_(2)", "y = x * 2\ny.zero_()",
    "with torch.no_grad():\n    y = x * 2\n    y -= torch.ones(5, 5)",
    "with torch.no_grad() as g:\n    y = x", "with torch.enable_grad():\n    y = x",
    "with open('f'):\n    y = x", "with torch.no_grad(), torch.no_grad():\n    y = x",
    "m = nn.Linear(10 ** 6, 10 ** 6)", "m = nn.Linear(100000, 1)", "m = nn.Linear(10 ** 100, 2)",
    "m = nn.Linear(2.5, 3)", "m = nn.Linear(-1, 3)", "m = nn.Linear(2, 3, device='meta')",
    "m = nn.Sequential(" + "nn.Linear(100, 100), " * 50 + ")",
    "m = nn.Linear(100, 100)\nfor i in range(1000):\n    m = nn.Sequential(m, nn.Linear(100, 100))",
    "m = nn.Linear(2, 2)\nm.register_forward_hook(print)", "m = nn.Linear(2, 2)\nm.weight = x",
    "m = nn.Linear(2, 2)\ny = m.__dict__", "m = nn.Linear(2, 2)\nm.load_state_dict(x)",
    "m = nn.Linear(2, 2)\ny = m.state_dict()", "m = nn.Module()", "m = nn.Conv2d(1, 1, 3)",
    "m = nn.Linear(2, 2)\ny = m(x, x)", "m = nn.ReLU(inplace=True)", "y = nn.Sequential(print)",
    "o = torch.optim.SGD(x, lr=0.1)", "o = torch.optim.SGD([x], lr='a')",
    "o = torch.optim.SGD([x * 2], lr=0.1)",
    "o = torch.optim.SGD([x], lr=0.1)\no.step(closure=print)",
    "o = torch.optim.SGD([x], lr=0.1)\no.add_param_group(x)", "o = torch.optim.LBFGS([x])",
    "o = torch.optim.lr_scheduler.StepLR(x, 1)", "y = torch.utils.data.DataLoader(x)",
    "print(f'{x:>1000000}')", "print(f'{x:.1000000f}')", "print(f'{1:{10 ** 9}}')",
    "print(f'{1:,>99999999999}')", "y = f'{x!a}'", "print(f'{x:>{9}}')",
    "print(f'{torch.ones(3):.2f}')", "print(f'{x:%Y}')", "print(f'{print}')",
    "if x > 0:\n    y = 1", "if 1 < 2 < x:\n    y = 1", "if 10 ** 9 % 0 == 1:\n    y = 1",
    "for i in range(1000):\n    if i % 2 == 0:\n        for j in range(1000):\n            y = j",
]
HOSTILE: list[str] = _ESCAPES + _BOMBS + _MISTAKES + _LOOPS

# Issue 11: the classes that got through the pre-checks. Each must be refused with a
# clear message (never "internal", never only the envelope's backstop) or finish,
# inside the envelope's budget (tests/test_budget_corpus.py).
_SHARED = "\n".join(["a = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
                    + [f"{n} = [{p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}]"
                       for p, n in zip("abcdefg", "bcdefgh", strict=True)])
_CHAIN = "\n".join(["a0 = [1]"] + [f"a{i} = [a{i - 1}]" for i in range(1, 120)])
_BIG = "x = torch.ones(30000, 1, requires_grad=True)\ny = torch.ones(1, 30000)\n"
BUDGET_CORPUS: dict[str, list[str]] = {
    "size_keyword": [
        "a = torch.ones(size=(100000, 100000))", "a = torch.zeros(size=[30000, 30000])",
        "a = torch.full(size=(30000, 30000), fill_value=1.0)",
        "a = torch.rand(size=(30000, 30000))", "a = torch.randn(size=(5000, 5000))",
        "a = torch.empty(size=(10 ** 5, 10 ** 5))"],
    "size_tensor": [
        "n = torch.tensor(30000)\na = torch.ones(n, n)",
        "n = torch.tensor(30000)\na = torch.zeros((n, n))",
        "n = torch.tensor(1e9)\na = torch.arange(n)",
        "x = torch.ones(1, requires_grad=True)\nn = torch.tensor(30000)\ny = x.expand(n, n)",
        "x = torch.ones(1, requires_grad=True)\ny = x.repeat(torch.tensor(30000), 30000)",
        "n = torch.ones(2).sum() * 20000\na = torch.ones(n.long(), n.long())"],
    "zero_size_reduction": [
        "a = torch.ones(0, 1000000000)\nb = a.sum(0)",
        "a = torch.zeros(1000000000, 0)\nb = a.sum(1)",
        "a = torch.ones(0, 100000, 100000)\nb = a.mean(0)",
        "a = torch.ones(0, 1000000000)\nb = a.prod(0)",
        "a = torch.ones(0, 1000000000)\nb = torch.cumsum(a, 1)\nc = b.sum(0)",
        "a = torch.ones(0, 10 ** 9)\nb = a.norm(dim=0)",
        "a = torch.ones(0, 10 ** 9)\nb = a.std(0)"],
    "grows": [
        "x = torch.ones(100000)\ny = torch.diag(x)",
        _BIG + "z = torch.clamp(x, min=y)", _BIG + "z = x.clamp(y, y)",
        _BIG + "z = torch.max(x, y)", _BIG + "z = torch.min(x, y)", _BIG + "z = x.max(y)",
        _BIG + "z = F.mse_loss(x, y)", _BIG + "z = F.l1_loss(x, y)",
        _BIG + "z = F.smooth_l1_loss(x, y)", _BIG + "z = F.binary_cross_entropy_with_logits(x, y)",
        "x = torch.ones(100, 100)\nz = torch.stack([x, x, x, x, x, x, x, x, x, x, x, x])",
        "x = torch.ones(100, 100)\nz = torch.cat([x, x, x, x, x, x, x, x, x, x, x, x])",
        "x = torch.ones(5000)\ny = torch.outer(x, x)"],
    "factory_randint": [
        "a = torch.randint(0, 10, (30000, 30000))", "a = torch.randint(10, size=(30000, 30000))",
        "a = torch.randint(0, 10, size=(100000,))"],
    "builtins": [
        "a = round(10, -1000000000)", "a = round(1.5, 1000000000)",
        "a = round(10 ** 29, -1000000)", _SHARED + "\nprint(h)", _SHARED + "\ns = sum(h, [])",
        _CHAIN + "\nprint(a119)", _CHAIN + "\nx = torch.tensor(a119)",
        "a = [[1, 2], [3]]\nb = sum(a, [])", "x = torch.ones(10000)\n" + "print(x)\n" * 200],
    "assembly": [
        "x = torch.ones(100, 100, requires_grad=True)\n"
        + "x = x * 1.0001\n" * 290 + "y = x.sum()",
        "x = torch.ones(100, 100, requires_grad=True)\n"
        + "".join(f"y{i} = (x * {i}).sum()\ny{i}.backward()\n" for i in range(140)),
        "x = torch.ones(10, requires_grad=True)\n"
        + "y = (x * x).sum()\ny.backward(retain_graph=True)\n" * 140],
    "arguments": [
        "a = torch.arange()", "a = torch.arange(start=0, end=5)", "a = torch.arange(end=5)",
        "x = torch.ones(5)\ny = x[::0]", "x = torch.ones(5)\ny = x[::-1]",
        "x = torch.ones(5)\ny = x[1:4:-2]",
        "torch.manual_seed(-1)\nx = torch.rand(2)", "torch.manual_seed(2 ** 70)\nx = torch.rand(2)",
        "x = torch.ones(" + ", ".join(["1"] * 70) + ")",
        "x = torch.ones(1)\ny = x.reshape(" + ", ".join(["1"] * 70) + ")",
        "x = torch.ones(2, requires_grad=True)\ny = x.sum()\ny.backward(retain_graph=5)",
        "x = torch.ones(2, requires_grad=True)\ny = x.sum()\ny.backward(retain_graph='yes')"],
}
