"""seed_demo: a demo project with realistic tasks and one login per role, safe to run twice."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tasks.models import Membership, Project, Task, User


@pytest.fixture(autouse=True)
def _debug_on(settings: object) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]  # as on a developer's machine; Django's test setup turns it off


@pytest.mark.django_db
def test_it_seeds_a_demo_project_with_both_languages_and_every_role(client: Client) -> None:
    call_command("seed_demo", no_judgments=True)

    demo = Project.objects.get(slug="demo")
    languages = set(demo.tasks.values_list("language", flat=True))
    roles = dict(Membership.objects.filter(project=demo).values_list("user__username", "role"))
    assert demo.tasks.count() >= 20 and languages == {"python", "javascript"}
    assert roles["lead"] == "lead" and roles["reviewer"] == "reviewer" and roles["annotator"] == "annotator"
    assert client.login(username="lead", password="demo")
    # the demo lead creates projects without being staff; nobody else may
    assert client.get("/projects/new/").status_code == 200
    lead = User.objects.get(username="lead")
    assert not lead.is_staff and lead.has_perm("tasks.create_project")
    assert not User.objects.get(username="reviewer").has_perm("tasks.create_project")


@pytest.mark.django_db
def test_running_it_twice_changes_nothing() -> None:
    call_command("seed_demo", no_judgments=True)
    counts = (Project.objects.count(), Task.objects.count(), Membership.objects.count())

    call_command("seed_demo", no_judgments=True)

    assert (Project.objects.count(), Task.objects.count(), Membership.objects.count()) == counts


@pytest.mark.django_db
def test_it_refuses_to_seed_known_passwords_in_production(settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", no_judgments=True)
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_the_demo_annotator_cannot_see_the_leads_only_project(client: Client) -> None:
    call_command("seed_demo", no_judgments=True)
    client.login(username="annotator", password="demo")

    assert client.get("/projects/internal-evals/").status_code == 404
    assert client.get("/projects/demo/").status_code == 200


@pytest.mark.django_db
def test_the_demo_has_overlapping_judgments_with_real_runs_time_and_reviews(backend) -> None:
    from annotation.manager.services import TaskFilter, bulk_action
    from annotation.models import ActivityInterval, Assignment, Review, TestResult

    call_command("seed_demo")
    submitted = Assignment.objects.filter(task__project__slug="demo", status="submitted")

    per_task = {t: submitted.filter(task_id=t).count() for t in submitted.values_list("task_id", flat=True)}
    assert len(per_task) >= 5 and max(per_task.values()) == 3  # several annotators on the same tasks
    assert TestResult.objects.filter(status__in=["passed", "failed"]).exists()
    assert not TestResult.objects.filter(status="unavailable").exists()
    assert ActivityInterval.objects.count() > 0 and all(a.active_seconds >= 180 for a in submitted)
    assert set(Review.objects.values_list("verdict", flat=True)) == {"accept", "reject", "send_back"}
    assert Assignment.objects.filter(task__project__slug="demo", status="submitted", reviews__isnull=True).exists()
    # a lead trying the task manager can mark (at least) three tasks gold in one action
    marked = bulk_action(project=Project.objects.get(slug="demo"), action="mark_gold", task_filter=TaskFilter())
    assert marked.done >= 3 and Task.objects.filter(gold_answer__isnull=False).count() == marked.done
    before = Assignment.objects.count()
    call_command("seed_demo")
    assert Assignment.objects.count() == before  # seeded once


@pytest.mark.django_db
def test_every_export_format_has_rows_for_the_demo(backend, tmp_path) -> None:
    from exporters import formats, services
    from exporters.options import ExportOptions

    call_command("seed_demo")
    demo = Project.objects.get(slug="demo")

    rows = {
        fmt: services.export_file(project=demo, options=ExportOptions(format=fmt), out=tmp_path / f"{fmt}.jsonl")[0]
        for fmt in formats.NAMES  # every format an export may ask for (FORMATS and the per-task ones)
    }

    assert all(rows.values()), rows  # sft too: some demo judgments carry an ideal solution
