"""Creating a project (the permission, or staff) and editing each of its settings, on the page and through
the API, with an audit row for every change."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from annotation.projects import services
from tasks.models import AuditEvent, Membership, Project, RankingMode, Role, User, default_rubric
from tests.annotation.projects.conftest import RUBRIC, Api, form_data


def create_form(**changes: Any) -> dict[str, Any]:
    return form_data(Project(), slug="new-evals", name="New evals", **changes)


def test_a_user_with_the_permission_creates_a_project_and_becomes_its_lead(client: Client, creator: User) -> None:
    client.force_login(creator)

    answer = client.post("/projects/new/", create_form(rubric=RUBRIC, ranking_mode="ranking"))

    assert answer.status_code == 302 and answer["Location"] == "/projects/new-evals/settings/"
    project = Project.objects.get(slug="new-evals")
    assert project.ranking_mode == RankingMode.RANKING
    assert [d["key"] for d in project.rubric] == ["correctness", "security"]
    assert project.rubric[1]["required"] is False and "required" not in project.rubric[0]
    assert Membership.objects.get(project=project).user == creator
    assert Membership.objects.get(project=project).role == Role.LEAD
    created = AuditEvent.objects.get(project=project)
    assert created.action == "project.created" and created.actor == creator
    assert created.changes["rubric"][0] is None and created.changes["name"] == [None, "New evals"]


def test_without_the_permission_creating_is_refused_and_the_button_is_hidden(client: Client, lead: User) -> None:
    client.force_login(lead)

    assert client.get("/projects/new/").status_code == 403
    assert client.post("/projects/new/", create_form()).status_code == 403
    assert not Project.objects.filter(slug="new-evals").exists()
    assert "New project" not in client.get("/projects/").content.decode()


def test_the_button_shows_for_a_creator_and_for_staff(client: Client, creator: User, staff: User) -> None:
    for user in (creator, staff):
        client.force_login(user)
        assert 'href="/projects/new/"' in client.get("/projects/").content.decode()


def test_a_bad_setting_re_renders_with_its_reason_and_writes_nothing(client: Client, creator: User) -> None:
    client.force_login(creator)
    bad = [{"key": "Bad Key", "label": "x", "min": 1, "max": 5}]

    answer = client.post("/projects/new/", create_form(rubric=bad, overlap=0))

    html = answer.content.decode()
    assert answer.status_code == 400
    assert "key &#x27;Bad Key&#x27; must be 1-40 of a-z" in html
    assert "Ensure this value is greater than or equal to 1" in html
    assert not Project.objects.filter(slug="new-evals").exists()


def test_a_taken_or_reserved_slug_is_refused_with_its_reason(client: Client, creator: User, project: Project) -> None:
    client.force_login(creator)

    taken = client.post("/projects/new/", {**create_form(), "slug": project.slug})
    reserved = client.post("/projects/new/", {**create_form(), "slug": "new"})

    assert taken.status_code == 400 and "already exists: choose another slug" in taken.content.decode()
    assert reserved.status_code == 400 and "is reserved" in reserved.content.decode()


EDITS: list[tuple[str, Any]] = [
    ("name", "Renamed"),
    ("instructions", "# Read this\n\nTest the **edge cases**."),
    ("ranking_mode", "pairwise"),
    ("overlap", 3),
    ("gold_share", 0.25),
    ("review_sample_rate", 0.5),
    ("pay_rate_per_hour", Decimal("31.50")),
    ("min_tests", 4),
    ("min_rationale_chars", 200),
    ("requires_ideal_solution", True),
    ("qualification_required", True),
    ("qualification_minutes", 20),
    ("qualification_pass_score", 0.9),
    ("allowed_languages", ["python"]),
    ("comment_categories", [{"key": "bug", "label": "Bug"}, {"key": "naming", "label": "Naming"}]),
    (
        "rubric",
        [{"key": "clarity", "label": "Clarity", "help": "Plain words.", "min": 0, "max": 3, "required": False}],
    ),
    (
        "rubric",
        [*default_rubric(), {"key": "tests", "label": "Tests", "help": "", "min": 1, "max": 3}],
    ),
]


@pytest.mark.parametrize(("field", "value"), EDITS, ids=[e[0] for e in EDITS])
def test_each_setting_is_saved_from_the_page_with_an_audit_row(
    client: Client, creator: User, setup_project: Project, field: str, value: Any
) -> None:
    client.force_login(creator)
    setup_project.ranking_mode = RankingMode.PAIRWISE if field != "ranking_mode" else RankingMode.RANKING
    setup_project.save(update_fields=["ranking_mode"])
    old = getattr(setup_project, field)

    answer = client.post(f"/projects/{setup_project.slug}/settings/", form_data(setup_project, **{field: value}))

    assert answer.status_code == 302, answer.content.decode()[:3000]
    setup_project.refresh_from_db()
    assert getattr(setup_project, field) == value
    event = AuditEvent.objects.filter(project=setup_project, action="project.updated").get()
    assert event.actor == creator and list(event.changes) == [field]
    shown = (lambda v: str(v)) if field == "pay_rate_per_hour" else (lambda v: v)
    assert event.changes[field] == [shown(old), shown(value)]


def test_saving_the_page_unchanged_writes_no_audit_row(client: Client, creator: User, setup_project: Project) -> None:
    client.force_login(creator)

    answer = client.post(f"/projects/{setup_project.slug}/settings/", form_data(setup_project))

    assert answer.status_code == 302
    assert not AuditEvent.objects.filter(project=setup_project, action="project.updated").exists()


def test_the_api_creates_reads_and_patches_with_the_same_validator(client: Client, creator: User) -> None:
    api = Api(client, creator)

    created = api.post("projects", {"slug": "api-evals", "name": "API evals", "rubric": RUBRIC})
    assert created.status_code == 201, created.content
    assert created.json()["rubric"][1] == {**RUBRIC[1], "required": False}

    refused = api.patch("projects/api-evals", {"rubric": [{"key": "x", "label": "X", "min": 5, "max": 1}]})
    assert refused.status_code == 400
    assert refused.json() == {"rubric": ["dimension 1 (x): the scale goes from min to max, 0 <= min < max <= 10"]}

    patched = api.patch("projects/api-evals", {"overlap": 2, "pay_rate_per_hour": "40.00"})
    assert patched.status_code == 200 and patched.json()["overlap"] == 2
    assert api.get("projects/api-evals").json()["pay_rate_per_hour"] == "40.00"
    event = AuditEvent.objects.get(project__slug="api-evals", action="project.updated")
    assert event.changes == {"overlap": [1, 2], "pay_rate_per_hour": ["25.00", "40.00"]}


def test_the_api_refuses_creating_without_the_permission(client: Client, lead: User) -> None:
    answer = Api(client, lead).post("projects", {"slug": "nope", "name": "Nope"})

    assert answer.status_code == 403 and not Project.objects.filter(slug="nope").exists()


def test_the_schema_documents_the_setup_endpoints(client: Client, creator: User) -> None:
    client.force_login(creator)

    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert {"post"} <= set(paths["/api/v1/projects"])
    assert {"get", "patch"} <= set(paths["/api/v1/projects/{slug}"])
    for tail in ("archive", "unarchive", "duplicate"):
        assert "post" in paths[f"/api/v1/projects/{{slug}}/{tail}"]
    assert "get" in paths["/api/v1/projects/{slug}/audit"]


def test_the_grant_command_gives_and_takes_the_permission(lead: User) -> None:
    from django.core.management import call_command

    call_command("grant_create_projects", lead.username)
    assert User.objects.get(pk=lead.pk).has_perm("tasks.create_project")
    call_command("grant_create_projects", lead.username, "--revoke")
    assert not User.objects.get(pk=lead.pk).has_perm("tasks.create_project")


def test_the_settings_page_shows_the_editors_and_their_json(
    client: Client, creator: User, setup_project: Project
) -> None:
    client.force_login(creator)

    html = client.get(f"/projects/{setup_project.slug}/settings/").content.decode()

    assert 'data-editor="rubric"' in html and 'data-editor="categories"' in html
    assert "/static/js/project_setup.js" in html and "/static/css/project_setup.css" in html
    assert json.dumps([d["key"] for d in setup_project.rubric]).replace('"', "&quot;") in html  # locked keys


def test_an_import_outside_the_allowed_languages_is_refused_line_by_line(creator: User, setup_project: Project) -> None:
    from tasks.importing import ImportRejected, import_tasks
    from tests.conftest import task_line

    services.update_project(project=setup_project, actor=creator, values={"allowed_languages": ["python"]})

    with pytest.raises(ImportRejected) as rejected:
        import_tasks(
            project=setup_project,
            lines=[json.dumps(task_line("py-1")), json.dumps(task_line("js-1", language="javascript"))],
        )
    assert rejected.value.errors == ['line 2: project "setup" takes python only, this task is javascript']
    services.update_project(project=setup_project, actor=creator, values={"allowed_languages": []})
    assert (
        import_tasks(project=setup_project, lines=[json.dumps(task_line("js-1", language="javascript"))]).created == 1
    )


def test_the_export_metadata_allow_list_is_set_on_the_page_and_through_the_api(
    client: Client, creator: User, setup_project: Project
) -> None:
    client.force_login(creator)

    page = client.post(
        f"/projects/{setup_project.slug}/settings/",
        form_data(setup_project, export_metadata_keys="source, difficulty,, source"),
    )
    setup_project.refresh_from_db()
    shown = client.get(f"/projects/{setup_project.slug}/settings/").content.decode()
    api = Api(client, creator).patch(f"projects/{setup_project.slug}", {"export_metadata_keys": ["topic"]})
    refused = Api(client, creator).patch(f"projects/{setup_project.slug}", {"export_metadata_keys": "x" * 101})

    assert page.status_code == 302 and setup_project.export_metadata_keys == ["difficulty", "source"]
    assert 'value="difficulty, source"' in shown  # the field shows what is saved
    assert api.status_code == 200 and api.json()["export_metadata_keys"] == ["topic"]
    assert refused.status_code == 400
    event = AuditEvent.objects.filter(project=setup_project, action="project.updated").order_by("id").first()
    assert event is not None and event.changes["export_metadata_keys"] == [[], ["difficulty", "source"]]
