"""Server memory: RSS of a real `streamlit run app.py` after start, after one browser
session, after 20 (headless Chromium contexts kept open, each running the lab)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.timing import row

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright cannot download browsers here
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MB = 1024 * 1024


def rss(pid: int) -> int:
    """Resident memory of a process, bytes (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_memory(rows: list, sessions: int = 20) -> None:
    from playwright.sync_api import sync_playwright

    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
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
            from bench.envelope import descendants, pss
            pool = sum(pss(k) for k in descendants(proc.pid))
            for _ in range(sessions - 1):
                open_session()
            time.sleep(1)
            many = rss(proc.pid)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    per = (many - one) / max(sessions - 1, 1)
    rows.append(row("server RSS after start (torch loaded)", f"{start / MB:.0f} MB", "", None))
    rows.append(row("server RSS after 1 session (lab run)", f"{one / MB:.0f} MB", "", None))
    rows.append(row("+ envelope pool (forkserver + spare, PSS)", f"{pool / MB:.0f} MB", "",
                    None))
    rows.append(row(f"server RSS after {sessions} sessions", f"{many / MB:.0f} MB", "", None))
    rows.append(row("RSS added per extra session", f"{per / MB:.1f} MB", "little", None))
