"""Single sign-on through OpenID Connect: real sign-ins against the provider tests/oidc_provider.py runs on
127.0.0.1, the test client following each redirect by hand (to the provider over HTTP, back with its code)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client

from tasks import services
from tasks.models import User
from tests.conftest import make_user
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider
from tests.test_settings import start_django

SIGN_IN = "/accounts/oidc/authenticate/"
CALLBACK = "/accounts/oidc/callback/"
BACKENDS = ["tasks.auth.LoginLockoutBackend", "tasks.auth.PasswordBackend", "tasks.oidc.OIDCBackend"]


@pytest.fixture
def provider(db: None, settings: Any) -> Iterator[Provider]:
    """The provider, and single sign-on turned on as OIDC_ENABLED=1 and the README's example would."""
    with running_provider() as provider:
        settings.OIDC_ENABLED = True
        settings.OIDC_PROVIDER_NAME = "Corp SSO"
        settings.OIDC_ISSUER = provider.issuer
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["example.com", "corp.example"]
        settings.AUTHENTICATION_BACKENDS = BACKENDS
        yield provider


def to_provider(client: Client, start: str = SIGN_IN) -> str:
    """Press the button: the URL of the provider's authorization page it leads to."""
    response = client.get(start)
    assert response.status_code == 302, response.content
    return str(response.headers["Location"])


