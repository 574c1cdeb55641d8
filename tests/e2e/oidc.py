"""A real OIDC provider on loopback for the browser tests: PyPI ``oidc-provider-mock`` (a dev dependency).

It signs RS256 ID tokens with Authlib, serves discovery, JWKS, userinfo and an end-session endpoint,
and offers one-click sign-in for the users given with ``--user-claims``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.browser import free_port, wait_http

CLIENT_ID = "vigie-e2e"
CLIENT_SECRET = "vigie-e2e-secret"
COOKIE_SECRET = "e2e-only-cookie-secret-0123456789abcdef0123456789"


def port_or_free(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
        except OSError:
            return free_port()
    return preferred


@contextmanager
def running_idp(users: list[dict[str, object]], port: int | None = None) -> Iterator[str]:
    """Start the provider with these users (each a claims dict with ``sub``); yield its issuer URL."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce", "true"]
    for user in users:
        cmd += ["--user-claims", json.dumps(user)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{issuer}/.well-known/openid-configuration", timeout=30)
        yield issuer
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def write_secrets(path: Path, *, app_url: str, issuer: str) -> Path:
    """The ``[auth]`` section a collectivité writes, with ProConnect-compatible client options."""
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        'expose_tokens = ["id", "access"]\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
        'client_kwargs = { scope = "openid email profile", prompt = "", '
        'token_endpoint_auth_method = "client_secret_post" }\n',
        encoding="utf-8",
    )
    return path
