"""Who may log in, and for how long a key works (issue 11): the login lockout (django-axes, per username
and address), API tokens that expire after API_TOKEN_MAX_AGE_DAYS, and that are revoked when their owner
logs out or changes their password."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_out
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from tasks import services
from tasks.compiled import Compiled
from tasks.models import User

# The signed-in user's row, read on every request (django.contrib.auth.get_user): compiled once per
# connection. Still a read of the row each time, so a deactivation or a new password counts at once.
_USER: Compiled[User] = Compiled(lambda pk: User._default_manager.filter(pk=pk)[:1], pk=int)


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, in front of ModelBackend, for logins over the web (the login page, the
    admin's and POST /api/v1/auth/token all pass their request). authenticate() without a request (the
    test client's login(), a shell) is no web login and has no address to lock out: it is passed on to
    ModelBackend instead of being refused as django-axes would."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is not None:
            super().authenticate(request, username, password, **kwargs)


class PasswordBackend(ModelBackend):
    """ModelBackend (passwords, permissions), with the session's user read through a compiled query: the
    ORM building that one SELECT again cost more than running it, on every request of a signed-in user.
    Sessions name the backend that signed them in: one made by ModelBackend before it was replaced here
    signs in again once."""

    def get_user(self, user_id: Any) -> User | None:
        return active_user(self, user_id)


def active_user(backend: Any, user_id: Any) -> User | None:
    """ModelBackend.get_user's answer (the user, None when missing or deactivated), compiled."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    user = _USER.first(pk=pk)
    return user if user is not None and backend.user_can_authenticate(user) else None


def client_ip(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or behind TRUSTED_PROXIES proxies the address the farthest of
    them saw, read from the right of X-Forwarded-For (what each proxy appended; a client can only forge
    the left). REST framework's NUM_PROXIES reads it the same way for its throttles."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return str(request.META.get("REMOTE_ADDR", ""))


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many failed logins for this username from your address: logging in is blocked for {minutes} "
        "minutes. Try again later, or ask an administrator to unlock the account."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The login page again, saying why, with 429 (django-axes' AXES_LOCKOUT_CALLABLE)."""
    context = {"form": AuthenticationForm(request), "locked_out": lockout_message()}
    return render(request, "registration/login.html", context, status=429)


def expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)


def is_expired(token: Token) -> bool:
    return timezone.now() >= expires_at(token)


def current_token(user: User) -> Token:
    """The user's token, or a new one when they have none or theirs expired."""
    token = Token.objects.filter(user=user).first()
    if token is None or is_expired(token):
        token = services.rotate_api_token(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token KEY`, refused once the token is API_TOKEN_MAX_AGE_DAYS old: a key copied into
    a script or a log stops working on its own."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            raise AuthenticationFailed(
                f"Your API token expired on {expires_at(token):%Y-%m-%d} (tokens last API_TOKEN_MAX_AGE_DAYS="
                f"{settings.API_TOKEN_MAX_AGE_DAYS} days): get a new one on the API token page (/accounts/token/) "
                "or with POST /api/v1/auth/token."
            )
        return user, token


class RevokeApiTokensOnPasswordChange:
    """Not a rule for passwords (it accepts every one): Django calls each validator's password_changed()
    whenever a user's password is set and saved, by a form, the admin, `changepassword` or set_password(),
    the one hook all of them share. A new password must lock out whoever had the old one, API included.
    (A login that only upgrades the stored hash does not call it.)"""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            Token.objects.filter(user=user).delete()

    def get_help_text(self) -> str:
        return "Changing your password revokes your API token."


@receiver(user_logged_out, dispatch_uid="tasks.auth.revoke_token_on_logout")
def revoke_token_on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    """Logging out (of the site or the admin) revokes the user's API token too. Connected when this module
    is imported, which tasks.views does, so in every process that serves the URLconf."""
    if user is not None:
        Token.objects.filter(user=user).delete()
