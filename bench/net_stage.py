"""The Tiny Network stage in headless Chromium (`python -m bench --stage`): load, Play, payload.

Measured against a baseline build (a git revision, exported to a temporary folder and
served the same way), so the table reports ratios on the same machine in the same
run. Page helpers here are also used by tests/test_browser_stage.py (which asserts
behaviour, never timings).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.server import ARGS, CHROMIUM, ROOT, free_port, wait_healthy

# our player (ui/stage.py) with the Tiny Network painter; by the component key net.episode
# (st-key-net-stage also names the step view's stepper below, key net.stage)
STAGE = ".st-key-net-episode .bp-stage"
PAINTED = f"{STAGE} .bp-plot[data-painted]"
KB = 1024
_ST = f"document.querySelector('{STAGE}')._bp"  # the player's state: its log of frames


# Before the page's own scripts: every websocket message in or out gets a timestamp
# (page clock, ms), so "no server message while it plays" is read in the page.
_SOCKET_LOG = """(() => { window.__ws = []; const Orig = window.WebSocket;
  window.WebSocket = function (...args) { const ws = new Orig(...args);
    ws.addEventListener('message', () => window.__ws.push(performance.now()));
    const send = ws.send.bind(ws);
    ws.send = (data) => { window.__ws.push(performance.now()); return send(data); };
    return ws; };
  window.WebSocket.prototype = Orig.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3}); })();"""


def watch_socket(page: object) -> None:
    """Log every websocket message from or to the server (call before page.goto)."""
    page.add_init_script(_SOCKET_LOG)  # type: ignore[attr-defined]


def socket_messages(page: object, t0: float, t1: float) -> int:
    """Messages from or to the server between two page-clock times (ms)."""
    return page.evaluate(f"() => window.__ws.filter(t => t >= {t0} && t <= {t1}).length")  # type: ignore[attr-defined]


def open_stage(page: object, url: str) -> float:
    """Seconds from navigation to the stage drawn (a frame painted on its canvas)."""
    t0 = time.perf_counter()
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_selector(PAINTED, timeout=120_000)  # type: ignore[attr-defined]
    return time.perf_counter() - t0


def frames_shown(page: object) -> list[list]:
    """[page clock ms, frame name] of every frame drawn since `play` (or the load)."""
    return page.evaluate(f"() => {_ST}.log")  # type: ignore[attr-defined]


def n_frames(page: object) -> int:
    return page.evaluate(f"() => {_ST}.n")  # type: ignore[attr-defined]


def play(page: object) -> float:
    """Press the stage's ▶; the page clock (ms) at the press."""
    t = page.evaluate(f"() => {{ {_ST}.log = []; return performance.now(); }}")  # type: ignore[attr-defined]
    page.locator(f"{STAGE} .bp-play").first.click()  # type: ignore[attr-defined]
    return t


def wait_played(page: object, n: int, timeout: float = 60_000) -> None:
    page.wait_for_function(f"() => {_ST}.log.length >= {n}", timeout=timeout)  # type: ignore[attr-defined]


def wait_done(page: object, timeout: float = 120_000) -> None:
    """Until the player has shown its last frame and stopped."""
    page.wait_for_function(f"() => !{_ST}.playing && {_ST}.log.length"  # type: ignore[attr-defined]
                           f" && {_ST}.log.at(-1)[1] === {_ST}.last", timeout=timeout)


def caption(page: object) -> str:
    """The explanation the stage shows now (the player's panel)."""
    return page.inner_text(f"{STAGE} .bp-panel")  # type: ignore[attr-defined]


def draw_rate(page: object, n: int = 60) -> float:
    """Frames drawn per second with no clock between them (the player's own bench)."""
    return page.evaluate(f"() => {_ST}.bench({n})")  # type: ignore[attr-defined]


