"""Issue 11, finding 8: API tokens never expired and survived logout (and a password change)."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tasks import services
from tasks.models import User


def aged(user: User, days: int) -> Token:
    token = services.rotate_api_token(user=user)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=days))
    return token


def test_an_expired_token_is_refused_with_a_clear_message(client: Client, annotator: User, settings) -> None:
    token = aged(annotator, settings.API_TOKEN_MAX_AGE_DAYS + 1)

    answer = client.get("/api/v1/projects/", headers={"Authorization": f"Token {token.key}"})

    assert answer.status_code == 401
    detail = answer.json()["detail"]
    assert "expired" in detail and "API_TOKEN_MAX_AGE_DAYS" in detail and "API token page" in detail


def test_a_token_younger_than_the_maximum_age_works(client: Client, annotator: User, settings) -> None:
    token = aged(annotator, settings.API_TOKEN_MAX_AGE_DAYS - 1)

    assert client.get("/api/v1/projects/", headers={"Authorization": f"Token {token.key}"}).status_code == 200


def test_the_token_endpoint_replaces_an_expired_token(client: Client, annotator: User, settings) -> None:
    old = aged(annotator, settings.API_TOKEN_MAX_AGE_DAYS + 1)

    answer = client.post("/api/v1/auth/token", {"username": annotator.username, "password": "ann-annotator-pw"})

    assert answer.status_code == 200
    assert answer.json()["token"] != old.key
    assert (
        client.get("/api/v1/projects/", headers={"Authorization": f"Token {answer.json()['token']}"}).status_code == 200
    )


def test_the_token_endpoint_keeps_a_valid_token(client: Client, annotator: User) -> None:
    current = services.rotate_api_token(user=annotator)

    answer = client.post("/api/v1/auth/token", {"username": annotator.username, "password": "ann-annotator-pw"})

    assert answer.json()["token"] == current.key


def test_the_token_page_says_when_the_token_expires(client: Client, annotator: User, settings) -> None:
    token = services.rotate_api_token(user=annotator)
    client.force_login(annotator)

    page = client.get("/accounts/token/").content.decode()

    expires = token.created + dt.timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
    assert f"Expires on {expires:%Y-%m-%d}" in page
    assert "Logging out or changing your password revokes it" in page


def test_the_token_page_says_an_expired_token_expired(client: Client, annotator: User, settings) -> None:
    aged(annotator, settings.API_TOKEN_MAX_AGE_DAYS + 1)
    client.force_login(annotator)

    assert "This token has expired" in client.get("/accounts/token/").content.decode()


def test_logging_out_revokes_the_api_token(client: Client, annotator: User) -> None:
    services.rotate_api_token(user=annotator)
    client.force_login(annotator)

    assert client.post("/accounts/logout/").status_code == 302
    assert not Token.objects.filter(user=annotator).exists()


def test_logging_out_of_the_admin_revokes_it_too(client: Client, staff: User) -> None:
    services.rotate_api_token(user=staff)
    client.force_login(staff)

    client.post("/admin/logout/")

    assert not Token.objects.filter(user=staff).exists()


def test_changing_the_password_revokes_the_api_token(annotator: User, annotator2: User) -> None:
    services.rotate_api_token(user=annotator)
    services.rotate_api_token(user=annotator2)

    annotator.set_password("a-brand-new-password")
    annotator.save()

    assert not Token.objects.filter(user=annotator).exists()
    assert Token.objects.filter(user=annotator2).exists()  # only the owner's token goes


def test_logging_in_does_not_revoke_the_token(client: Client, annotator: User) -> None:
    token = services.rotate_api_token(user=annotator)

    assert (
        client.post("/accounts/login/", {"username": annotator.username, "password": "ann-annotator-pw"}).status_code
        == 302
    )
    assert Token.objects.filter(key=token.key).exists()


def test_each_user_sees_only_their_own_token(client: Client, lead: User, reviewer: User, annotator: User) -> None:
    tokens = {user.username: services.rotate_api_token(user=user).key for user in (lead, reviewer, annotator)}

    for user in (lead, reviewer, annotator):
        client.force_login(user)
        page = client.get("/accounts/token/").content.decode()
        assert [name for name, key in tokens.items() if key in page] == [user.username]


def test_the_token_page_needs_a_login(client: Client) -> None:
    answer = client.get("/accounts/token/")

    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
