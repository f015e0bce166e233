"""Read settings from the environment; a bad value stops start-up with a message that says what to set."""

import os
import re
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

N = TypeVar("N", int, float)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: set it to 1/true/yes/on or 0/false/no/off")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    return _number(name, default, int, "an integer: set it to a whole number", minimum)


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    return _number(name, default, float, "a number: set it to e.g. 1.5", minimum)


def _number(name: str, default: N, parse: type[N], what: str, minimum: N | None) -> N:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not {what}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is too small: it must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str) -> str:
    """An http(s) URL, or "" when unset and the default is empty."""
    value = os.environ.get(name, default).strip()
    if value and not value.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{name}={value!r} is not a URL: set it to https://host/path, or leave it empty")
    return value


def env_secret(name: str, *, debug: bool, dev_default: str, placeholders: frozenset[str], min_length: int = 32) -> str:
    """A secret key. With DEBUG on an unset one is `dev_default`; with DEBUG off it must be set, long enough,
    and none of the values published in this repository (a key anyone can read protects nothing)."""
    value = os.environ.get(name, "")
    if debug:
        return value or dev_default
    problem = secret_problem(value, placeholders=placeholders | {dev_default}, min_length=min_length)
    if problem:
        raise ImproperlyConfigured(
            f"DEBUG is off, so {name} must be set to a random string of at least {min_length} characters "
            f"({problem}; e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    return value


def secret_problem(value: str, *, placeholders: frozenset[str], min_length: int) -> str:
    """Why `value` is no secret, or "" when it may be one."""
    if not value:
        return "it is not set"
    folded = value.strip().lower()
    if folded in {p.lower() for p in placeholders} or folded.startswith(_PLACEHOLDER_PREFIXES):
        return "it is a placeholder published in this repository or by Django"
    if len(value) < min_length:
        return f"it has only {len(value)}"
    return ""


# .env.example's values start so; Django's startproject writes "django-insecure-..." keys.
_PLACEHOLDER_PREFIXES = ("change-me", "changeme", "django-insecure")
_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def env_rate(name: str, default: str) -> str:
    """A throttle rate as Django REST framework reads it: requests/period, e.g. 10/min or 1000/day."""
    value = os.environ.get(name, default).strip()
    if not _RATE.match(value):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate: set it to requests/period, e.g. 10/min or 500/hour"
        )
    return value
