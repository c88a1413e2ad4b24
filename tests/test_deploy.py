"""Deployment files: the image installs what dev.sh installs, and the proxy
configuration really keeps each browser session on one replica (HAProxy on loopback)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from bench.server import free_port, serve, wait_healthy
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def test_dockerfile_installs_what_dev_sh_installs() -> None:
    docker = (ROOT / "Dockerfile").read_text()
    assert "COPY packages.txt" in docker and "xargs -a /tmp/packages.txt" in docker
    assert "pip install --no-cache-dir -r requirements.txt" in docker
    assert re.search(r"^FROM python:3\.11", docker, re.M)  # the Python Community Cloud runs
    dev = (ROOT / "dev.sh").read_text()
    assert "packages.txt" in dev  # dev.sh reads the same apt list
    assert "torch==2.13.0" in (ROOT / "requirements.txt").read_text()
    # the image must not carry local state into a build
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", "test-artifacts"} <= set(ignored)


@pytest.mark.browser
def test_haproxy_keeps_each_session_on_its_replica(browser, tmp_path: Path) -> None:  # noqa: ANN001
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        if os.environ.get("CI"):
            pytest.fail("haproxy is not installed: dev.sh test must install it")
        pytest.skip("no haproxy here")
    with serve(log=tmp_path / "r1.log") as (url1, _), serve(log=tmp_path / "r2.log") as (url2, _):
        proxy_port = free_port()
        env = {**os.environ, "BP_PROXY_PORT": str(proxy_port),
               "BP_PORT_1": url1.rsplit(":", 1)[1], "BP_PORT_2": url2.rsplit(":", 1)[1]}
        proc = subprocess.Popen([haproxy, "-db", "-f", str(DEPLOY / "haproxy.cfg")], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{proxy_port}"
            wait_healthy(base, proc, seconds=30)
            time.sleep(2.5)  # both health checks up
            seen: dict[str, str] = {}
            for i in range(4):
                ctx = browser.new_context()
                page = ctx.new_page()
                page.goto(base + "/learn")
                page.wait_for_selector("h1", timeout=90_000)
                replica = {c["name"]: c["value"] for c in ctx.cookies()}.get("BP_REPLICA")
                assert replica in ("r1", "r2"), ctx.cookies()
                # the same session again: the cookie brings it back to the same replica,
                # and the page (which runs over the websocket) still works there
                page.reload()
                page.wait_for_selector("h1", timeout=90_000)
                again = {c["name"]: c["value"] for c in ctx.cookies()}["BP_REPLICA"]
                assert again == replica
                assert not page.locator("[data-testid=stException]").count()
                seen[f"s{i}"] = replica
                ctx.close()
            assert set(seen.values()) == {"r1", "r2"}, seen  # the class is spread out
        finally:
            proc.terminate()
            proc.wait(timeout=10)