def back_from_provider(client: Client, authorize_url: str) -> Any:
    """The provider signs its person in and redirects back; the test client follows to the callback."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == CALLBACK
    return client.get(f"{back.path}?{back.query}")


def sign_in(client: Client, provider: Provider, email: str, **claims: Any) -> Any:
    provider.sign_in_as(email, **claims)
    return back_from_provider(client, to_provider(client))


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def login_page_after(client: Client, response: Any) -> str:
    """The page a refused sign-in lands on, with its message."""
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    return page.content.decode()


# --- Signing in


def test_an_allowed_verified_address_signs_in_with_a_new_account_without_staff_rights(
    client: Client, provider: Provider
) -> None:
    response = sign_in(client, provider, "Alice.Smith@example.com", is_staff=True, groups=["admin"])

    assert response.status_code == 302 and response.headers["Location"] == "/projects/"
    user = signed_in_user(client)
    assert user is not None
    assert (user.username, user.email, user.email_verified) == ("Alice.Smith", "Alice.Smith@example.com", True)
    assert not user.is_staff and not user.is_superuser and not user.has_usable_password()
    assert user.memberships.count() == 0
    page = client.get("/projects/").content.decode()
    assert "You are not a member of any project yet. Ask a project lead to add you." in page


def test_the_flow_uses_pkce_state_and_nonce(client: Client, provider: Provider) -> None:
    query = parse_qs(urlsplit(to_provider(client)).query)

    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == ["http://testserver/accounts/oidc/callback/"]


def test_a_second_domain_of_the_list_signs_in_too_and_returns_to_next(client: Client, provider: Provider) -> None:
    provider.sign_in_as("carol@CORP.example")

    response = back_from_provider(client, to_provider(client, f"{SIGN_IN}?next=/accounts/token/"))

    assert response.headers["Location"] == "/accounts/token/"
    assert signed_in_user(client) is not None


def test_an_existing_account_with_the_same_address_is_signed_in_and_keeps_its_flags(
    client: Client, provider: Provider
) -> None:
    bob = make_user("bob")
    bob.email, bob.email_verified = "bob@example.com", True  # only a verified address matches
    bob.save(update_fields=["email", "email_verified"])

    sign_in(client, provider, "BOB@example.com", is_superuser=True)

    assert signed_in_user(client) == bob
    bob.refresh_from_db()
    assert (bob.is_staff, bob.is_superuser, bob.email) == (False, False, "bob@example.com")
    assert User.objects.count() == 1


def test_an_account_whose_email_differs_is_never_taken_over(client: Client, provider: Provider) -> None:
    alice = make_user("alice")
    alice.email = "alice@elsewhere.org"
    alice.save(update_fields=["email"])
    make_user("Alice-2")

    sign_in(client, provider, "alice@example.com")

    user = signed_in_user(client)
    assert user is not None and user != alice
    assert user.username == "alice-3"  # "alice" and "Alice-2" are taken (case does not matter)


def test_two_accounts_with_the_address_refuse_rather_than_pick_one(client: Client, provider: Provider) -> None:
    for name in ("dup1", "dup2"):
        user = make_user(name)
        user.email, user.email_verified = "dup@example.com", True
        user.save(update_fields=["email", "email_verified"])

    page = login_page_after(client, sign_in(client, provider, "dup@example.com"))

    assert "More than one account here uses dup@example.com" in page
    assert signed_in_user(client) is None


# --- Refusals, each with a sentence on the login page


def test_an_address_outside_the_allowed_domains_is_refused_with_a_message(client: Client, provider: Provider) -> None:
    page = login_page_after(client, sign_in(client, provider, "mallory@example.com.evil.org"))

    assert "Addresses at example.com.evil.org may not sign in here." in page
    assert signed_in_user(client) is None
    assert not User.objects.exists()
    assert not AccessAttempt.objects.exists()  # a refusal is no failed password: the lockout does not count it


def test_a_subdomain_of_an_allowed_domain_is_refused(client: Client, provider: Provider) -> None:
    page = login_page_after(client, sign_in(client, provider, "eve@mail.example.com"))

    assert "Addresses at mail.example.com may not sign in here." in page


@pytest.mark.parametrize("verified", [False, "false", None])
def test_an_unverified_address_is_refused_with_a_message(client: Client, provider: Provider, verified: Any) -> None:
    bob = make_user("bob")
    bob.email = "bob@example.com"
    bob.save(update_fields=["email"])

    page = login_page_after(client, sign_in(client, provider, "bob@example.com", verified=verified))

    assert "Corp SSO has not verified the address bob@example.com" in page
    assert signed_in_user(client) is None


@pytest.mark.parametrize(
    "tamper",
    [
        {"nonce": "not-the-nonce-of-this-session"},
        {"other_key": True},  # same kid, another key: the signature does not verify
        {"aud": "another-client"},
        {"iss": "http://127.0.0.1:1"},
        {"exp": 1_000_000_000},  # 2001
        {"sub": "someone-else"},  # userinfo speaks of another subject
    ],
    ids=["nonce", "other-key", "audience", "issuer", "expired", "subject"],
)
def test_a_forged_or_stale_id_token_is_refused(client: Client, provider: Provider, tamper: dict[str, Any]) -> None:
    provider.tamper = tamper

    page = login_page_after(client, sign_in(client, provider, "alice@example.com"))

    assert "The sign-in could not be verified" in page
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_a_state_this_session_did_not_start_is_refused(client: Client, provider: Provider) -> None:
    provider.sign_in_as("alice@example.com")
    to_provider(client)  # this session has a state of its own
    other = Client()
    answer = requests.get(to_provider(other), allow_redirects=False, timeout=10)  # another browser's code and state
    back = urlsplit(answer.headers["Location"])

    page = login_page_after(client, client.get(f"{back.path}?{back.query}"))

    assert "The sign-in could not be verified" in page
    assert signed_in_user(client) is None


def test_a_callback_replayed_is_refused(client: Client, provider: Provider) -> None:
    provider.sign_in_as("alice@example.com")
    answer = requests.get(to_provider(client), allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").headers["Location"] == "/projects/"
    client.logout()

    page = login_page_after(client, client.get(f"{back.path}?{back.query}"))

    assert "Single sign-on did not complete: try again." in page  # the state went with the first
    assert signed_in_user(client) is None


def test_the_provider_saying_no_is_shown(client: Client, provider: Provider) -> None:
    to_provider(client)

    page = login_page_after(client, client.get(f"{CALLBACK}?error=access_denied&state=x"))

    assert "Single sign-on did not complete (Corp SSO answered access_denied)" in page


def test_an_unknown_address_is_refused_when_accounts_are_not_created(
    client: Client, provider: Provider, settings: Any
) -> None:
    settings.OIDC_CREATE_USER = False

    page = login_page_after(client, sign_in(client, provider, "newcomer@example.com"))

    assert "No account here uses newcomer@example.com: ask a project lead" in page
    assert not User.objects.exists()


def test_a_deactivated_account_is_refused_and_its_session_ends(client: Client, provider: Provider) -> None:
    sign_in(client, provider, "alice@example.com")
    user = signed_in_user(client)
    assert user is not None and client.get("/projects/").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert client.get("/projects/").status_code == 302  # the open session no longer counts
    page = login_page_after(client, sign_in(client, provider, "alice@example.com"))
    assert "The account of alice@example.com is deactivated" in page


def test_a_provider_that_does_not_answer_gives_a_message(client: Client, provider: Provider, settings: Any) -> None:
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens

    page = login_page_after(client, client.get(SIGN_IN))

    assert "Corp SSO could not be reached or refused the request" in page


def test_a_discovery_document_of_another_issuer_is_refused(client: Client, provider: Provider) -> None:
    provider.claimed_issuer = "https://sso.evil.example"

    page = login_page_after(client, client.get(SIGN_IN))

    assert "The sign-in could not be verified, so it was refused" in page


def test_explicit_endpoints_are_used_without_discovery(client: Client, provider: Provider, settings: Any) -> None:
    for name, path in (("AUTHORIZATION", "authorize"), ("TOKEN", "token"), ("USER", "userinfo"), ("JWKS", "jwks")):
        setattr(settings, f"OIDC_OP_{name}_ENDPOINT", f"{provider.issuer}/{path}")

    sign_in(client, provider, "alice@example.com")

    assert signed_in_user(client) is not None
    assert "/.well-known/openid-configuration" not in provider.calls


# --- The login page and the password switch


def test_the_login_page_shows_the_button_with_the_provider_name_escaped(
    client: Client, provider: Provider, settings: Any
) -> None:
    settings.OIDC_PROVIDER_NAME = "<script>alert(1)</script>Corp"

    page = client.get("/accounts/login/?next=/projects/x/").content.decode()

    assert 'href="/accounts/oidc/authenticate/?next=/projects/x/"' in page
    assert "Sign in with &lt;script&gt;alert(1)&lt;/script&gt;Corp" in page and "<script>alert" not in page
    assert 'name="password"' in page


def test_a_refusal_message_is_escaped(client: Client, provider: Provider) -> None:
    page = login_page_after(client, sign_in(client, provider, "x@<b>evil</b>.org"))

    assert "Addresses at &lt;b&gt;evil&lt;/b&gt;.org may not sign in here." in page


def test_password_logins_still_work_and_still_lock_out(client: Client, provider: Provider, settings: Any) -> None:
    user = make_user("pat")
    answers = [
        client.post("/accounts/login/", {"username": "pat", "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    locked = client.post("/accounts/login/", {"username": "pat", "password": "pat-pw"})

    assert answers[-1] == 429 and locked.status_code == 429
    assert (
        client.post(
            "/accounts/login/", {"username": "pat", "password": "pat-pw"}, REMOTE_ADDR="198.51.100.9"
        ).status_code
        == 302
    )
    assert signed_in_user(client) == user
    assert provider.calls == []  # a password login never waits for the provider


def test_a_password_login_carrying_a_code_never_reaches_the_provider(client: Client, provider: Provider) -> None:
    make_user("pat")

    response = client.post("/accounts/login/?code=stolen&state=s", {"username": "pat", "password": "wrong"})

    assert response.status_code == 200 and signed_in_user(client) is None
    assert "/token" not in provider.calls


def test_with_password_login_off_no_password_works_anywhere(client: Client, provider: Provider, settings: Any) -> None:
    settings.OIDC_PASSWORD_LOGIN = False
    settings.AUTHENTICATION_BACKENDS = [BACKENDS[0], "tasks.oidc.NoPasswordBackend", BACKENDS[2]]
    staff = make_user("sam", staff=True)
    staff.email, staff.email_verified = "sam@example.com", True
    staff.save(update_fields=["email", "email_verified"])

    page = client.get("/accounts/login/").content.decode()
    form = client.post("/accounts/login/", {"username": "sam", "password": "sam-pw"})
    token = client.post("/api/v1/auth/token", {"username": "sam", "password": "sam-pw"})
    admin = client.post("/admin/login/", {"username": "sam", "password": "sam-pw"})

    assert "Sign in with Corp SSO" in page and 'name="password"' not in page
    assert form.status_code == 200 and token.status_code == 400 and admin.status_code == 200
    assert signed_in_user(client) is None
    sign_in(client, provider, "sam@example.com")
    assert signed_in_user(client) == staff
    assert client.get("/admin/").status_code == 200  # permissions still come from the model


# --- Off by default


def test_with_single_sign_on_off_the_urls_are_404_and_no_button_shows(client: Client, db: None, settings: Any) -> None:
    assert settings.OIDC_ENABLED is False
    user = make_user("annie")
    services.rotate_api_token(user=user)

    page = client.get("/accounts/login/").content.decode()

    assert client.get(SIGN_IN).status_code == 404
    assert client.get(f"{CALLBACK}?code=x&state=y").status_code == 404
    assert "Sign in with" not in page and 'name="password"' in page
    assert "tasks.oidc.OIDCBackend" not in settings.AUTHENTICATION_BACKENDS


def test_turning_it_on_requires_the_provider_settings() -> None:
    done = start_django(OIDC_ENABLED="1", OIDC_ISSUER="https://sso.example.com/realms/corp")

    assert done.returncode != 0
    assert (
        "OIDC_ENABLED is on, so OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_ALLOWED_EMAIL_DOMAINS must be set"
        in done.stderr
    )


ON = {
    "OIDC_ENABLED": "1",
    "OIDC_ISSUER": "https://sso.example.com/realms/corp",
    "OIDC_CLIENT_ID": "c",
    "OIDC_CLIENT_SECRET": "s",
    "OIDC_ALLOWED_EMAIL_DOMAINS": "Example.com, corp.example",
}


def started_settings(**env: str) -> dict[str, Any]:
    """The single sign-on settings of a Django started in a fresh process with these variables."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'backends': s.AUTHENTICATION_BACKENDS, 'domains': s.OIDC_ALLOWED_EMAIL_DOMAINS}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_") and k != "DEBUG"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "annotation.settings", **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(("password_login", "second"), [("1", "PasswordBackend"), ("0", "NoPasswordBackend")])
def test_turned_on_the_backends_follow_the_password_switch(password_login: str, second: str) -> None:
    started = started_settings(**ON, OIDC_PASSWORD_LOGIN=password_login)

    assert started["backends"][0] == "tasks.auth.LoginLockoutBackend"  # the lockout stays first
    assert started["backends"][1].endswith(second) and started["backends"][2] == "tasks.oidc.OIDCBackend"
    assert started["domains"] == ["example.com", "corp.example"]


def test_off_the_backends_are_as_before() -> None:
    assert started_settings()["backends"] == BACKENDS[:2]
