"""seed_demo: a demo project with realistic tasks and one login per role, safe to run twice."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tasks.models import Membership, Project, Task


@pytest.fixture(autouse=True)
def _debug_on(settings: object) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]  # as on a developer's machine; Django's test setup turns it off


@pytest.mark.django_db
def test_it_seeds_a_demo_project_with_both_languages_and_every_role(client: Client) -> None:
    call_command("seed_demo", stdout=None)

    demo = Project.objects.get(slug="demo")
    languages = set(demo.tasks.values_list("language", flat=True))
    roles = dict(Membership.objects.filter(project=demo).values_list("user__username", "role"))
    assert demo.tasks.count() >= 20 and languages == {"python", "javascript"}
    assert roles["lead"] == "lead" and roles["reviewer"] == "reviewer" and roles["annotator"] == "annotator"
    assert client.login(username="lead", password="demo")


@pytest.mark.django_db
def test_running_it_twice_changes_nothing() -> None:
    call_command("seed_demo")
    counts = (Project.objects.count(), Task.objects.count(), Membership.objects.count())

    call_command("seed_demo")

    assert (Project.objects.count(), Task.objects.count(), Membership.objects.count()) == counts


@pytest.mark.django_db
def test_it_refuses_to_seed_known_passwords_in_production(settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_the_demo_annotator_cannot_see_the_leads_only_project(client: Client) -> None:
    call_command("seed_demo")
    client.login(username="annotator", password="demo")

    assert client.get("/projects/internal-evals/").status_code == 404
    assert client.get("/projects/demo/").status_code == 200
