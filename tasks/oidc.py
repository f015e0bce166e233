"""Single sign-on through OpenID Connect (issue 13): mozilla-django-oidc's code flow (state, nonce, PKCE),
with the checks this platform needs on top: RS256 ID tokens of the configured issuer and client, a verified
email in an allowed domain, accounts matched by that email only, and refusals the login page can explain.

Off (OIDC_ENABLED unset) both views answer 404 and the backend is not in AUTHENTICATION_BACKENDS."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from tasks.auth import PasswordBackend, active_user
from tasks.models import User

logger = logging.getLogger(__name__)

# discovery document key -> the library's setting that overrides it
ENDPOINTS = {
    "authorization_endpoint": "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "token_endpoint": "OIDC_OP_TOKEN_ENDPOINT",
    "userinfo_endpoint": "OIDC_OP_USER_ENDPOINT",
    "jwks_uri": "OIDC_OP_JWKS_ENDPOINT",
}
DISCOVERY_SECONDS = 3600  # the provider's endpoints rarely move; its keys are read at every sign-in
_USERNAME_CHARS = re.compile(r"[^\w.+-]")


class SignInRefused(Exception):
    """A sign-in this platform refuses, with the sentence the login page shows. Not a SuspiciousOperation,
    which the library's backend swallows into a silent failure."""


def login_options(request: HttpRequest) -> dict[str, Any]:
    """Template context: the single sign-on button (or None) and whether the password form is offered."""
    if not settings.OIDC_ENABLED:
        return {"sso": None, "password_login": True}
    sso = {"name": settings.OIDC_PROVIDER_NAME, "url": reverse("oidc-login")}
    return {"sso": sso, "password_login": settings.OIDC_PASSWORD_LOGIN}


# --- The provider


def endpoint(key: str) -> str:
    """One of the provider's endpoints: its setting when given, else the issuer's discovery document."""
    return str(getattr(settings, ENDPOINTS[key]) or discovery()[key])


def discovery() -> dict[str, Any]:
    """The issuer's /.well-known/openid-configuration, cached; refused unless it names the same issuer."""
    url = settings.OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"
    document = cache.get(f"oidc-discovery:{url}")
    if document is None:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        if document.get("issuer") != settings.OIDC_ISSUER:
            raise SuspiciousOperation(f"{url} names the issuer {document.get('issuer')!r}, not OIDC_ISSUER")
        missing = [key for key in ENDPOINTS if not document.get(key)]
        if missing:
            raise SuspiciousOperation(f"{url} has no {', '.join(missing)}: set it in the environment")
        cache.set(f"oidc-discovery:{url}", document, DISCOVERY_SECONDS)
    return dict(document)


# --- Who may sign in, as whom


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def checked_email(claims: dict[str, Any]) -> str:
    """The address the provider vouches for, or SignInRefused saying why it cannot be used."""
    provider = settings.OIDC_PROVIDER_NAME
    email = str(claims.get("email") or "").strip()
    if "@" not in email:
        raise SignInRefused(f"{provider} did not share your email address, so you cannot be signed in.")
    if claims.get("email_verified") not in (True, "true"):  # Cognito sends the string
        raise SignInRefused(
            f"{provider} has not verified the address {email}: verify it there first, then sign in again."
        )
    if email_domain(email) not in settings.OIDC_ALLOWED_EMAIL_DOMAINS:
        raise SignInRefused(
            f"Addresses at {email_domain(email)} may not sign in here. Use your work account, "
            "or ask an administrator to allow your domain."
        )
    return email


def usernames(email: str) -> Iterator[str]:
    """Candidate usernames for a new account: the address's local part, then numbered, then random."""
    base = _USERNAME_CHARS.sub("", email.rpartition("@")[0])[:140] or "user"
    yield base
    yield from (f"{base}-{n}" for n in range(2, 100))
    while True:
        yield f"{base}-{secrets.token_hex(4)}"


def create_sso_user(*, email: str) -> User:
    """A new account for `email`, verified (the provider vouched for it): no usable password, no staff
    rights, no project (a lead adds them)."""
    for username in usernames(email):
        if User.objects.filter(username__iexact=username).exists():
            continue
        try:
            with transaction.atomic():
                return User.objects.create_user(username, email=email, email_verified=True)  # no password: unusable
        except IntegrityError:  # taken meanwhile by another sign-in
            continue
    raise AssertionError("unreachable: usernames() never ends")


