"""python -m bench --classroom N: a class of N students on one server.

N headless Chromium contexts arrive within 20 s; each opens the teacher's Expression
Lab link and plays it, then the Tiny Network link with 1,000 steps trained and presses
Play. Reported: time from opening a link to a visible stage (p50/p95/max), errors,
server memory before/after and per session, the cache hit rate of shared work (by
cache), how fast the server answers a new visitor right after the wave, what one
student costs the server (CPU ms and websocket bytes per link, measured one at a time
before the wave), and where the CPU went during the wave (server + workers, browsers,
the whole machine). `--hostile` adds one more session that sends a worst-case program
over and over while the class works.

Method (`--browsers`): in a classroom every student brings a device; here the N browsers
share the server's cores. `idle` (default) runs Chromium under SCHED_IDLE, so the server
gets the priority it would have on its own machine and the browsers take what it leaves;
`plain` runs them at the server's priority (the browsers' own work then dominates).
Both keep each browser context's HTTP cache (a Playwright route would switch it off and
make every navigation fetch every chunk again): offline is a resolver rule instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.cpu import browser_cpu, idle_chromium, machine_cpu, tree_cpu
from bench.floor import bound_rows, framework_floor
from bench.server import ARGS, CHROMIUM, MB, serve, tree_pss
from bench.timing import row

ARRIVAL_S = 20.0  # the whole class arrives within this window
TIMEOUT_MS = 120_000
BUDGET_S = 5.0  # the p95 budget of link -> stage
WATCH_S = 1.5  # a student watches the stage play before the next link
LAB_LINK = "/?preset=seed-2layer"  # the lab is the default page: served at the root
NET_LINK = "/tiny_network?network=classifier&dataset=moons&trained=1000"
# The bench's selectors, one table (the stages' players change: follow them here).
# What counts as "the stage is visible": the page's stage has drawn its figure.
STAGE = {"lab": ".bp-stage[data-ready='1'] .bp-plot .main-svg",
         "net": ".st-key-net-episode .bp-plot[data-painted]"}
PLAY = {"lab": ".bp-stage .bp-play", "net": ".st-key-net-episode .bp-play"}
# The websocket message that carries the stage's data (bytes found in it): the server's
# side of "link -> stage" ends when it arrives (both pages' stages are the player, whose
# data has "fit_vh").
WS_STAGE = {"lab": b'"fit_vh"', "net": b'"fit_vh"'}
# No network but the server's: names other than loopback do not resolve.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
PROBES = 2  # students measured one at a time before the wave (what one costs the server)
# The worst case for the class: a program that passes every check and spends its whole
# CPU budget (~2 s) in its worker, sent again as soon as it is answered.
HOSTILE = ("a = torch.ones(100, 100)\nb = torch.ones(100, 100) / 100\n"
           "w = torch.ones(1, requires_grad=True)\nwith torch.no_grad():\n"
           "    for i in range(1000):\n        a = torch.tanh(a @ b) + a @ b\n"
           "z = (a.sum() * w).sum()\n")


@dataclass
class Session:
    stage_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cost: list[tuple[float, int]] = field(default_factory=list)  # (server CPU s, ws bytes)
    # websocket opened -> the stage's message received: the server's answer under load
    server_s: list[float] = field(default_factory=list)
    browser_s: list[float] = field(default_factory=list)  # a probe's Chromium CPU to stage


class Socket:
    """The page's websocket as the bench sees it: bytes received, when it opened, when
    the message with the stage (WS_STAGE) arrived."""

    def __init__(self, page) -> None:  # noqa: ANN001
        self.bytes, self.opened, self.stage_at = 0, 0.0, 0.0
        self.want = b""
        page.on("websocket", self._open)

    def _open(self, ws) -> None:  # noqa: ANN001
        self.opened, self.stage_at = time.monotonic(), 0.0
        ws.on("framereceived", self._frame)

    def _frame(self, m: bytes | str) -> None:
        data = m if isinstance(m, bytes) else m.encode()
        self.bytes += len(data)
        if self.want and not self.stage_at and self.want in data:
            self.stage_at = time.monotonic()


async def _visit(page, url: str, which: str, s: Session, pid: int | None,  # noqa: ANN001
                 sock: Socket) -> None:
    t0, cpu0, ws0 = time.monotonic(), tree_cpu(pid) if pid else 0.0, sock.bytes
    chrome0 = browser_cpu(os.getpid()) if pid else 0.0
    sock.want, sock.stage_at = WS_STAGE[which], 0.0
    await page.goto(url, wait_until="commit")
    try:
        await page.wait_for_selector(STAGE[which], state="visible", timeout=TIMEOUT_MS)
    finally:  # the server's answer counts even when the browser never draws it
        if sock.stage_at and sock.opened:
            s.server_s.append(sock.stage_at - max(sock.opened, t0))
    s.stage_s.append(time.monotonic() - t0)
    if pid:  # a probe: the only browser at work
        s.browser_s.append(browser_cpu(os.getpid()) - chrome0)
    play = page.locator(PLAY[which]).first
    try:  # the controls may be drawn a moment after the figure
        await play.wait_for(state="visible", timeout=10_000)
        await play.click(no_wait_after=True, timeout=10_000)
    except Exception:  # noqa: BLE001 - a missing Play is this session's error
        s.errors.append(f"no visible Play on {url}")
    await page.wait_for_timeout(WATCH_S * 1000)  # watch it play
    if await page.locator("[data-testid=stException]").count():
        s.errors.append(f"exception on {url}")
    if pid:  # a probe: alone on the server, so the tree's CPU is this visit's
        s.cost.append((tree_cpu(pid) - cpu0, sock.bytes - ws0))


async def _student(browser, base: str, delay: float, keep: list | None = None,  # noqa: ANN001
                   pid: int | None = None) -> Session:
    """One student; with `keep`, the context stays open (measured at the peak); with
    `pid`, what each link cost the server is recorded (a probe, alone on the server)."""
    await asyncio.sleep(delay)
    s = Session()
    ctx = await browser.new_context(viewport={"width": 1366, "height": 768})
    page = await ctx.new_page()
    page.on("pageerror", lambda e: s.errors.append(f"page error: {e}"))
    sock = Socket(page)
    try:
        await _visit(page, base + LAB_LINK, "lab", s, pid, sock)
        await _visit(page, base + NET_LINK, "net", s, pid, sock)
    except Exception as e:  # noqa: BLE001 - a timeout is an error of this session
        s.errors.append(f"{type(e).__name__}: {str(e).splitlines()[0]}")
    finally:
        if keep is None:
            await ctx.close()
        else:
            keep.append(ctx)
    return s


async def _hostile(browser, base: str, stop: asyncio.Event) -> int:  # noqa: ANN001
    """One student who sends a worst-case program again and again."""
    ctx = await browser.new_context()
    page = await ctx.new_page()
    sent = 0
    try:
        await page.goto(base + "/", wait_until="commit")
        await page.wait_for_selector("textarea", timeout=TIMEOUT_MS)
        while not stop.is_set():
            box = page.locator("textarea").first
            await box.fill(HOSTILE + f"# {sent}\n")
            await box.press("Control+Enter", no_wait_after=True)
            sent += 1
            await page.wait_for_timeout(2500)
    except Exception:  # noqa: BLE001 - the hostile session may be refused: that is fine
        pass
    await ctx.close()
    return sent


def _cpu(pid: int) -> tuple[float, float, float, float]:
    return time.monotonic(), tree_cpu(pid), browser_cpu(os.getpid()), machine_cpu()


async def _class(base: str, n: int, hostile: bool, pid: int, exe: str, stats: Path) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=exe, args=[*ARGS, OFFLINE])
        warm = await _student(browser, base, 0)  # the teacher opens the links first
        probes = [await _student(browser, base, 0, pid=pid) for _ in range(PROBES)]
        before = tree_pss(pid)
        mark = len(stats.read_text().splitlines())
        stop = asyncio.Event()
        bad = asyncio.create_task(_hostile(browser, base, stop)) if hostile else None
        open_: list = []
        cpu0 = _cpu(pid)
        students = await asyncio.gather(*(_student(browser, base, i * ARRIVAL_S / n, open_)
                                          for i in range(n)))
        cpu1 = _cpu(pid)
        after = tree_pss(pid)  # every student still connected
        lines = stats.read_text().splitlines()[mark:]
        stop.set()
        for ctx in open_:
            await ctx.close()
        sent = await bad if bad else 0
        late = await _student(browser, base, 0)  # a new visitor right after the wave
        await browser.close()
    return {"warm": warm, "probes": probes, "students": students, "late": late,
            "before": before, "after": after, "hostile_sent": sent, "stats": lines,
            "cpu": [b - a for a, b in zip(cpu0, cpu1, strict=True)]}


def classroom(rows: list, n: int, hostile: bool = False, browsers: str = "idle") -> None:
    stats = Path(tempfile.mkstemp(suffix=".jsonl")[1])
    exe = idle_chromium() if browsers == "idle" else CHROMIUM
    floor_s = framework_floor(exe, OFFLINE)  # before the app's server starts
    with serve(env={"BACKPROP_STATS": str(stats)}) as (url, proc):
        r = asyncio.run(_class(url, n, hostile, proc.pid, exe, stats))
    stats.unlink(missing_ok=True)
    method = "browsers SCHED_IDLE" if exe != CHROMIUM else "browsers at server priority"
    print(f"method: {n} Chromium contexts on this machine, {method}")
    _cost_rows(rows, r["probes"])
    lab = [s.browser_s[0] for s in r["probes"] if s.browser_s[:1]]
    net = [s.browser_s[1] for s in r["probes"] if s.browser_s[1:]]
    app_s = (statistics.median(lab), statistics.median(net)) if lab and net else None
    bound_rows(rows, n, floor_s, app_s, ARRIVAL_S, BUDGET_S, WATCH_S)
    times = sorted(t for s in r["students"] for t in s.stage_s)
    errors = [e for s in r["students"] for e in s.errors]
    who = f"{n} students" + (" + 1 hostile" if hostile else "")
    if times:
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        rows.append(row(f"class of {who}: link -> stage p50", f"{p50:.2f} s", "<= 2 s",
                        p50 <= 2))
        rows.append(row(f"class of {who}: link -> stage p95", f"{p95:.2f} s", "<= 5 s",
                        p95 <= 5))
        rows.append(row(f"class of {who}: link -> stage max", f"{times[-1]:.2f} s", "", None))
    answers = sorted(t for s in r["students"] for t in s.server_s)
    if answers:
        p50 = statistics.median(answers)
        p95 = answers[min(len(answers) - 1, int(0.95 * len(answers)))]
        rows.append(row(f"class of {who}: socket open -> stage data p50 / p95",
                        f"{p50:.2f} / {p95:.2f} s ({len(answers)})", "", None))
    rows.append(row(f"class of {who}: errors", str(len(errors)), "0", not errors))
    for e in errors[:5]:
        print("error:", e)
    if hostile:
        rows.append(row("hostile programs sent during the wave", str(r["hostile_sent"]), "",
                        None))
    wall, server, chrome, machine = r["cpu"]
    rows.append(row("wave CPU: server + workers / browsers / machine",
                    f"{server:.0f} / {chrome:.0f} / {machine:.0f} s", f"{2 * wall:.0f} s on 2",
                    None))
    rows.append(row("server memory before the wave (PSS, with workers)",
                    f"{r['before'] / MB:.0f} MB", "", None))
    rows.append(row("server memory after the wave", f"{r['after'] / MB:.0f} MB",
                    "<= 1.5 GB", r["after"] <= 1536 * MB))
    after_wave_rows(rows, r, n, "new visitor right after the wave: link -> stage")


def after_wave_rows(rows: list, r: dict, sessions: int, late_label: str) -> None:
    """Memory per session, the new visitor after the wave, the caches' hit rate (both
    ways of driving the class)."""
    per = (r["after"] - r["before"]) / sessions
    rows.append(row("memory per extra session", f"{per / MB:.2f} MB", "<= 2 MB",
                    per <= 2 * MB))
    late = r["late"].stage_s
    if late:
        rows.append(row(late_label, f"{late[0]:.2f} s", "<= 2 s", late[0] <= 2))
    _hit_rows(rows, [json.loads(x) for x in r["stats"] if x.strip()])


def _cost_rows(rows: list, probes: list[Session]) -> None:
    """What one more student costs the server, per link (median of the probes)."""
    for i, which in enumerate(("lab", "net")):
        costs = [s.cost[i] for s in probes if len(s.cost) > i]
        if costs:
            cpu = statistics.median(c[0] for c in costs)
            ws = statistics.median(c[1] for c in costs)
            rows.append(row(f"one student, {which} link: server CPU / websocket",
                            f"{cpu * 1000:.0f} ms / {ws / 1024:.0f} KB", "", None))


def _hit_rows(rows: list, hits: list[dict]) -> None:
    """Hit rate of the shared caches during the wave, overall and by cache."""
    if not hits:
        return
    rate = sum(h["hit"] for h in hits) / len(hits)
    rows.append(row("shared-work cache hit rate (wave)", f"{rate:.0%}", "", None))
    looked, hit = Counter(h["cache"] for h in hits), Counter(h["cache"] for h in hits if h["hit"])
    for name, k in sorted(looked.items()):
        rows.append(row(f"  {name}", f"{hit[name]}/{k} hits", "", None))


def cold_start(rows: list) -> None:
    """From `streamlit run` to the first page drawn in a browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, OFFLINE])
        t0 = time.monotonic()
        with serve() as (url, _proc):
            healthy = time.monotonic() - t0
            page = browser.new_page()
            page.goto(url + LAB_LINK, wait_until="commit")
            page.wait_for_selector("h1", timeout=TIMEOUT_MS)
            first = time.monotonic() - t0
            page.wait_for_selector(STAGE["lab"], state="visible", timeout=TIMEOUT_MS)
            stage = time.monotonic() - t0
        browser.close()
    rows.append(row("cold start: server healthy", f"{healthy:.2f} s", "", None))
    rows.append(row("cold start: first page drawn", f"{first:.2f} s", "<= 5 s", first <= 5))
    rows.append(row("cold start: first stage drawn", f"{stage:.2f} s", "", None))
