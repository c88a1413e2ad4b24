"""python -m bench --classroom N --clients protocol: what the SERVER gives a class.

The Chromium mode (bench/classroom.py) runs N browsers on the server's own two cores,
so it measures the browsers (~30x the server's work). Here each student is a protocol
client (bench/wsclient.py: a session of its own, what a browser asks of the server, no
rendering), arriving uniformly within 20 s: the lab link, then the Tiny Network link
(kept open, like a student's tab, until memory is measured). `--chromium K` adds K real
Chromium contexts (SCHED_IDLE, as in classroom.py) in the same wave, measured end to end
(link -> stage drawn). `--hostile`: one more protocol session opens lab links whose
?program= is a worst-case program (a new one each time: no cached refusal) over and over
(HOSTILE_PAUSE_S after each answer; every link is a new session, as a reload is), and
another trains the biggest network a link can ask for, 1,000 steps, with a new seed each
time (never a cache hit: the whole training every time).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
from pathlib import Path
from urllib.parse import quote

from bench import classroom as cr
from bench.cpu import idle_chromium, tree_cpu
from bench.server import ARGS, MB, rss, serve, tree_pss
from bench.timing import row
from bench.wsclient import visit

HOSTILE_PAUSE_S = 0.5  # the hostile session reopens its link this long after an answer
# the biggest network a link can train (ui/url_state.py: 3 hidden layers of 8, 1,000 steps)
TRAINER_LINK = "/tiny_network?network=classifier&hidden=3&units=8&trained=1000&seed={i}"


async def _student(base: str, delay: float, keep: list | None = None,
                   pid: int | None = None) -> cr.Session:
    """One protocol student: both links; `keep` holds the last websocket open; with
    `pid`, each link's server CPU and bytes are recorded (a probe, alone on the server)."""
    await asyncio.sleep(delay)
    s = cr.Session()
    for link in (cr.LAB_LINK, cr.NET_LINK):
        cpu0 = tree_cpu(pid) if pid else 0.0
        v = await visit(base, link, keep=keep is not None and link == cr.NET_LINK)
        if pid:
            s.cost.append((tree_cpu(pid) - cpu0, v.bytes))
        s.errors += v.errors
        if not v.stage_s and not v.errors:
            s.errors.append(f"no stage data on {link}")
        if v.stage_s:
            s.stage_s.append(v.stage_s)
            s.server_s.append(v.done_s)
        if v.ws is not None:
            keep.append(v.ws)  # type: ignore[union-attr]
    return s


async def _hostile(base: str, stop: asyncio.Event, link: str) -> tuple[int, list[float]]:
    """One session after another, each opening `link` made new with {i}."""
    sent, took = 0, []
    while not stop.is_set():
        v = await visit(base, link.format(i=sent))
        sent, took = sent + 1, [*took, v.done_s]
        await asyncio.sleep(HOSTILE_PAUSE_S)
    return sent, took


# a lab link with a new worst-case program each time ({i} in a comment)
PROGRAM_LINK = "/?program=" + quote(cr.HOSTILE + "# ") + "{i}%0A"


async def _class(base: str, n: int, k: int, hostile: bool, pid: int, stats: Path) -> dict:
    await _student(base, 0)  # the teacher opens the links first
    probes = [await _student(base, 0, pid=pid) for _ in range(cr.PROBES)]
    before, rss0 = tree_pss(pid), rss(pid)
    mark = len(stats.read_text().splitlines())
    stop = asyncio.Event()
    bad = [asyncio.create_task(_hostile(base, stop, link))
           for link in ((PROGRAM_LINK, TRAINER_LINK) if hostile else ())]
    sockets: list = []
    browser = pw = None
    if k:
        from playwright.async_api import async_playwright

        pw = await async_playwright().start()
        browser = await pw.chromium.launch(executable_path=idle_chromium(),
                                           args=[*ARGS, cr.OFFLINE])
    contexts: list = []
    cpu0 = cr._cpu(pid)
    chrome = [cr._student(browser, base, (i + 0.5) * cr.ARRIVAL_S / k, contexts)
              for i in range(k)]
    both = await asyncio.gather(*(_student(base, i * cr.ARRIVAL_S / n, sockets)
                                  for i in range(n)), *chrome)
    cpu1 = cr._cpu(pid)
    after, rss1 = tree_pss(pid), rss(pid)  # every student still connected
    lines = stats.read_text().splitlines()[mark:]
    stop.set()
    for ws in sockets:
        await ws.close()
    for ctx in contexts:
        await ctx.close()
    if browser:
        await browser.close()
        await pw.stop()  # type: ignore[union-attr]
    hostiles = [await b for b in bad]
    late = await _student(base, 0)  # a new visitor right after the wave
    return {"probes": probes, "students": both[:n], "chrome": both[n:], "late": late,
            "before": before, "after": after, "rss": (rss0, rss1),
            "hostile": hostiles, "stats": lines,
            "cpu": [b - a for a, b in zip(cpu0, cpu1, strict=True)]}


