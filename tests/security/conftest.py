"""Helpers of the security tests (the cache they throttle in is emptied for every test by ../../conftest.py)."""

from rest_framework.authtoken.models import Token

from tasks.models import User


def token_header(user: User) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
