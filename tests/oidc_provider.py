"""A small OpenID Connect provider on 127.0.0.1, in a thread, for the single sign-on tests: discovery,
JWKS, an authorization endpoint that signs in whoever the test chose and redirects back with a code, a
token endpoint that checks the client, the redirect URI and PKCE and returns an RS256 ID token (joserfc),
and userinfo. `tamper` makes it misbehave the ways a forged or replayed answer would."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "code-preferences"
CLIENT_SECRET = "provider-test-secret"
KID = "test-key-1"


@dataclass
class Provider:
    issuer: str = ""
    redirect_uri: str = "http://testserver/accounts/oidc/callback/"
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": KID, "alg": "RS256"}))
    person: dict[str, Any] = field(default_factory=dict)  # the claims of whoever signs in next
    tamper: dict[str, Any] = field(
        default_factory=dict
    )  # id_token claims to override; "other_key": sign with another key
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # access token -> userinfo
    calls: list[str] = field(default_factory=list)
    claimed_issuer: str = ""  # the issuer its discovery document names, when not its own

    def sign_in_as(self, email: str, *, verified: Any = True, sub: str = "", **claims: Any) -> None:
        self.person = {"sub": sub or f"sub-{email}", "email": email, "email_verified": verified, **claims}

    # --- endpoints

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.claimed_issuer or self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if query.get("client_id") != CLIENT_ID or query.get("redirect_uri") != self.redirect_uri:
            return 400, {}, b"unknown client or redirect_uri"
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
            return 400, {}, b"code flow with PKCE S256 only"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "person": dict(self.person)}
        location = f"{self.redirect_uri}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": location}, b""

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None:
            return 400, {"error": "invalid_grant"}
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        if form.get("redirect_uri") != grant["redirect_uri"] or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        challenge = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        if challenge.rstrip(b"=").decode() != grant["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        person = grant["person"]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": person["sub"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.get("nonce"),
            **{k: v for k, v in person.items() if k != "sub"},
        }
        tamper = dict(self.tamper)
        key = RSAKey.generate_key(2048, parameters={"kid": KID}) if tamper.pop("other_key", False) else self.key
        claims.update(tamper)
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = person
        id_token = jwt.encode({"alg": "RS256", "kid": KID}, claims, key)
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        person = self.tokens.get(authorization.removeprefix("Bearer "))
        return (200, person) if person else (401, {"error": "invalid_token"})


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            provider.calls.append(url.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                self._send(*provider.authorize(query))
            elif url.path == "/userinfo":
                self._json(*provider.userinfo(self.headers.get("Authorization", "")))
            else:
                self._send(404, {}, b"")

        def do_POST(self) -> None:
            provider.calls.append(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            if self.path == "/token":
                self._json(*provider.token(form))
            else:
                self._send(404, {}, b"")

        def _json(self, status: int, data: dict[str, Any]) -> None:
            self._send(status, {"Content-Type": "application/json"}, json.dumps(data).encode())

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return None

    return Handler


@contextmanager
def running_provider() -> Iterator[Provider]:
    """A provider listening on a free loopback port until the block ends."""
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
