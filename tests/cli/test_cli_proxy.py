"""``odoo-async --proxy`` and the environment's proxies: the installed command in a
subprocess, through a real forward proxy on loopback (``forward_proxy``)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from forward_proxy import Site, serve_site

from odoo_async.testing import FakeOdoo

EXE = shutil.which("odoo-async", path=str(Path(sys.executable).parent))
USER, PASSWORD = "squid-user", "pr0xy-s3cret"
COUNT = ["call", "res.partner", "search_count", "[[]]"]


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async for served in serve_site(FakeOdoo()):
        yield served


@pytest.fixture
async def guarded() -> AsyncIterator[Site]:
    async for served in serve_site(FakeOdoo(), credentials=(USER, PASSWORD)):
        yield served


async def run(site: Site, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The command, in a thread, so the proxy keeps running on this loop."""
    assert EXE is not None
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}
    environ.update(ODOO_URL=site.url, ODOO_DB="odoo", ODOO_USERNAME="admin")
    environ.update(ODOO_PASSWORD="admin", **env)
    return await asyncio.to_thread(
        subprocess.run,
        [EXE, *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def with_login(url: str, password: str = PASSWORD) -> str:
    return url.replace("http://", f"http://{USER}:{password}@")


async def test_proxy_flag(site: Site) -> None:
    result = await run(site, *COUNT, "--proxy", site.proxy.url)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 0
    assert site.proxy.requests >= 2  # the login and the call
    assert site.door.connections == 0


async def test_the_environment_s_proxy_with_credentials(guarded: Site) -> None:
    result = await run(guarded, *COUNT, HTTP_PROXY=with_login(guarded.proxy.url))
    assert result.returncode == 0, result.stderr
    assert guarded.proxy.requests >= 2
    assert guarded.proxy.refused == 0
    assert guarded.door.connections == 0


async def test_no_proxy_goes_direct(site: Site) -> None:
    result = await run(site, *COUNT, HTTP_PROXY=site.proxy.url, NO_PROXY="127.0.0.1")
    assert result.returncode == 0, result.stderr
    assert site.proxy.requests == 0
    assert site.door.connections > 0


async def test_credentials_refused_by_the_proxy(guarded: Site) -> None:
    wrong = "n0t-the-s3cret"
    result = await run(
        guarded, *COUNT, HTTPS_PROXY="", HTTP_PROXY=with_login(guarded.proxy.url, wrong)
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"error: the proxy {guarded.proxy.url} (from HTTP_PROXY) refused the credentials"
    )
    assert wrong not in result.stderr + result.stdout
    assert guarded.proxy.refused == 1


async def test_an_unreachable_proxy(site: Site) -> None:
    await site.proxy.aclose()
    result = await run(site, *COUNT, "--proxy", site.proxy.url)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"error: cannot reach the proxy {site.proxy.url} (from --proxy)"
    )
    assert site.door.connections == 0


async def test_the_flag_refuses_credentials(site: Site) -> None:
    result = await run(site, *COUNT, "--proxy", with_login(site.proxy.url))
    assert result.returncode == 2  # a usage error
    assert "--proxy" in result.stderr
    assert "HTTPS_PROXY or HTTP_PROXY" in result.stderr
    assert PASSWORD not in result.stderr + result.stdout
    assert site.proxy.requests == 0