def _pct(rows: list, label: str, times: list[float], goals: bool) -> None:
    if not times:
        return
    times = sorted(times)
    p50, p95 = statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]
    rows.append(row(f"{label} p50", f"{p50:.2f} s", "<= 2 s" if goals else "",
                    p50 <= 2 if goals else None))
    rows.append(row(f"{label} p95", f"{p95:.2f} s", "<= 5 s" if goals else "",
                    p95 <= 5 if goals else None))
    rows.append(row(f"{label} max", f"{times[-1]:.2f} s ({len(times)})", "", None))


def protocol_class(rows: list, n: int, k: int = 0, hostile: bool = False) -> None:
    stats = Path(tempfile.mkstemp(suffix=".jsonl")[1])
    with serve(env={"BACKPROP_STATS": str(stats)}) as (url, proc):
        r = asyncio.run(_class(url, n, k, hostile, proc.pid, stats))
    stats.unlink(missing_ok=True)
    print(f"method: {n} protocol clients (bench/wsclient.py) + {k} Chromium contexts "
          "(SCHED_IDLE) on this machine")
    cr._cost_rows(rows, r["probes"])
    who = f"{n} protocol students" + (" + 2 hostile" if hostile else "")
    for i, which in enumerate(("lab", "net")):
        _pct(rows, f"{who}, {which}: link -> stage data",
             [s.stage_s[i] for s in r["students"] if len(s.stage_s) > i], True)
    _pct(rows, f"{who}: link -> whole page run", [t for s in r["students"] for t in s.server_s],
         False)
    errors = [e for s in r["students"] for e in s.errors]
    rows.append(row(f"{who}: errors", str(len(errors)), "0", not errors))
    for e in errors[:5]:
        print("error:", e)
    if k:
        _pct(rows, f"{k} Chromium students in the wave: link -> stage drawn",
             [t for s in r["chrome"] for t in s.stage_s], False)
        bad = [e for s in r["chrome"] for e in s.errors]
        rows.append(row(f"{k} Chromium students: errors", str(len(bad)), "0", not bad))
        for e in bad[:3]:
            print("chromium error:", e)
    for what, (sent, took) in zip(("worst-case programs", "biggest-network trainings"),
                                  r["hostile"], strict=False):
        rows.append(row(f"hostile {what} during the wave (median answer)",
                        f"{sent} ({statistics.median(took or [0]):.2f} s)", "", None))
    wall, server, _chrome, machine = r["cpu"]
    rows.append(row("wave CPU: server + workers / machine", f"{server:.1f} / {machine:.0f} s",
                    f"{2 * wall:.0f} s on 2", None))
    rows.append(row("server memory before / after the wave (PSS, with workers)",
                    f"{r['before'] / MB:.0f} / {r['after'] / MB:.0f} MB", "<= 1.5 GB",
                    r["after"] <= 1536 * MB))
    rows.append(row("server process RSS before / after the wave",
                    "{:.0f} / {:.0f} MB".format(*(x / MB for x in r["rss"])), "", None))
    cr.after_wave_rows(rows, r, n + k, "new protocol visitor after the wave: link -> stage data")
