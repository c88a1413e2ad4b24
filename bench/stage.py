"""The Expression Lab as a user feels it, in headless Chromium (`python -m bench --stage`).

First load to a visible stage, Run (Ctrl+Enter) to the stage redrawn, playback frames
per second with the websocket silent. `--baseline DIR` runs the same on another
checkout (e.g. a worktree of an older commit) in the same run and prints the ratios.
Medians after a warm-up visit; nothing here is asserted by the tests.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.server import ARGS, CHROMIUM, ROOT, free_port, wait_healthy
from bench.timing import row

PROGRAMS = ["q = x * 7 + x", "q = torch.tanh(x * y) + y", "q = (x + y) * (x - y) * 3"]
# The new build draws the stage; an older build drew the static Graphviz graph first.
STAGE = "() => !!document.querySelector('.bp-stage[data-ready=\"1\"] .bp-plot .main-svg')"
OLD = "() => !!document.querySelector('svg .node')"
PROGRAMS = [f"q{k} = {p.split(' = ', 1)[1]}" for k, p in enumerate(PROGRAMS)]
# the new program's own name on the stage (its labels read `q0 · AddBackward0 · add`)
# a changed input (x of the last program, (x + y) * (x - y) * 3 with y = 1): the output
# value the stage's overview states
SETTINGS = [(2, 9), (3, 24), (4, 45)]
HAS_VALUE = ("v => (document.querySelector('.bp-stage') || {innerText: ''})"
             ".innerText.includes('q2 = ' + v)")
HAS_Q = ("k => [...document.querySelectorAll('.bp-plot text, svg .node text')]"
         ".some(t => t.textContent.trim() === 'q' + k || t.textContent.startsWith('q' + k + ' '))")


def _serve(root: Path) -> tuple[str, subprocess.Popen]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, proc)
    return url, proc


def _measure(browser: object, url: str) -> dict[str, float]:
    loads, runs, sets = [], [], []
    for k in range(4):  # the first visit warms the server (imports, torch); not counted
        ctx = browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
        page = ctx.new_page()
        sent: list[object] = []  # messages to the server (listen before the socket opens)
        page.on("websocket", lambda ws, sent=sent: ws.on("framesent", lambda m: sent.append(m)))
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_function(f"() => ({STAGE})() || ({OLD})()", timeout=120_000,
                               polling=20)
        if k:
            loads.append(time.perf_counter() - t0)
        new = page.evaluate(STAGE)
        if k == 3:
            for j, prog in enumerate(PROGRAMS):
                code = page.locator("textarea").first
                code.fill(prog)
                page.wait_for_timeout(300)
                t0 = time.perf_counter()
                code.press("Control+Enter")
                page.wait_for_function(HAS_Q, arg=j, timeout=60_000, polling=20)
                runs.append(time.perf_counter() - t0)
                page.wait_for_timeout(500)
            sets += _settings(page)
        out = {"load": statistics.median(loads) if loads else 0.0,
               "run": statistics.median(runs) if runs else 0.0,
               "setting": statistics.median(sets) if sets else 0.0}
        if k == 3 and new:
            out |= _playback(page, sent)
        ctx.close()
    return out


def _settings(page: object) -> list[float]:
    """A changed setting (the input x, Enter) to the stage showing the new output."""
    box = page.locator(".st-key-lab-input-x input").first  # type: ignore[attr-defined]
    if not box.count():  # an older build without the inputs panel keyed so
        return []
    out = []
    for x, q in SETTINGS:
        box.fill(str(x))
        t0 = time.perf_counter()
        box.press("Enter")
        page.wait_for_function(HAS_VALUE, arg=q, timeout=60_000, polling=20)  # type: ignore[attr-defined]
        out.append(time.perf_counter() - t0)
        page.wait_for_timeout(500)  # type: ignore[attr-defined]
    return out


def _playback(page: object, sent: list) -> dict[str, float]:
    """Play at the fastest speed; frames per second and messages sent to the server."""
    page.wait_for_timeout(1000)  # type: ignore[attr-defined]  # the last rerun settles
    page.evaluate("() => { const s = document.querySelector('.bp-speed');"  # type: ignore[attr-defined]
                  " s.value = s.options[s.options.length - 1].value; }")
    before = len(sent)
    page.evaluate("() => { const st = document.querySelector('.bp-stage')._bp;"  # type: ignore[attr-defined]
                  " st.show(0); st.times = []; st.toggle(); }")
    page.wait_for_function("() => document.querySelector('.bp-stage').dataset.playing === '0'",  # type: ignore[attr-defined]
                           timeout=60_000, polling=20)
    times = page.evaluate("() => document.querySelector('.bp-stage')._bp.times")  # type: ignore[attr-defined]
    fps = (len(times) - 1) / ((times[-1] - times[0]) / 1000)  # first to last frame drawn
    raw = page.evaluate("() => document.querySelector('.bp-stage')._bp.bench(60)")  # type: ignore[attr-defined]
    return {"fps": fps, "raw_fps": raw, "sent": len(sent) - before}


def stage_budgets(rows: list, baseline: Path | None = None) -> None:
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, root in [("new", ROOT), *([("base", baseline)] if baseline else [])]:
            url, proc = _serve(root)
            try:
                results[name] = _measure(browser, url)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        browser.close()
    new, base = results["new"], results.get("base")

    def ratio(key: str) -> str:
        return f" ({new[key] / base[key]:.2f}x baseline {base[key]:.2f} s)" if base else ""
    rows.append(row("lab: first load to a visible stage", f"{new['load']:.2f} s" + ratio("load"),
                    "<= 2.5 s", new["load"] <= 2.5))
    rows.append(row("lab: Run (Ctrl+Enter) to stage updated", f"{new['run']:.2f} s"
                    + ratio("run"), "<= 0.6 s", new["run"] <= 0.6))
    if new["setting"]:
        rows.append(row("lab: a changed setting (input x) to stage updated",
                        f"{new['setting']:.2f} s", "<= 0.6 s", new["setting"] <= 0.6))
    if "fps" in new:
        rows.append(row("lab: playback at the fastest speed", f"{new['fps']:.1f} frames/s",
                        ">= 15 frames/s", new["fps"] >= 15))
        rows.append(row("lab: frames the player can draw", f"{new['raw_fps']:.0f} frames/s",
                        ">= 15 frames/s", new["raw_fps"] >= 15))
        rows.append(row("lab: messages to the server while playing", f"{new['sent']:.0f}",
                        "0", new["sent"] == 0))