@contextmanager
def serve_dir(folder: Path) -> Iterator[str]:
    """`streamlit run app.py` from `folder` on a free loopback port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--server.fileWatcherType", "none"],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def baseline_tree(rev: str) -> Iterator[Path]:
    """The app as it was at `rev` (git archive into a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="bench-base-") as tmp:
        raw = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True,
                             capture_output=True).stdout
        with tarfile.open(fileobj=__import__("io").BytesIO(raw)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


def measure_ours(browser: object, url: str, loads: int = 3) -> dict[str, float]:
    """First load: the median of `loads` fresh contexts (empty cache); Play and playback
    in the last one."""
    times = []
    for _ in range(loads - 1):
        ctx = browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
        times.append(open_stage(ctx.new_page(), url + "/tiny_network"))
        ctx.close()
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    page = ctx.new_page()
    watch_socket(page)
    times.append(open_stage(page, url + "/tiny_network"))
    out = {"load_s": statistics.median(times)}
    page.wait_for_timeout(1500)  # the page settles (no rerun in flight)
    t_click = play(page)
    wait_played(page, 2)
    first = frames_shown(page)
    out["play_to_frame_s"] = (first[0][0] - t_click) / 1000
    wait_done(page)
    shown = frames_shown(page)
    t0, t1 = shown[0][0], shown[-1][0]
    out["fps"] = (len(shown) - 1) / ((t1 - t0) / 1000)
    out["frames"] = len(shown)
    out["messages_during_playback"] = socket_messages(page, t0, t1)
    out["draw_rate"] = draw_rate(page)
    ctx.close()
    return out


def ceiling_fps(browser: object) -> float:
    """Frames/s of a one-line Plotly figure animated the same way, in the same browser
    now: what this machine allows at the moment (its load shows here)."""
    import plotly

    js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    frames = [{"name": str(i), "data": [{"type": "scatter", "y": [0, i]}], "traces": [0]}
              for i in range(50)]
    fig = json.dumps({"data": [{"type": "scatter", "x": [0, 1], "y": [0, 1]}],
                      "frames": frames})
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "ceiling.html"
        page_file.write_text(
            f"<div id=g></div><script src='{js.as_uri()}'></script><script>const f = {fig};"
            "Plotly.newPlot('g', f.data).then(gd => {Plotly.addFrames(gd, f.frames);"
            "window.ev = []; gd.on('plotly_animatingframe', () => ev.push(performance.now()));"
            "Plotly.animate(gd, null, {frame: {duration: 50, redraw: true},"
            " transition: {duration: 0}, mode: 'immediate'});});</script>")
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(page_file.as_uri())
        page.wait_for_function("() => window.ev && window.ev.length >= 45", timeout=120_000)
        ev = page.evaluate("window.ev")
        page.close()
    return (len(ev) - 1) / ((ev[-1] - ev[0]) / 1000)


def measure_baseline(browser: object, url: str) -> dict[str, float]:
    """Today's build: the page shows no stage until a click, so: load to the first
    figure, and "Train 10 steps" (a server round trip) to the updated step count."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(url + "/tiny_network")
    page.wait_for_selector(".js-plotly-plot .scatterlayer", state="attached", timeout=120_000)
    out = {"load_s": time.perf_counter() - t0}
    page.wait_for_timeout(1500)
    t0 = time.perf_counter()
    page.get_by_role("button", name="Train 10 steps").click()
    page.wait_for_function("() => [...document.querySelectorAll("
                           "'[data-testid=stMetricValue]')].some(e => e.textContent.trim()"
                           " === '10')", timeout=120_000)
    out["play_to_frame_s"] = time.perf_counter() - t0
    ctx.close()
    return out


def episode_sizes() -> list[tuple[str, int]]:
    """Figure JSON of 1,000-step episodes: the default network and the largest."""
    from backprop.train.episode import Episode
    from backprop.train.stage_figure import stage_figure
    from backprop.train.training import TrainConfig, Trainer
    from examples.networks import NETWORKS, RECIPES, NetSettings

    out = []
    for label, hidden in (("moons 2x8 (default)", None), ("spiral 3x8 (largest)", 3)):
        ds = "moons" if hidden is None else "spiral"
        r = RECIPES[ds]
        s = NetSettings(hidden or r.hidden_layers, r.units, r.activation, "bce", ds, 200,
                        r.noise)
        tr = Trainer(TrainConfig("classifier", r.optimizer, r.lr, 0, 0, None, True, s),
                     NETWORKS["classifier"].build(s, 0), NETWORKS["classifier"].data(s, 0),
                     "bce")
        tr.run(1000)
        fig = stage_figure(Episode(tr), 0)
        out.append((label, len(json.dumps(fig, separators=(",", ":"),
                                          ensure_ascii=False).encode())))
    return out


def stage_rows(rows: list, baseline: str = "4d270c8") -> None:
    """Rows for the bench table: ours, today's build, and the ratio."""
    from playwright.sync_api import sync_playwright

    from bench.timing import row

    for label, n in episode_sizes():
        rows.append(row(f"1,000-step episode JSON: {label}", f"{n / KB:.0f} KB",
                        "<= 1.5 MB", n <= 1.5 * KB * KB))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        with serve_dir(ROOT) as url:
            open_stage(browser.new_page(), url + "/tiny_network")  # warm: imports, caches
            ours = measure_ours(browser, url)
        ceiling = ceiling_fps(browser)
        with baseline_tree(baseline) as tree, serve_dir(tree) as url:
            measure_baseline(browser, url)  # warm
            base = measure_baseline(browser, url)
        browser.close()
    rows.append(row("Tiny Network first load -> stage visible", f"{ours['load_s']:.2f} s",
                    "<= 2.5 s", ours["load_s"] <= 2.5))
    rows.append(row(f"  vs {baseline} (load -> first figure; no stage then)",
                    f"{base['load_s']:.2f} s, ratio {ours['load_s'] / base['load_s']:.2f}x",
                    "", None))
    rows.append(row("Tiny Network Play -> first frame moving",
                    f"{ours['play_to_frame_s']:.3f} s", "<= 0.5 s",
                    ours["play_to_frame_s"] <= 0.5))
    rows.append(row(f"  vs {baseline} (Train 10 -> step count updated)",
                    f"{base['play_to_frame_s']:.2f} s, ratio "
                    f"{ours['play_to_frame_s'] / base['play_to_frame_s']:.3f}x", "", None))
    rows.append(row(f"Tiny Network playback ({ours['frames']} frames)",
                    f"{ours['fps']:.1f} frames/s", ">= 15", ours["fps"] >= 15))
    rows.append(row("  a one-line figure, same browser, same moment",
                    f"{ceiling:.1f} frames/s, ratio {ours['fps'] / ceiling:.2f}x", "", None))
    rows.append(row("  drawing calls per second, no clock (before raster)",
                    f"{ours['draw_rate']:.0f} frames/s", "", None))
    rows.append(row("  server messages during playback",
                    str(ours["messages_during_playback"]), "0",
                    ours["messages_during_playback"] == 0))