def user_for(email: str) -> User:
    """The account of a verified, allowed address: the one whose email it is and was verified, or a new
    one. An account that only typed the address (a link invite's sign-up) never matches: it is left as it
    is, so claiming someone's address does not capture their sign-in."""
    matches = list(User.objects.filter(email__iexact=email, email_verified=True)[:2])
    if len(matches) > 1:
        raise SignInRefused(f"More than one account here uses {email}: ask an administrator to fix the accounts.")
    if matches:
        if not matches[0].is_active:
            raise SignInRefused(f"The account of {email} is deactivated: ask an administrator.")
        return matches[0]
    if not settings.OIDC_CREATE_USER:
        raise SignInRefused(f"No account here uses {email}: ask a project lead to create one for you.")
    return create_sso_user(email=email)


# --- Authentication backends


class NoPasswordBackend(PasswordBackend):
    """ModelBackend's permissions and session lookup without its password check (OIDC_PASSWORD_LOGIN=0):
    the login page, the admin's and POST /api/v1/auth/token all refuse every password."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        return None


class OIDCBackend(OIDCAuthenticationBackend):
    """The library's code flow, called only by CallbackView (which passes the session's nonce). The
    endpoints are read at sign-in: a password login, for which Django asks every backend too, never waits
    for the provider's discovery document."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or not kwargs.get("nonce"):
            return None  # a password login, or a call without the session's nonce
        self.OIDC_OP_TOKEN_ENDPOINT = endpoint("token_endpoint")
        self.OIDC_OP_USER_ENDPOINT = endpoint("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = endpoint("jwks_uri")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None  # always the provider's JWKS
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """The library checks only the signature: the token must also be ours (aud), the issuer's (iss),
        current (exp, iat) and about someone (sub)."""
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=["RS256"],
                audience=settings.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                leeway=60,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The userinfo claims over the ID token's; both must be about the same subject (OIDC Core 5.3.2)."""
        userinfo: dict[str, Any] = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SignInRefused("The sign-in could not be verified: try again.")
        return {**payload, **userinfo}

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        """Never a takeover: an existing account is used only when its email is the verified address,
        and nothing here changes its flags."""
        return user_for(checked_email(self.get_userinfo(access_token, id_token, payload)))

    def get_user(self, user_id: int) -> User | None:
        """ModelBackend's lookup (compiled), which the library replaced with one that keeps deactivated users in."""
        return active_user(self, user_id)


# --- Views


def refuse(request: HttpRequest, text: str) -> HttpResponse:
    """Back to the login page, which shows why."""
    messages.error(request, text)
    return HttpResponseRedirect(reverse("login"))


def provider_trouble(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.warning("single sign-on failed: %s", exc)
    if isinstance(exc, SuspiciousOperation):
        return refuse(request, "The sign-in could not be verified, so it was refused: try again.")
    return refuse(request, f"{settings.OIDC_PROVIDER_NAME} could not be reached or refused the request: try again.")


class SignInView(OIDCAuthenticationRequestView):
    """GET: to the provider's authorization page, with a new state, nonce and PKCE challenge in the session."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the library reads the endpoint here; we read it in get(), when on

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is off.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint("authorization_endpoint")
        except (requests.RequestException, ValueError, SuspiciousOperation) as exc:
            return provider_trouble(request, exc)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response: HttpResponse = super().get(request)
        return response


class CallbackView(OIDCAuthenticationCallbackView):
    """GET: the provider's answer. Any refusal, a bad state, nonce or signature, or a provider that does
    not answer, ends on the login page with a sentence, never a 400 or 500 page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is off.")
        try:
            response: HttpResponse = super().get(request)
        except SignInRefused as exc:
            logger.info("single sign-on refused: %s", exc)
            return refuse(request, str(exc))
        except (requests.RequestException, ValueError, SuspiciousOperation) as exc:
            return provider_trouble(request, exc)
        return response

    def login_failure(self) -> HttpResponse:
        error = self.request.GET.get("error")
        reason = f" ({settings.OIDC_PROVIDER_NAME} answered {error})" if error else ""
        return refuse(self.request, f"Single sign-on did not complete{reason}: try again.")
