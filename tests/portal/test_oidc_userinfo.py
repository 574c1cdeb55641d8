"""The ProConnect userinfo JWT is verified against the provider's JWKS, over real HTTP on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from portal.services.oidc import UserinfoError, fetch_userinfo

CLIENT = "vigie-test"


class Provider:
    """A minimal provider: discovery, JWKS and a userinfo endpoint answering what the test sets."""

    def __init__(self) -> None:
        self.key = ECKey.generate_key("P-256", parameters={"kid": "k1", "alg": "ES256", "use": "sig"})
        self.jwks = {"keys": [self.key.as_dict(private=False)]}
        self.userinfo: tuple[str, bytes] = ("application/json", b"{}")
        self.seen_tokens: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"

    def sign(self, claims: dict[str, object], key=None, alg: str = "ES256") -> None:  # type: ignore[no-untyped-def]
        token = jwt.encode({"alg": alg, "kid": "k1"}, claims, key or self.key)
        self.userinfo = ("application/jwt", token.encode())

    def claims(self, **extra: object) -> dict[str, object]:
        return {"iss": self.issuer, "aud": CLIENT, "sub": "agent-42", "given_name": "Chloé",
                "usual_name": "Petit", "siret": "21750001600019", "exp": int(time.time()) + 60, **extra}

    def _handler(self):  # type: ignore[no-untyped-def]
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # type: ignore[no-untyped-def]
                pass

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body, ctype = json.dumps({"issuer": provider.issuer, "jwks_uri": provider.issuer + "/jwks",
                                              "userinfo_endpoint": provider.issuer + "/userinfo"}).encode(), \
                        "application/json"
                elif self.path == "/jwks":
                    body, ctype = json.dumps(provider.jwks).encode(), "application/json"
                elif self.path == "/userinfo":
                    provider.seen_tokens.append(self.headers.get("Authorization", ""))
                    ctype, body = provider.userinfo
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.end_headers()
                self.wfile.write(body)

        return Handler


@contextmanager
def running_provider() -> Iterator[Provider]:
    p = Provider()
    thread = threading.Thread(target=p.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield p
    finally:
        p.server.shutdown()
        p.server.server_close()


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running_provider() as p:
        yield p


def _fetch(p: Provider, *, require_jwt: bool = True, sub: str = "agent-42") -> dict[str, object]:
    return fetch_userinfo("access-token-1", p.issuer + "/.well-known/openid-configuration", CLIENT,
                          require_jwt=require_jwt, expected_sub=sub)


def test_a_signed_userinfo_is_verified_and_its_claims_returned(provider):
    provider.sign(provider.claims())
    claims = _fetch(provider)
    assert claims["usual_name"] == "Petit" and claims["siret"] == "21750001600019"
    assert provider.seen_tokens == ["Bearer access-token-1"]


def test_an_rs256_provider_works_too(provider):
    rsa = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
    provider.jwks = {"keys": [rsa.as_dict(private=False)]}
    provider.sign(provider.claims(), key=rsa, alg="RS256")
    assert _fetch(provider)["sub"] == "agent-42"


@pytest.mark.parametrize("change, message", [
    ({"aud": "another-client"}, "audience"),
    ({"iss": "https://evil.example"}, "issuer"),
    ({"sub": "someone-else"}, "sub"),
    ({"exp": 1_000_000}, "expiré"),
])
def test_wrong_claims_are_refused(provider, change, message):
    provider.sign(provider.claims(**change))
    with pytest.raises(UserinfoError, match=message):
        _fetch(provider)


def test_a_token_signed_by_another_key_is_refused(provider):
    other = ECKey.generate_key("P-256", parameters={"kid": "k1", "alg": "ES256"})
    provider.sign(provider.claims(), key=other)
    with pytest.raises(UserinfoError, match="signature"):
        _fetch(provider)


def test_an_hmac_token_is_refused_whatever_its_secret(provider):
    provider.sign(provider.claims(), key=OctKey.import_key("a-shared-secret-of-32-bytes-long!!"), alg="HS256")
    with pytest.raises(UserinfoError, match="signature"):
        _fetch(provider)


def test_unsigned_json_is_refused_when_a_jwt_is_required(provider):
    provider.userinfo = ("application/json", json.dumps(provider.claims()).encode())
    with pytest.raises(UserinfoError, match="non signé"):
        _fetch(provider)
    assert _fetch(provider, require_jwt=False)["given_name"] == "Chloé"  # a generic IdP in "json" mode
