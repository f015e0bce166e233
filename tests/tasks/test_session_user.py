"""The signed-in user, read on every request through a compiled query (tasks/auth.py PasswordBackend):
the read is never a cache, so what an administrator changes counts on the user's next request."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tasks.models import Project, User


def test_a_signed_in_user_passes_through_the_password_backend(client: Client, annotator: User) -> None:
    assert client.login(username=annotator.username, password=f"{annotator.username}-pw")

    answer = client.get("/projects/")

    assert answer.status_code == 200
    assert answer.wsgi_request.user == annotator
    assert client.session["_auth_user_backend"] == "tasks.auth.PasswordBackend"


def test_deactivated_behind_the_orms_back_the_next_request_is_anonymous(
    client: Client, annotator: User, project: Project
) -> None:
    client.force_login(annotator)
    assert client.get(f"/projects/{project.slug}/").status_code == 200

    User.objects.filter(pk=annotator.pk).update(is_active=False)  # no signal, no save(): nothing to invalidate a cache

    answer = client.get(f"/projects/{project.slug}/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")


def test_a_password_changed_elsewhere_ends_the_session(client: Client, annotator: User, project: Project) -> None:
    client.force_login(annotator)
    assert client.get(f"/projects/{project.slug}/").status_code == 200

    # The session's hash of the password no longer matches.
    User.objects.filter(pk=annotator.pk).update(password="pbkdf2_sha256$1$other$hash")

    answer = client.get(f"/projects/{project.slug}/")
    assert answer.status_code == 302
    assert SESSION_KEY not in client.session


def test_a_deleted_users_session_is_anonymous(client: Client, annotator: User) -> None:
    client.force_login(annotator)
    User.objects.filter(pk=annotator.pk).delete()

    assert client.get("/projects/").status_code == 302


def test_one_user_after_another_on_one_connection_each_gets_their_own_row(project: Project) -> None:
    """The compiled plan is kept per connection and reused: the values must be each request's own."""
    members = list(project.memberships.select_related("user").order_by("user__username"))
    assert len(members) >= 3
    for member in members * 2:
        client = Client()
        client.force_login(member.user)
        with CaptureQueriesContext(connection) as seen:
            answer = client.get("/projects/")
        assert answer.wsgi_request.user.pk == member.user.pk
        assert answer.wsgi_request.user.username == member.user.username
        reads = [q["sql"] for q in seen.captured_queries if 'FROM "user"' in q["sql"] and "LIMIT 1" in q["sql"]]
        assert reads, "the user is read from the database on every request"
