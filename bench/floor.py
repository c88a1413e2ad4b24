"""Why sixty browsers on the server's own cores cannot show the class's time budget,
whatever the server does: the Chromium CPU one fresh context spends drawing an empty
Streamlit page (the framework's floor, before our app draws anything), and the lower
bound it puts on the wave.

The bound: with p95 <= `budget_s` over the wave's 2N visits (two links a student), at
least 95% of them end by their deadline; each costs its browser at least the floor; the
last deadline is the last arrival + a visit + the watching between links + a visit. So
the browsers need 0.95 x 2N x floor CPU-seconds by then, and the machine's cores give
cores x that window. More needed than given: no server can meet the budget here.
"""

from __future__ import annotations

import os
import statistics
import time

from bench.server import ARGS, CHROMIUM, serve
from bench.timing import row

EMPTY_APP = "bench/empty_app.py"
VISITS = 3  # fresh contexts, median


def framework_floor(exe: str = CHROMIUM, offline: str = "") -> float:
    """Median Chromium CPU-seconds for a fresh context to draw an empty Streamlit page."""
    from playwright.sync_api import sync_playwright

    from bench.cpu import browser_cpu

    spent = []
    with serve(app=EMPTY_APP) as (url, _proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe,
                                    args=[*ARGS, *([offline] if offline else [])])
        for _ in range(VISITS):
            ctx = browser.new_context(viewport={"width": 1366, "height": 768})
            page = ctx.new_page()
            c0 = browser_cpu(os.getpid())
            page.goto(url, wait_until="commit")
            page.wait_for_selector("h1", state="visible", timeout=60_000)
            time.sleep(0.2)  # the last paint of the frame that showed it
            spent.append(browser_cpu(os.getpid()) - c0)
            ctx.close()
        browser.close()
    return statistics.median(spent)


def wave_bound(n: int, per_visit_s: float, arrival_s: float, budget_s: float,
               between_s: float, cores: int) -> tuple[float, float, float]:
    """(CPU-seconds the browsers need, the window in seconds, CPU-seconds the cores give)."""
    need = 0.95 * 2 * n * per_visit_s
    window = arrival_s + 2 * budget_s + between_s
    return need, window, cores * window


def cores() -> int:
    return len(os.sched_getaffinity(0))


def bound_rows(rows: list, n: int, floor_s: float, app_s: tuple[float, float] | None,
               arrival_s: float, budget_s: float, between_s: float) -> None:
    """The floor, one student's browser cost, and the bound for a class of `n`."""
    k = cores()
    rows.append(row("Chromium CPU: one context draws an empty Streamlit page",
                    f"{floor_s:.2f} s", "", None))
    if app_s:
        rows.append(row("Chromium CPU: one student alone, lab / net link -> stage",
                        f"{app_s[0]:.2f} / {app_s[1]:.2f} s", "", None))
    need, window, give = wave_bound(n, floor_s, arrival_s, budget_s, between_s, k)
    rows.append(row(f"class of {n}: browsers need at least (empty pages)",
                    f"{need:.0f} CPU-s within {window:.1f} s", f"<= {give:.0f} ({k} cores)",
                    need <= give))
    if app_s:
        need_app = 0.95 * n * (app_s[0] + app_s[1])
        rows.append(row(f"class of {n}: browsers need (this app's pages)",
                        f"{need_app:.0f} CPU-s within {window:.1f} s",
                        f"<= {give:.0f} ({k} cores)", need_app <= give))
