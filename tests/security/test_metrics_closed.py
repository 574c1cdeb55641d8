"""Security: Streamlit's ``/_stcore/metrics`` answers without authentication; ``vigie run``
closes it in production (``--metrics closed``, the default there), through ``portal.launcher``."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from portal import cli
from portal.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _serve(module: str, tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = os.environ | {"VIGIE_ENV": "test", "VIGIE_DATABASE_URL": f"sqlite:///{tmp_path / 'v.db'}"}
    proc = subprocess.Popen([sys.executable, "-m", module, "run", str(ROOT / "portal" / "streamlit_app.py"),
                             "--server.headless", "true", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _status(f"http://127.0.0.1:{port}/_stcore/health") == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    pytest.fail(f"{module} did not start")


@pytest.mark.parametrize(("module", "expected"), [("streamlit", 200), ("portal.launcher", 404)])
def test_the_launcher_closes_the_metrics_endpoint(tmp_path, module, expected):
    proc, port = _serve(module, tmp_path)
    try:
        assert _status(f"http://127.0.0.1:{port}/_stcore/metrics") == expected
        assert _status(f"http://127.0.0.1:{port}/_stcore/health") == 200  # the rest is Streamlit's
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.parametrize(("env", "option", "launcher"), [
    ("production", "auto", "portal.launcher"), ("demo", "auto", "streamlit"),
    ("demo", "closed", "portal.launcher"), ("production", "open", "streamlit"),
])
def test_vigie_run_uses_the_launcher_in_production(monkeypatch, env, option, launcher):
    monkeypatch.setenv("VIGIE_ENV", env)
    get_settings.cache_clear()
    calls = []
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, **kw: calls.append(cmd) or 0)
    try:
        cli.cmd_run(argparse.Namespace(headless=True, metrics=option))
    finally:
        get_settings.cache_clear()
    assert calls[0][1:3] == ["-m", launcher]
