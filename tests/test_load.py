"""Load: 20 concurrent browser sessions on the real server, each running its own
program and training steps. No errors, no state seen across sessions, memory per
session bounded, and the server still answers afterwards."""

from __future__ import annotations

import asyncio
import threading
import urllib.request

import pytest

from bench.server import rss
from tests.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.load]
SESSIONS = 20
MB = 1024 * 1024


async def _session(browser, url: str, i: int) -> tuple[object, list[str]]:  # noqa: ANN001
    await asyncio.sleep(0.5 * (i % SESSIONS))  # staggered arrivals, as in a classroom
    ctx = await browser.new_context(viewport={"width": 1300, "height": 900})
    ctx.set_default_timeout(180_000)  # 20 browsers and the server share 2 cores
    page = await ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(url, wait_until="domcontentloaded")
    await page.wait_for_selector("textarea", timeout=180_000)
    code = page.locator("textarea").first
    await code.fill(f"v{i} = x * {i + 2} + x")
    await code.press("Control+Enter", no_wait_after=True)
    await page.wait_for_function(
        f"() => [...document.querySelectorAll('.bp-plot text')]"  # the stage's node labels
        f".some(t => t.textContent.trim().startsWith('v{i} '))", timeout=180_000)
    names = [n.split(" · ")[0] for n in await page.locator(".bp-plot text").all_text_contents()]
    others = [n for n in names if n.strip().startswith("v") and n.strip() != f"v{i}"
              and n.strip()[1:].isdigit()]
    assert not others, f"session {i} sees another session's program: {others}"
    # the sidebar link: a page switch inside the same session (no reload)
    await page.get_by_role("link", name="Tiny Network").click(no_wait_after=True)
    await page.wait_for_selector(".st-key-net-do_step", timeout=180_000)
    await page.wait_for_timeout(1000)
    # no_wait_after: under load a rerun can look like a navigation to Playwright
    await page.get_by_role("button", name="Train 300 more steps").click(no_wait_after=True,
                                                                        timeout=180_000)
    await page.wait_for_function(  # the stage holds the second chunk's frames
        "() => { const r = document.querySelector('.st-key-net-episode .bp-stage');"
        " return r && r._bp && r._bp.n > 49; }",
        timeout=180_000)
    if await page.locator("text=Traceback").count():
        errors.append("traceback shown")
    return ctx, errors


async def _drive(url: str, pid: int) -> dict[str, float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm_ctx, errors = await _session(browser, url, 999)  # one session first
        before = rss(pid)
        results = await asyncio.gather(*(_session(browser, url, i) for i in range(SESSIONS)))
        after = rss(pid)
        for _ctx, errs in results:
            errors += errs
        await results[0][0].pages[0].screenshot(path=str(ARTIFACTS / "load-session.png"))
        for ctx, _ in results:
            await ctx.close()
        await warm_ctx.close()
        await browser.close()
    assert not errors, errors
    return {"before": before, "after": after}


def test_twenty_concurrent_sessions(server_proc) -> None:  # noqa: ANN001
    url, proc = server_proc
    # Its own thread: the sync Playwright of the other browser tests keeps an event loop
    # running in this one, and asyncio.run() refuses to nest.
    box: dict = {}

    def drive() -> None:
        try:
            box["m"] = asyncio.run(_drive(url, proc.pid))
        except BaseException as e:  # noqa: BLE001 - re-raised in the test's thread
            box["error"] = e
    worker = threading.Thread(target=drive)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    m = box["m"]
    per_session = (m["after"] - m["before"]) / SESSIONS
    (ARTIFACTS / "load.txt").write_text(
        f"sessions {SESSIONS}\nrss before {m['before'] / MB:.0f} MB\n"
        f"rss after {m['after'] / MB:.0f} MB\nper session {per_session / MB:.1f} MB\n")
    assert per_session < 30 * MB  # bounded: no per-session copies of models or caches
    with urllib.request.urlopen(url + "/_stcore/health", timeout=10) as r:
        assert r.status == 200  # still responsive
