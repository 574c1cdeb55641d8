"""Claims from the OIDC userinfo endpoint, verified when signed (ProConnect answers ``application/jwt``).

Streamlit's ``st.login`` keeps only the ID-token claims; ProConnect delivers the identity claims at
userinfo, as a JWT signed with the provider's key (ES256 or RS256). This fetches userinfo with the
access token, checks the signature against the provider's JWKS (alg allow-list: never ``none`` nor
HS* with a public key), the issuer and the audience, and that the subject is the ID token's.
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any, cast

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

ALLOWED_ALGS = ["ES256", "RS256", "PS256", "ES384", "RS384", "ES512", "RS512"]
_TIMEOUT_S = 10
_METADATA_TTL_S = 3600
_cache: dict[str, tuple[float, Any]] = {}


class UserinfoError(Exception):
    """Userinfo could not be fetched or did not verify; the sign-in is refused."""


def _get(url: str, *, token: str | None = None) -> tuple[str, bytes]:
    headers = {"Accept": "application/jwt, application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=_TIMEOUT_S) as resp:
            return resp.headers.get("Content-Type", ""), resp.read()
    except OSError as exc:
        raise UserinfoError(f"{url} : {exc}") from exc


def _cached_json(url: str, refresh: bool = False) -> Any:
    now = time.monotonic()
    hit = _cache.get(url)
    if hit and not refresh and now - hit[0] < _METADATA_TTL_S:
        return hit[1]
    _, body = _get(url)
    value = json.loads(body)
    _cache[url] = (now, value)
    return value


def verify_userinfo_jwt(token: str, jwks: dict[str, Any], *, issuer: str, client_id: str) -> dict[str, Any]:
    """Verify a signed userinfo JWT; the claims, or UserinfoError."""
    try:
        keys = KeySet.import_key_set(cast(Any, jwks))
        claims = dict(jwt.decode(token, keys, algorithms=ALLOWED_ALGS).claims)
    except (JoseError, ValueError) as exc:
        raise UserinfoError(f"signature du userinfo invalide : {exc}") from exc
    if claims.get("iss") != issuer:
        raise UserinfoError(f"issuer du userinfo inattendu : {claims.get('iss')!r}")
    aud = claims.get("aud")
    if not (aud == client_id or (isinstance(aud, list) and client_id in aud)):
        raise UserinfoError(f"audience du userinfo inattendue : {aud!r}")
    exp = claims.get("exp")
    if isinstance(exp, int | float) and exp < time.time() - 60:
        raise UserinfoError("userinfo expiré")
    return claims


def fetch_userinfo(access_token: str, metadata_url: str, client_id: str, *, require_jwt: bool,
                   expected_sub: str) -> dict[str, Any]:
    """Userinfo claims for ``access_token``: a verified JWT (required when ``require_jwt``) or JSON."""
    meta = _cached_json(metadata_url)
    content_type, body = _get(meta["userinfo_endpoint"], token=access_token)
    if content_type.split(";")[0].strip() == "application/jwt":
        token = body.decode("ascii").strip()
        try:
            claims = verify_userinfo_jwt(token, _cached_json(meta["jwks_uri"]), issuer=meta["issuer"],
                                         client_id=client_id)
        except UserinfoError:  # the provider may have rotated its keys: fetch them once more
            claims = verify_userinfo_jwt(token, _cached_json(meta["jwks_uri"], refresh=True),
                                         issuer=meta["issuer"], client_id=client_id)
    elif require_jwt:
        raise UserinfoError(f"userinfo non signé ({content_type or 'type inconnu'}) alors qu'un JWT est exigé")
    else:
        claims = json.loads(body)
        claims.setdefault("iss", meta["issuer"])
    if claims.get("sub") != expected_sub:
        raise UserinfoError("le sub du userinfo ne correspond pas à celui du jeton d'identité")
    return claims
