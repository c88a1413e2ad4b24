"""Server memory: RSS of a real `streamlit run app.py` after start, after one browser
session, after 20 (headless Chromium contexts kept open, each running the lab)."""

from __future__ import annotations

import time

from bench.server import ARGS, CHROMIUM, MB, rss, serve
from bench.timing import row


def server_memory(rows: list, sessions: int = 20) -> None:
    from playwright.sync_api import sync_playwright

    with serve() as (url, proc):
        start = rss(proc.pid)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            contexts = []

            def open_session() -> None:
                ctx = browser.new_context()
                page = ctx.new_page()
                page.goto(url)
                page.wait_for_selector("svg .node", timeout=120_000)
                contexts.append(ctx)
            open_session()
            time.sleep(1)
            one = rss(proc.pid)
            for _ in range(sessions - 1):
                open_session()
            time.sleep(1)
            many = rss(proc.pid)
            browser.close()
    per = (many - one) / max(sessions - 1, 1)
    rows.append(row("server RSS after start (torch loaded)", f"{start / MB:.0f} MB", "", None))
    rows.append(row("server RSS after 1 session (lab run)", f"{one / MB:.0f} MB", "", None))
    rows.append(row(f"server RSS after {sessions} sessions", f"{many / MB:.0f} MB", "", None))
    rows.append(row("RSS added per extra session", f"{per / MB:.1f} MB", "little", None))
