"""Helpers to drive the portal in Debian's Chromium through Playwright (no browser download)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextmanager
def running_portal(env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """Start the portal as ``make run`` does (``vigie run``), yield its URL, stop it."""
    port = port or free_port()
    full_env = os.environ | env | {"STREAMLIT_SERVER_PORT": str(port)}
    # `vigie run` starts Streamlit as a child: run both in their own process group and stop the group,
    # or the Streamlit server outlives the test and keeps the port (and an old database) answering.
    proc = subprocess.Popen([sys.executable, "-m", "portal.cli", "run", "--headless"], cwd=ROOT, env=full_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health")
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    deadline = time.monotonic() + 10  # the group's other members (Streamlit) may take a moment longer
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def launch(playwright):  # type: ignore[no-untyped-def]
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def settle(page, timeout: float = 60_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until the script run a click started has finished.

    Streamlit marks its root with ``data-test-script-state``. A click asks for a rerun a moment
    later, so first give the state a short chance to leave ``notRunning``, then wait for it to
    come back. Elements of the previous run stay visible meanwhile: a deferred download clicked
    then holds a file id the rerun has just revoked, and nothing downloads."""
    app = '[data-testid="stApp"]'
    with contextlib.suppress(Exception):
        page.wait_for_selector(f'{app}:not([data-test-script-state="notRunning"])', timeout=2_000)
    # connected too: while the browser reconnects, every widget is disabled
    page.wait_for_selector(f'{app}[data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]',
                           timeout=timeout)


def open_sheet(page, reference: str) -> None:  # type: ignore[no-untyped-def]
    """Go to the use-case sheet page and pick ``reference`` in its selector, as a person would:
    each step waits for the page the previous one asked for, so nothing is typed into a page
    that is being replaced."""
    page.get_by_role("link", name="Fiche cas d'usage").click()
    settle(page)
    picker = page.get_by_role("combobox", name="Cas d'usage")
    picker.wait_for(timeout=60_000)
    picker.click()
    page.keyboard.type(reference)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=reference, exact=False).wait_for(timeout=60_000)
    settle(page)


def demo_sign_in(page, url: str, who: str, at: str = "") -> None:  # type: ignore[no-untyped-def]
    """Open the portal (at the address ``at``, a bookmark such as ``/sheet?ref=…``; the home page by
    default) and use the demo sign-in as ``who`` (a role or a person's name on the list)."""
    page.goto(url + at, wait_until="networkidle")
    page.get_by_text("Mode démonstration").first.wait_for(timeout=30_000)
    page.get_by_text(who).first.click()
    page.get_by_role("button", name="Se connecter").click()
    if not at:
        page.get_by_role("heading", name="Portefeuille").wait_for(timeout=30_000)
    settle(page)


@contextmanager
def signed_in(demo_db: str, who: str, *, at: str = "", timeout: float | None = None,
              **page_options: object) -> Iterator[object]:
    """A page of the demo portal on ``demo_db``, signed in as ``who`` at the address ``at`` (the home page
    by default; skipped, or failed in CI, without Chromium). ``page_options``: Playwright's ``new_page``
    options (viewport, accept_downloads, locale)."""
    import pytest

    from tests.conftest import skip_or_fail

    if chromium_path() is None:
        skip_or_fail("Chromium absent : `make test` l'installe quand c'est possible (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with running_portal({"VIGIE_DATABASE_URL": demo_db, "VIGIE_ENV": "demo"}) as url, \
            sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(**page_options)
        if timeout is not None:
            page.set_default_timeout(timeout)
        demo_sign_in(page, url, who, at)
        yield page
        browser.close()
