"""python -m bench --classroom N: a class of N students on one server.

N headless Chromium contexts arrive within 20 s; each opens the teacher's Expression
Lab link and plays it, then the Tiny Network link with 1,000 steps trained and presses
Play. Reported: time from opening a link to a visible stage (p50/p95/max), errors,
server memory before/after and per session, the cache hit rate of shared work, and how
fast the server answers a new visitor right after the wave. `--hostile` adds one more
session that sends a worst-case program over and over while the class works.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.server import ARGS, CHROMIUM, MB, serve, tree_pss
from bench.timing import row

ARRIVAL_S = 20.0  # the whole class arrives within this window
TIMEOUT_MS = 120_000
LAB_LINK = "/?preset=seed-2layer"  # the lab is the default page: served at the root
NET_LINK = "/tiny_network?network=classifier&dataset=moons&trained=1000"
# What counts as "the stage is visible": the page's stage has drawn its figure.
STAGE = {"lab": ".bp-stage[data-ready='1'] .bp-plot .main-svg",
         "net": ".st-key-net-episode .bp-plot[data-painted]"}
PLAY = {"lab": ".bp-stage .bp-play", "net": ".st-key-net-episode .bp-play"}
HOSTILE = "x = torch.ones(100, 100, requires_grad=True)\n" + "x = x @ x + x\n" * 250


@dataclass
class Session:
    stage_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def _offline(ctx) -> None:  # noqa: ANN001
    async def guard(route) -> None:  # noqa: ANN001
        host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url \
            else ""
        if host in ("127.0.0.1", "localhost", "") or route.request.url.startswith("data:"):
            await route.continue_()
        else:
            await route.abort()
    await ctx.route("**/*", guard)


async def _visit(page, url: str, which: str, s: Session) -> None:  # noqa: ANN001
    t0 = time.monotonic()
    await page.goto(url, wait_until="commit")
    await page.wait_for_selector(STAGE[which], state="visible", timeout=TIMEOUT_MS)
    s.stage_s.append(time.monotonic() - t0)
    play = page.locator(PLAY[which]).first
    if await play.is_visible():
        await play.click(no_wait_after=True, timeout=10_000)
    else:
        s.errors.append(f"no visible Play on {url}")
    await page.wait_for_timeout(1500)  # watch it play
    if await page.locator("[data-testid=stException]").count():
        s.errors.append(f"exception on {url}")


async def _student(browser, base: str, delay: float, keep: list | None = None  # noqa: ANN001
                   ) -> Session:
    """One student; with `keep`, the context stays open (measured at the peak)."""
    await asyncio.sleep(delay)
    s = Session()
    ctx = await browser.new_context(viewport={"width": 1366, "height": 768})
    await _offline(ctx)
    page = await ctx.new_page()
    page.on("pageerror", lambda e: s.errors.append(f"page error: {e}"))
    try:
        await _visit(page, base + LAB_LINK, "lab", s)
        await _visit(page, base + NET_LINK, "net", s)
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
    await _offline(ctx)
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


async def _class(base: str, n: int, hostile: bool, pid: int) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        warm = await _student(browser, base, 0)  # the teacher opens the links first
        before = tree_pss(pid)
        stop = asyncio.Event()
        bad = asyncio.create_task(_hostile(browser, base, stop)) if hostile else None
        open_: list = []
        students = await asyncio.gather(*(_student(browser, base, i * ARRIVAL_S / n, open_)
                                          for i in range(n)))
        after = tree_pss(pid)  # every student still connected
        stop.set()
        for ctx in open_:
            await ctx.close()
        sent = await bad if bad else 0
        late = await _student(browser, base, 0)  # a new visitor right after the wave
        await browser.close()
    return {"warm": warm, "students": students, "late": late, "before": before,
            "after": after, "hostile_sent": sent}


def classroom(rows: list, n: int, hostile: bool = False) -> None:
    stats = Path(tempfile.mkstemp(suffix=".jsonl")[1])
    with serve(env={"BACKPROP_STATS": str(stats)}) as (url, proc):
        r = asyncio.run(_class(url, n, hostile, proc.pid))
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
    rows.append(row(f"class of {who}: errors", str(len(errors)), "0", not errors))
    for e in errors[:5]:
        print("error:", e)
    rows.append(row("server memory before the wave (PSS, with workers)",
                    f"{r['before'] / MB:.0f} MB", "", None))
    rows.append(row("server memory after the wave", f"{r['after'] / MB:.0f} MB",
                    "<= 1.5 GB", r["after"] <= 1536 * MB))
    per = (r["after"] - r["before"]) / n
    rows.append(row("memory per extra session", f"{per / MB:.2f} MB", "<= 2 MB",
                    per <= 2 * MB))
    late = r["late"].stage_s
    if late:
        rows.append(row("new visitor right after the wave: link -> stage",
                        f"{late[0]:.2f} s", "<= 2 s", late[0] <= 2))
    hits = [json.loads(x) for x in stats.read_text().splitlines() if x.strip()]
    if hits:
        rate = sum(h["hit"] for h in hits) / len(hits)
        rows.append(row("shared-work cache hit rate", f"{rate:.0%}", "", None))
    stats.unlink(missing_ok=True)


def cold_start(rows: list) -> None:
    """From `streamlit run` to the first page drawn in a browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
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
