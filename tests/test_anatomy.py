"""Model Anatomy: real parameter counts, module attribution from the capture,
collapsed graphs consistent with the full one, freezing, checkpoints."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys

import pytest
import torch
from torch import nn

from backprop.anatomy.attribution import collapse, group_of, modules_at, trace_model
from backprop.train.checkpoint import load_bytes, save_bytes
from examples.models import MODELS
from graphviz_tools import ProgramError

PUBLISHED = {"resnet50": 25_557_032, "vgg16": 138_357_544, "lenet5": 61_706}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_counts_are_the_published_ones(name: str) -> None:
    spec = MODELS[name]
    mt = trace_model(name, spec.build(), spec.example())
    assert mt.summary.total_params == PUBLISHED[name] == spec.published
    assert sum(r.params for r in mt.summary.layers) == PUBLISHED[name]


def test_big_models_cost_no_weight_memory() -> None:
    model = MODELS["vgg16"].build()
    assert all(p.device.type == "meta" for p in model.parameters())


def test_resnet50_graph_and_shapes() -> None:
    spec = MODELS["resnet50"]
    mt = trace_model("resnet50", spec.build(), spec.example())
    assert 300 < len(mt.graph.nodes) < 400
    assert mt.shapes["layer4"] == (1, 2048, 7, 7) and mt.shapes["fc"] == (1, 1000)
    assert modules_at(mt, 1)[:5] == ["conv1", "bn1", "relu", "maxpool", "layer1"]
    ops = {mt.graph.node(i).op for i, p in mt.node_module.items() if p == "layer1.0.conv1"}
    assert "ConvolutionBackward0" in ops  # attributed by the capture's module scope


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("name", ["resnet50", "lenet5", "transformer-block"])
def test_collapsed_edges_are_the_full_graphs(name: str, depth: int) -> None:
    spec = MODELS[name]
    mt = trace_model(name, spec.build(), spec.example())
    small, _ = collapse(mt, depth)

    def grp(i: str) -> str:
        key = group_of(mt.node_module.get(i, ""), depth)
        return f"m:{key}" if key else i
    full = {(grp(e.src), grp(e.dst)) for e in mt.graph.edges if grp(e.src) != grp(e.dst)}
    assert {(e.src, e.dst) for e in small.edges} == full
    assert {n.id for n in small.nodes} == {grp(n.id) for n in mt.graph.nodes}


def test_expanding_a_module_opens_one_level() -> None:
    spec = MODELS["resnet50"]
    mt = trace_model("resnet50", spec.build(), spec.example())
    closed, _ = collapse(mt, 1)
    opened, _ = collapse(mt, 1, frozenset({"layer1"}))
    ids = {n.id for n in opened.nodes}
    assert "m:layer1" not in ids and {"m:layer1.0", "m:layer1.1", "m:layer1.2"} <= ids
    assert len(opened.nodes) == len(closed.nodes) + 2


def test_freezing_removes_exactly_the_frozen_leaves() -> None:
    spec = MODELS["lenet5"]
    full = trace_model("lenet5", spec.build(), spec.example())
    model = spec.build()
    model.classifier.requires_grad_(False)
    frozen = trace_model("lenet5", model, spec.example())
    leaves = {n.name for n in full.graph.nodes if n.kind == "leaf"}
    left = {n.name for n in frozen.graph.nodes if n.kind == "leaf"}
    assert leaves - left == {n for n, _ in spec.build().classifier.named_parameters(
        prefix="classifier")}
    assert frozen.summary.trainable_params == 156 + 2416
    assert frozen.summary.non_trainable_params == 61_706 - 156 - 2416


def test_attribution_works_for_any_module() -> None:
    class Mine(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
            self.head = nn.Linear(3, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.enc(x) * 2)

    mt = trace_model("mine", Mine(), torch.ones(2, 4))
    mods = {mt.graph.node(i).op: p for i, p in mt.node_module.items() if mt.graph.node(i).op}
    assert mods["ReluBackward0"] == "enc.1" and mods["MulBackward0"] == ""


def test_seed_modules() -> None:
    simple = trace_model("s", MODELS["seed-simple"].build(), MODELS["seed-simple"].example())
    assert (simple.summary.trainable_params, simple.summary.non_trainable_params) == (1, 1)
    lazy = MODELS["seed-lazy"].build()
    assert isinstance(lazy.dense_1.weight, nn.parameter.UninitializedParameter)
    mt = trace_model("lazy", lazy, MODELS["seed-lazy"].example())
    assert mt.summary.total_params == 3 * 3 + 3 + 3 * 2 + 2


def test_checkpoint_round_trip_and_mismatches() -> None:
    a, b = MODELS["mlp"].build(), MODELS["mlp"].build()
    with torch.no_grad():
        for p in a.parameters():
            p.add_(1.0)
    report = load_bytes(b, save_bytes(a))
    assert not report.missing and not report.unexpected and not report.wrong_shape
    assert all(torch.equal(x, y) for x, y in zip(a.parameters(), b.parameters(), strict=True))
    other = MODELS["seed-sequential"].build()
    report = load_bytes(other, save_bytes(a))
    assert report.unexpected and report.missing and not report.loaded
    c = MODELS["mlp"].build()
    state = c.state_dict()
    state["layers.0.weight"] = torch.zeros(7, 2)
    buf = io.BytesIO()
    torch.save(state, buf)
    report = load_bytes(MODELS["mlp"].build(), buf.getvalue())
    assert report.wrong_shape == (("layers.0.weight", (6, 2), (7, 2)),)


class _Evil:
    def __reduce__(self):  # noqa: ANN204
        return (print, ("this must never run",))


@pytest.mark.parametrize("raw", [b"", b"not a checkpoint", pickle.dumps(_Evil()),
                                 b"\x80\x04" + b"\x00" * 100])
def test_checkpoint_refuses_unsafe_or_malformed_files(raw: bytes, capsys) -> None:  # noqa: ANN001
    with pytest.raises(ProgramError):
        load_bytes(MODELS["mlp"].build(), raw)
    assert "must never run" not in capsys.readouterr().out


def test_cli_summary_and_render(tmp_path) -> None:  # noqa: ANN001
    r = subprocess.run([sys.executable, "-m", "graphviz_tools", "summary", "resnet50", "--json"],
                       capture_output=True, text=True, timeout=180, check=False)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["total_params"] == 25_557_032 and d["layers"][0]["name"] == "conv1"
    assert set(d["layers"][0]) >= {"name", "type", "output_shape", "params", "trainable"}
    out = tmp_path / "r.svg"
    r = subprocess.run([sys.executable, "-m", "graphviz_tools", "render", "--model", "resnet50",
                        "--depth", "1", "-o", str(out)], capture_output=True, text=True,
                       timeout=180, check=False)
    assert r.returncode == 0, r.stderr
    assert b"layer4" in out.read_bytes()


def test_resnet50_buffers_explain_the_keras_count() -> None:
    """Keras 25,636,712 = ours + 26,560 conv biases + 53,120 BatchNorm moving mean/var."""
    spec = MODELS["resnet50"]
    s = trace_model("resnet50", spec.build(), spec.example()).summary
    assert s.buffer_counts == {"num_batches_tracked": 53, "running_mean": 26_560,
                               "running_var": 26_560}
    assert s.buffers == 53_173
    assert s.total_params + 26_560 + 53_120 == 25_636_712
    convs = [m for m in spec.build().modules() if isinstance(m, nn.Conv2d)]
    assert sum(m.out_channels for m in convs) == 26_560  # one bias each in Keras
    assert sum(r.buffers for r in s.layers) == s.buffers
    d = s.to_dict()
    assert {"model", "total_params", "trainable_params", "layers", "buffers"} <= set(d)
    assert {"name", "type", "output_shape", "params", "trainable"} <= set(d["layers"][0])


def test_resnet50_rows_in_execution_order() -> None:
    spec = MODELS["resnet50"]
    rows = trace_model("resnet50", spec.build(), spec.example()).summary.layers
    names = [r.name for r in rows]
    assert names[:4] == ["conv1", "bn1", "relu", "maxpool"]
    # the block's one ReLU module, called three times, with each call's own shape
    relus = [r for r in rows if r.name.startswith("layer1.0.relu")]
    assert [r.output_shape for r in relus] == [(1, 64, 56, 56), (1, 64, 56, 56),
                                              (1, 256, 56, 56)]
    assert [r.params for r in relus] == [0, 0, 0]
    adds = [r for r in rows if r.kind == "op" and r.type == "add"]
    assert len(adds) == 16  # one residual addition per bottleneck block
    i = names.index("layer1.0.add")
    assert names[i - 1] == "layer1.0.bn3" and names[i + 1] == "layer1.0.relu (3)"
    assert names[-3:] == ["avgpool", "flatten", "fc"]
    assert rows[-1].output_shape == (1, 1000)


def test_mixed_module_is_partly_trainable() -> None:
    spec = MODELS["seed-simple"]
    row, = trace_model("s", spec.build(), spec.example()).summary.layers
    assert row.trainable_state == "partly" and row.trainable and row.trainable_params == 1


@pytest.mark.parametrize("name", ["seed-dense", "seed-sequential", "seed-lazy"])
def test_seed_modules_show_live_outputs(name: str) -> None:
    spec = MODELS[name]
    out = spec.build()(spec.example())
    assert (out != 0).all(), out  # every ReLU output alive on the book's input


def test_vgg16_features_shape() -> None:
    spec = MODELS["vgg16"]
    mt = trace_model("vgg16", spec.build(), spec.example())
    assert mt.shapes["features"] == (1, 512, 7, 7)


def test_restored_checkpoint_is_the_traced_model() -> None:
    """The page traces the model with the uploaded state: values come from it."""
    spec = MODELS["seed-lazy"]
    other = MODELS["seed-lazy"].materialized()
    with torch.no_grad():
        for p in other.parameters():
            p.mul_(-1.5)
    raw = save_bytes(other)
    model = spec.materialized()
    load_bytes(model, raw)
    mt = trace_model("seed-lazy", model, spec.example())
    want = other(spec.example())
    out = next(n for n in mt.graph.nodes if n.kind == "output")
    assert torch.allclose(out.value.tensor(), want)
    fresh = trace_model("seed-lazy", spec.build(), spec.example())
    fresh_out = next(n for n in fresh.graph.nodes if n.kind == "output")
    assert not torch.allclose(fresh_out.value.tensor(), want)
