"""Log in, log out, and the API token page."""

from django.test import Client
from rest_framework.authtoken.models import Token

from tasks.models import User


def test_logging_in_leads_to_the_project_list(client: Client, annotator: User) -> None:
    answer = client.post("/accounts/login/", {"username": annotator.username, "password": "ann-annotator-pw"})

    assert answer.status_code == 302 and answer["Location"] == "/projects/"


def test_a_wrong_password_says_so(client: Client, annotator: User) -> None:
    answer = client.post("/accounts/login/", {"username": annotator.username, "password": "nope"})

    assert answer.status_code == 200
    assert "didn't match" in answer.content.decode()


def test_logging_out_takes_a_post_and_ends_the_session(client: Client, annotator: User) -> None:
    client.force_login(annotator)

    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/projects/").status_code == 302


def test_the_token_page_creates_and_replaces_a_token(client: Client, annotator: User) -> None:
    client.force_login(annotator)
    client.post("/accounts/token/reset/")
    first = Token.objects.get(user=annotator).key

    page = client.get("/accounts/token/").content.decode()
    client.post("/accounts/token/reset/")

    assert first in page
    assert Token.objects.get(user=annotator).key != first
