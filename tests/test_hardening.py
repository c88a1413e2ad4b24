"""Hostile input: every program in the corpus is refused or fails as ProgramError,
quickly; fuzzing (random text and random syntax trees) finds nothing else."""

from __future__ import annotations

import ast
import io
import math
import time

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop.train.checkpoint import MAX_BYTES, from_plain, load_bytes, read_state, to_plain
from backprop.train.datasets import parse_csv
from graphviz_tools import ProgramError, run_program
from tests.hostile import HOSTILE

LIMIT_S = 2.0


def test_corpus_is_big_enough() -> None:
    assert len(HOSTILE) >= 100


@pytest.mark.parametrize("code", HOSTILE, ids=[f"p{i}" for i in range(len(HOSTILE))])
def test_hostile_program_is_refused_fast(code: str) -> None:
    start = time.monotonic()
    with pytest.raises(ProgramError) as err:
        run_program(code, {"x": 1.0})
    assert time.monotonic() - start < LIMIT_S
    message = err.value.message
    assert message and "\n" not in message and "Traceback" not in message


_NAMES = st.sampled_from(["x", "y", "torch", "F", "nn", "print", "open", "__class__", "grad",
                          "backward", "sum", "_C", "load", "eval", "os", "tanh", "ones"])


def _exprs() -> st.SearchStrategy[ast.expr]:
    leaf = st.one_of(
        _NAMES.map(lambda n: ast.Name(n, ast.Load())),
        st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=5),
                  st.booleans(), st.none()).map(ast.Constant))
    ops = st.sampled_from([ast.Add(), ast.Sub(), ast.Mult(), ast.Div(), ast.Pow(),
                           ast.MatMult(), ast.Mod(), ast.BitXor()])

    def extend(children: st.SearchStrategy[ast.expr]) -> st.SearchStrategy[ast.expr]:
        return st.one_of(
            st.builds(ast.BinOp, children, ops, children),
            st.builds(ast.UnaryOp, st.sampled_from([ast.USub(), ast.Not(), ast.Invert()]),
                      children),
            st.builds(lambda v, a: ast.Attribute(v, a, ast.Load()), children, _NAMES),
            st.builds(lambda f, a: ast.Call(f, a, []), children,
                      st.lists(children, max_size=3)),
            st.builds(lambda v, i: ast.Subscript(v, i, ast.Load()), children, children),
            st.builds(lambda e: ast.List(e, ast.Load()), st.lists(children, max_size=3)),
            st.builds(lambda a: ast.Lambda(ast.arguments([], [], None, [], [], None, []), a),
                      children),
        )
    return st.recursive(leaf, extend, max_leaves=12)


@st.composite
def programs(draw: st.DrawFn) -> str:
    stmts = []
    for _ in range(draw(st.integers(1, 4))):
        value = draw(_exprs())
        target = draw(st.sampled_from(["y", "z", "x", "torch", "w"]))
        stmts.append(ast.Assign([ast.Name(target, ast.Store())], value, lineno=1)
                     if draw(st.booleans()) else ast.Expr(value))
    module = ast.fix_missing_locations(ast.Module(stmts, []))
    return ast.unparse(module)


def _only_program_error(code: str) -> None:
    start = time.monotonic()
    try:
        run_program(code, {"x": 2.0})
    except ProgramError as e:
        assert e.message
    assert time.monotonic() - start < LIMIT_S


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs())
def test_fuzz_random_syntax_trees(code: str) -> None:
    _only_program_error(code)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=200))
def test_fuzz_random_text(code: str) -> None:
    _only_program_error(code)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=300))
def test_fuzz_random_bytes_as_text(raw: bytes) -> None:
    _only_program_error(raw.decode("latin-1"))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=2000))
def test_fuzz_csv_loader(raw: bytes) -> None:
    try:
        x, y = parse_csv(raw)
    except ProgramError:
        return
    assert x.shape[1] == 2 and set(y.tolist()) <= {0, 1}


# names of the mlp's state_dict (2 -> 6 -> 6 -> 1) and a few it does not have
_CKPT_KEYS = ("layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.4.bias",
              "layers.4.weight", "extra", "layers.9.bias")
_CKPT_SHAPES = ((), (1,), (6,), (6, 2), (6, 6), (1, 6), (2, 2))


@st.composite
def _state_files(draw: st.DrawFn) -> bytes:
    """A real torch.save file of a state_dict-like dict (names, shapes and dtypes that
    fit or not), sometimes with one byte changed."""
    state = {}
    for key in draw(st.lists(st.sampled_from(_CKPT_KEYS), unique=True, max_size=5)):
        shape = draw(st.sampled_from(_CKPT_SHAPES))
        dtype = draw(st.sampled_from((torch.float32, torch.float64, torch.int64)))
        state[key] = (torch.arange(math.prod(shape)).reshape(shape) - 3).to(dtype) / 7 \
            if dtype != torch.int64 else torch.arange(math.prod(shape)).reshape(shape)
    buf = io.BytesIO()
    torch.save(state, buf)
    raw = bytearray(buf.getvalue())
    at = draw(st.none() | st.integers(0, len(raw) - 1))
    if at is not None:
        raw[at] ^= draw(st.integers(1, 255))
    return bytes(raw)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=2000) | _state_files())
