"""An export that would write no row fails with the reason, on every path, and leaves no file behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from exporters import jobs, services
from exporters.models import ExportJob
from exporters.options import ExportInvalid, ExportOptions
from tasks import services as task_services
from tasks.importing import import_tasks
from tasks.models import Project, RankingMode, Role, User
from tests.conftest import make_user, task_line
from tests.exporters.conftest import judge, pin_labels_to_file_order

PAIRS = "no judgment ranks one response above another (ties and 'all unacceptable' give no pairs)"


@pytest.fixture
def tied_project(db: None, monkeypatch: pytest.MonkeyPatch) -> Project:
    """Two python tasks, each judged by two annotators who tie the responses and write no ideal solution."""
    pin_labels_to_file_order(monkeypatch)
    project = task_services.create_project(
        slug="ties", name="Ties", ranking_mode=RankingMode.RANKING, overlap=2, min_tests=0, min_rationale_chars=10
    )
    annotators = [make_user(f"ties-{i}") for i in range(2)]
    for user in annotators:
        task_services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    import_tasks(project=project, lines=[json.dumps(task_line(f"t{i}")) for i in range(2)])
    judge(project, annotators, [(f"t{i}", who, {"ranking": [["A", "B"]]}) for i in range(2) for who in range(2)])
    return project


@pytest.fixture
def lead(tied_project: Project) -> User:
    user = make_user("ties-lead")
    task_services.add_member(project=tied_project, user=user, role=Role.LEAD)
    return user


def run(project: Project, **given: object) -> ExportJob:
    job = services.start_export(project=project, user=None, options=ExportOptions.parse(given))
    jobs.run_export(job.pk)
    job.refresh_from_db()
    return job


def files_left() -> list[str]:
    """What is in the project's export folder (files and folders: a partial hf folder counts)."""
    folder = Path(settings.MEDIA_ROOT) / "exports" / "ties"
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize(
    ("fmt", "reason"),
    [
        ("sft", "no judgment has an ideal solution"),
        ("dpo", PAIRS),
        ("dpo-conversational", PAIRS),
        ("openai-preference", PAIRS),
        ("kto", "no judgment ranks one response above another or finds them all unacceptable"),
        ("verifiable", "no task has a reference response and a test file it passed (2 tasks without a reference"),
    ],
)
def test_a_job_with_no_row_fails_with_the_formats_reason(tied_project: Project, fmt: str, reason: str) -> None:
    job = run(tied_project, format=fmt)

    assert (job.status, job.row_count, job.file, job.manifest) == ("failed", 0, "", None)
    assert job.error.startswith(reason)
    assert job.finished_at is not None
    assert files_left() == []  # no empty file, no .partial, no manifest


@pytest.mark.parametrize("output", ["parquet", "hf"])
def test_no_row_leaves_no_parquet_file_or_folder_either(tied_project: Project, output: str) -> None:
    job = run(tied_project, format="dpo", output=output, split="100" if output == "hf" else "")

    assert job.status == "failed" and job.error == PAIRS
    assert files_left() == []


def test_when_no_judgment_matches_the_filters_it_says_how_many_the_project_has(tied_project: Project) -> None:
    job = run(tied_project, format="raw", languages=["javascript"])

    assert job.status == "failed"
    assert job.error == "no submitted judgment matches the filters (the project has 4 submitted judgments in total)"


def test_an_incremental_export_with_nothing_new_says_so(tied_project: Project) -> None:
    first = run(tied_project, format="raw")

    second = run(tied_project, format="raw", since=first.pk)

    assert first.status == "done" and first.row_count == 4
    assert second.status == "failed"
    assert second.error == (
        "no submitted judgment submitted after the export this one continues matches the filters "
        "(the project has 4 submitted judgments in total)"
    )


def test_formats_that_have_rows_still_export(tied_project: Project) -> None:
    assert run(tied_project, format="raw").row_count == 4
    assert run(tied_project, format="ranking").status == "done"


def test_the_command_exits_non_zero_with_the_reason_and_writes_nothing(tied_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "d.jsonl"

    with pytest.raises(CommandError, match="no judgment has an ideal solution"):
        call_command("export_dataset", project="ties", format="sft", out=out)

    assert list(tmp_path.iterdir()) == []


def test_export_file_raises_no_rows_an_export_invalid(tied_project: Project, tmp_path: Path) -> None:
    with pytest.raises(services.NoRows, match="ties and 'all unacceptable' give no pairs") as empty:
        services.export_file(project=tied_project, options=ExportOptions(format="dpo"), out=tmp_path / "d.jsonl")

    assert isinstance(empty.value, ExportInvalid)
    assert list(tmp_path.iterdir()) == []


def test_the_api_reports_failed_with_the_error(client: Client, tied_project: Project, lead: User) -> None:
    auth = {"Authorization": f"Token {Token.objects.get_or_create(user=lead)[0].key}"}
    created = client.post(
        "/api/v1/projects/ties/exports", {"format": "sft"}, content_type="application/json", headers=auth
    )
    jobs.run_export(created.json()["id"])

    status = client.get(f"/api/v1/exports/{created.json()['id']}", headers=auth).json()
    download = client.get(f"/api/v1/exports/{created.json()['id']}/download", headers=auth)

    assert (status["status"], status["error"], status["download"]) == (
        "failed",
        "no judgment has an ideal solution",
        None,
    )
    assert download.status_code == 404


def test_the_page_shows_the_failed_job_with_its_reason(client: Client, tied_project: Project, lead: User) -> None:
    client.force_login(lead)
    client.post("/projects/ties/exports/", {"format": "sft", "mode": "judgment"})
    job = ExportJob.objects.get()
    jobs.run_export(job.pk)

    page = client.get("/projects/ties/exports/").content.decode()

    row = page[page.index(f'id="export-{job.pk}"') :]
    assert "status-failed" in row[:2000] and "no judgment has an ideal solution" in row[:2000]
    assert job.filename not in page  # no download link
