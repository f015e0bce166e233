"""One HTTP POST to a webhook endpoint, and nothing more: no redirect followed, a timeout on every
socket operation, the answer's head kept, and (unless WEBHOOK_ALLOW_PRIVATE) only public addresses.

The host is resolved once, every address it resolves to is checked, and the connection goes to the
checked address (TLS still verifies the certificate against the host name), so a DNS answer that
changes between the check and the connection cannot point the request into the server's own network.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

LOG_BODY_CHARS = 2048  # the head of the receiver's answer kept in the log
USER_AGENT = "code-preference-annotation-webhooks/1"


class Refused(Exception):
    """The URL may not be called; the message says why and what to change."""


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (the error says why)
    duration_ms: int
    body: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def check_url(url: str) -> None:
    """Refuse what is not an http(s) URL with a host and no credentials, or names a non-public address
    literally; host names are checked when they are resolved, at each delivery."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("url: give an http:// or https:// URL with a host name")
    if parts.username or parts.password:
        raise Refused("url: leave the user name and password out; the signature tells the receiver it is us")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError:
        raise Refused("url: the port must be a number from 1 to 65535") from None
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return  # a host name
    _check_address(parts.hostname, address)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url`; connection errors and refusals come back as an Answer with an error."""
    started = time.monotonic()
    try:
        return _post(url, body, headers, started)
    except Refused as refused:
        return Answer(status=None, duration_ms=_ms(started), error=str(refused))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Answer(status=None, duration_ms=_ms(started), error=f"{type(exc).__name__}: {exc}"[:1000])


def _post(url: str, body: bytes, headers: dict[str, str], started: float) -> Answer:
    check_url(url)
    parts = urlsplit(url)
    host, https = str(parts.hostname), parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = _resolve(host, port)
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    connection: http.client.HTTPConnection = (
        _PinnedHTTPS(host, port, address=address, timeout=timeout)
        if https
        else _PinnedHTTP(host, port, address=address, timeout=timeout)
    )
    try:
        target = parts.path or "/"
        connection.request(
            "POST",
            f"{target}?{parts.query}" if parts.query else target,
            body=body,
            headers={"User-Agent": USER_AGENT, **headers},
        )
        response = connection.getresponse()
        head = response.read(LOG_BODY_CHARS).decode("utf-8", errors="replace")
        error = ""
        if 300 <= response.status < 400:
            error = f"redirects are not followed (Location: {response.getheader('Location', '')[:500]})"
        return Answer(status=response.status, duration_ms=_ms(started), body=head, error=error)
    finally:
        connection.close()


def _resolve(host: str, port: int) -> str:
    """The address to connect to; every address the name has must be allowed, not only the first."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        _check_address(host, ipaddress.ip_address(address))
    return addresses[0]


def _check_address(host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return
    # an IPv4-mapped address (::ffff:127.0.0.1) is not global unless its IPv4 address is (the test checks it)
    if not address.is_global or address.is_multicast:
        raise Refused(
            f"{host} is {address}, not a public address: webhooks go to public addresses only "
            "(set WEBHOOK_ALLOW_PRIVATE=1 where the receivers are on a private network)"
        )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """Connects to the checked address and verifies the certificate against the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