def test_fuzz_state_dict_loader(raw: bytes) -> None:
    """A refused file leaves the model as it was; a loaded one changed exactly the
    tensors the report lists as loaded, to the file's values, and the report accounts
    for every name of the model and of the file."""
    from examples.models import MODELS

    model = MODELS["mlp"].build()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        report = load_bytes(model, raw)
    except ProgramError:
        assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
        return
    file = read_state(raw)
    sent = from_plain(to_plain(file))  # what a worker sends the server: the same tensors
    assert list(sent) == list(file) and all(torch.equal(sent[k], v) for k, v in file.items())
    after = model.state_dict()
    wrong = {name for name, _, _ in report.wrong_shape}
    loaded, missing = set(report.loaded), set(report.missing)
    assert not (loaded & missing or loaded & wrong or missing & wrong)
    assert loaded | missing | wrong == set(before)
    assert set(report.unexpected) == set(file) - set(before)
    for name, want, got in report.wrong_shape:
        assert want == tuple(before[name].shape) and got == tuple(file[name].shape) != want
    for name, value in after.items():
        expected = file[name].to(value.dtype) if name in loaded else before[name]
        assert torch.equal(value, expected), name


def test_the_worker_sends_back_plain_data_only() -> None:
    """The checkpoint action's reply is builtins (no GLOBAL opcode: unpickling it in the
    server imports and calls nothing, unlike a pickled tensor, which runs torch.load);
    the server's tensors are equal to the file's, every dtype and layout."""
    import pickle
    import pickletools

    from backprop.actions import checkpoint

    base = torch.arange(12.0).reshape(3, 4)
    state = {"f32": base, "t": base.t(), "col": base[:, 1], "f16": base.half(),
             "bf16": base.bfloat16(), "f64": base.double(), "i64": torch.arange(5),
             "scalar": torch.tensor(7.0), "empty": torch.ones(0, 3),
             "param": torch.nn.Parameter(torch.ones(2))}
    buf = io.BytesIO()
    torch.save(state, buf)
    reply = pickle.dumps(checkpoint(buf.getvalue()), protocol=pickle.HIGHEST_PROTOCOL)
    ops = {op.name for op, _, _ in pickletools.genops(reply)}
    assert not ops & {"GLOBAL", "STACK_GLOBAL", "REDUCE", "BUILD", "INST", "OBJ", "NEWOBJ"}
    back = from_plain(pickle.loads(reply))
    assert list(back) == list(state)
    for k, v in state.items():
        assert back[k].dtype == v.dtype and torch.equal(back[k], v.detach()), k
        assert not back[k].requires_grad


@pytest.mark.parametrize("plain", [
    None, 5, [("w", "float32", (2,))], [("w", "float32", (2,), b"\0" * 4)],
    [("w", "complex64", (1,), b"\0" * 8)], [("w", "float32", (-1,), b"")],
    [("w", "float32", [1], b"\0" * 4)], [(1, "float32", (1,), b"\0" * 4)],
    [("w", "float32", (1.0,), b"\0" * 4)], [("w", "float32", (1,), "abcd")],
], ids=["none", "int", "short", "length", "dtype", "negative", "list", "name", "float",
        "str"])
def test_a_malformed_reply_is_the_upload_message(plain: object) -> None:
    with pytest.raises(ProgramError) as e:
        from_plain(plain)
    assert e.value.key == "ckpt_format"


def test_tensors_sharing_one_storage_are_counted_one_by_one() -> None:
    """A file can name one storage many times: its bytes sent once per name would be
    far over the budget; refused with the size message before any is copied."""
    big = torch.zeros(MAX_BYTES // 4 // 8)  # an eighth of the limit
    with pytest.raises(ProgramError) as e:
        to_plain({f"w{i}": big for i in range(9)})
    assert e.value.key == "ckpt_size"


def test_numerics_are_shown_not_crashed() -> None:
    trace = run_program("y = torch.log(x - 1)\nz = y / (x - 1)", {"x": 1.0})
    d = trace.to_dict()
    assert d["output"]["value"] in ("nan", "-inf", "inf")
    assert any(n["grad"] in ("nan", "inf", "-inf") for n in d["nodes"])
    import json
    json.dumps(d, allow_nan=False)  # valid JSON: no bare NaN


def test_crafted_zip_directories_are_one_clear_refusal() -> None:
    """zipfile raises NotImplementedError for a version it cannot read and BadZipFile
    from is_zipfile for a multi-disk archive: both are a malformed file, not a crash."""
    from examples.models import MODELS

    model = MODELS["mlp"].build()
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    raw = buf.getvalue()
    central = raw.index(b"PK\x01\x02")  # version needed to extract: 6.4
    version = raw[:central + 6] + bytes([64, 0]) + raw[central + 8:]
    end = raw.rindex(b"PK\x06\x07")  # the zip64 locator's number of disks: 2
    disks = raw[:end + 16] + bytes([2, 0, 0, 0]) + raw[end + 20:]
    for bad in (version, disks):
        with pytest.raises(ProgramError) as err:
            load_bytes(model, bad)
        assert err.value.key == "ckpt_format"
