"""The envelope (backprop/sandbox/envelope.py): OS limits hold, the server goes on."""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import threading
import time
import zipfile

import pytest
import torch

from backprop.sandbox.envelope import Budget, Envelope, envelope
from backprop.teach.fd import finite_differences
from backprop.train.checkpoint import load_bytes, read_state, save_bytes
from graphviz_tools import ProgramError, run_program
from tests.conftest import ROOT

KILLED = {"budget_cpu", "budget_time"}
SEED = "a = torch.tensor([1.0, 2.0], requires_grad=True)\nz = (a * x).sum() + x * y"


@pytest.fixture(scope="module")
def env() -> Envelope:
    return envelope()


def _server_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_cpu_budget_kills_and_a_fresh_worker_follows(env: Envelope) -> None:
    for lang, word in (("en", "budget"), ("bn", "বাজেট")):
        with pytest.raises(ProgramError) as e:
            env.call("probe", "spin", lang=lang)
        # CPU limit; on an overloaded box the wall-clock kill may come first
        assert e.value.key in KILLED and word in e.value.message
        assert "\n" not in e.value.message
    assert env.call("trace", "z = x * y + x").output_node.value.data == 2.0


def test_memory_budget_is_address_space_above_the_worker(env: Envelope) -> None:
    before = _server_rss_mb()
    with pytest.raises(ProgramError) as e:
        env.call("probe", "alloc", 1024)  # 1 GB, touched
    assert e.value.key == "budget_memory"
    # torch's own virtual reservations do not eat the limit: 300 MB still fits
    assert env.call("probe", "alloc", 300) == 300 * 2**20 / 4
    assert env.last_usage().peak_mb - env.last_usage().base_mb > 290
    assert _server_rss_mb() - before < 100  # the server never held it


def test_wall_clock_kill_and_output_cap() -> None:
    small = Envelope(Budget(wall_seconds=1.0, result_bytes=1_000_000))
    with pytest.raises(ProgramError) as e:
        small.call("probe", "sleep", 30)
    assert e.value.key == "budget_time"
    with pytest.raises(ProgramError) as e:
        small.call("probe", "big", 2)  # 2 MB of result
    assert e.value.key == "budget_output"
    assert small.call("probe", "big", 0.5) == b"x" * (2**19)


def test_a_crashed_worker_is_a_clear_error_not_a_dead_server(env: Envelope) -> None:
    with pytest.raises(ProgramError) as e:
        env.call("probe", "crash")
    assert e.value.key.startswith("budget_")
    assert env.call("probe", "ok") == "ok"


def test_workers_use_one_thread(env: Envelope) -> None:
    assert env.call("probe", "threads") == 1


def test_workers_run_below_the_server(env: Envelope) -> None:
    """A busy worker (a hostile session's program) yields the cores to the server's own
    threads: it runs NICE steps below the process that started the envelope."""
    import os

    from backprop.sandbox.worker import NICE
    assert env.call("probe", "nice") == min(os.nice(0) + NICE, 19)


def test_other_sessions_go_on_while_one_is_killed(env: Envelope) -> None:
    order: list[str] = []

    def hog() -> None:
        try:
            env.call("probe", "spin")
        except ProgramError as e:
            order.append(e.key)

    th = threading.Thread(target=hog)
    th.start()
    time.sleep(0.2)
    trace = env.call("trace", SEED, {"x": 2.0, "y": 3.0})
    order.append("other")
    th.join()
    assert order[0] == "other" and order[1] in KILLED  # not queued behind the hog
    assert trace.to_dict() == run_program(SEED, {"x": 2.0, "y": 3.0}).to_dict()


def test_sandboxed_api_equals_the_direct_one() -> None:
    direct = run_program(SEED, {"x": 2.0})
    boxed = run_program(SEED, {"x": 2.0}, sandboxed=True)
    assert boxed.to_dict() == direct.to_dict()
    with pytest.raises(ProgramError) as e:
        run_program("y = torch.ones(size=(10 ** 5, 10 ** 5))", sandboxed=True)
    assert e.value.key == "tensor_size" and e.value.line == 1 and e.value.col == 5
    assert e.value.in_lang("bn").startswith("লাইন 1")  # data crosses the envelope
    assert finite_differences(SEED, ["x", "y"], sandboxed=True) == \
        finite_differences(SEED, ["x", "y"])


def test_program_action_builds_the_page_data_under_the_budget(env: Envelope) -> None:
    r = env.call("program", SEED, {"x": 2.0}, "en", True)
    assert r.json == r.trace.to_dict() and len(r.transcript) > 3
    assert len(r.figure["frames"]) == len(r.transcript)


def test_csv_and_checkpoint_actions(env: Envelope) -> None:
    x, y = env.call("csv", b"x1,x2,label\n0,0,0\n1,1,1\n0,1,0\n1,0,1\n")
    assert x.shape == (4, 2) and list(y) == [0, 1, 0, 1]
    model = torch.nn.Linear(2, 1)
    raw = save_bytes(model)
    other = torch.nn.Linear(2, 1)
    report = load_bytes(other, raw, sandboxed=True)
    assert report.loaded == ("bias", "weight")
    assert torch.equal(other.weight, model.weight)


def _ckpt(obj: object) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


@pytest.mark.parametrize("tensor", [
    torch.empty(2, 2, device="meta"),
    torch.eye(3).to_sparse(),
    torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.qint8),
    torch.ones(2, dtype=torch.complex64),
    torch.ones(2, dtype=torch.bool),
], ids=["meta", "sparse", "quantized", "complex", "bool"])
def test_odd_tensors_get_the_upload_message(tensor: torch.Tensor) -> None:
    with pytest.raises(ProgramError) as e:
        read_state(_ckpt({"weight": tensor}))
    assert e.value.key == "ckpt_format"


def _bomb(method: int, declared: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        z.writestr("archive/data.pkl", b"\0" * declared)
    return buf.getvalue()


def test_zip_bombs_are_refused_from_the_directory() -> None:
    assert zipfile.ZipFile(io.BytesIO(_ckpt({"w": torch.ones(2)}))).infolist()[0] \
        .compress_type == zipfile.ZIP_STORED  # torch.save never compresses
    raw = _bomb(zipfile.ZIP_DEFLATED, 100_000_000)  # 100 MB of zeros in ~100 KB
    assert len(raw) < 1_000_000
    with pytest.raises(ProgramError) as e:
        read_state(raw)
    assert e.value.key == "ckpt_size"
    with pytest.raises(ProgramError) as e:
        read_state(_bomb(zipfile.ZIP_DEFLATED, 1_000))  # small but compressed
    assert e.value.key == "ckpt_format"


def test_cli_limits_its_own_process() -> None:
    code = ("from backprop.sandbox.envelope import limit_self\nlimit_self()\n"
            "x = 0\nwhile True:\n    x += 1\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=120, check=False)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "budget" in r.stderr
