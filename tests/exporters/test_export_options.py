"""ExportOptions: the page, the API, the command and the job take and refuse the same options, with the
same message, and a job row stores them in the shape jobs have always stored."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from exporters import formats, jobs, services
from exporters.models import ExportJob
from exporters.options import ExportInvalid, ExportOptions
from exporters.serializers import ExportInput
from tasks import services as task_services
from tasks.models import Project, Role, User
from tests.conftest import make_user

CHOICES = f"(choose from {', '.join(formats.NAMES)})"
# A bad input as the page posts it (strings), the command-line arguments saying the same (None:
# the command has no way to say it) and the message every interface must give.
BAD: list[tuple[dict[str, Any], list[str] | None, str]] = [
    ({"format": "csv"}, ["--format", "csv"], f"unknown format 'csv' {CHOICES}"),
    ({"format": ""}, ["--format", ""], f"format is required {CHOICES}"),
    ({"format": "dpo", "mode": "pairs"}, ["--mode", "pairs"], "unknown mode 'pairs' (choose from judgment, consensus)"),
    (
        {"format": "sft", "mode": "consensus"},
        ["--format", "sft", "--mode", "consensus"],
        "sft rows come one judgment at a time: use mode 'judgment'",
    ),
    ({"min_agreement": "abc"}, ["--min-agreement", "abc"], "min_agreement is between 0 and 1, not 'abc'"),
    ({"min_agreement": "1.5"}, ["--min-agreement", "1.5"], "min_agreement is between 0 and 1, not '1.5'"),
    ({"min_agreement": "nan"}, ["--min-agreement", "nan"], "min_agreement is between 0 and 1, not 'nan'"),
    (
        {"submitted_from": "2026-13-01"},
        ["--from", "2026-13-01"],
        "submitted_from is a date YYYY-MM-DD, not '2026-13-01'",
    ),
    (
        {"submitted_from": "2026-03-01", "submitted_to": "2026-02-01"},
        ["--from", "2026-03-01", "--to", "2026-02-01"],
        "submitted_from 2026-03-01 is after submitted_to 2026-02-01",
    ),
    ({"languages": "cobol"}, ["--language", "cobol"], "unknown languages 'cobol' (choose from python, javascript)"),
    ({"gzip": "maybe"}, None, "gzip is true or false, not 'maybe'"),
    ({"since": "last"}, None, "since is the id of an earlier export, not 'last'"),
    ({"min_agreemnt": "0.5"}, None, "unknown option min_agreemnt (known: format, mode, gzip, since, accepted_only,"),
]


@pytest.fixture
def golden_lead(golden_project: Project) -> User:
    user = make_user("options-lead")
    task_services.add_member(project=golden_project, user=user, role=Role.LEAD)
    return user


def post_page(client: Client, project: Project, form: dict[str, Any]) -> tuple[int, str]:
    """Post the export form; returns the status and the error the page shows ("" if none)."""
    answer = client.post(f"/projects/{project.slug}/exports/", form)
    shown = re.search(r'<p class="error">(.*?)</p>', answer.content.decode())
    return answer.status_code, html.unescape(shown.group(1)) if shown else ""


def post_api(client: Client, project: Project, user: User, body: dict[str, Any]) -> tuple[int, Any]:
    auth = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
    answer = client.post(
        f"/api/v1/projects/{project.slug}/exports", body, content_type="application/json", headers=auth
    )
    return answer.status_code, answer.json()


def finished_export(project: Project) -> ExportJob:
    job = services.start_export(project=project, user=None, options=ExportOptions(format="raw"))
    return services.run_export(job=job)


@pytest.mark.parametrize(("form", "argv", "message"), BAD)
def test_it_refuses_a_bad_option_on_the_page_and_the_api_with_the_same_message(
    client: Client, golden_project: Project, golden_lead: User, form: dict[str, Any], argv: object, message: str
) -> None:
    given = {"format": "dpo", **form}
    client.force_login(golden_lead)

    page_status, page_error = post_page(client, golden_project, given)
    api_status, api_body = post_api(client, golden_project, golden_lead, given)

    assert (page_status, api_status) == (400, 400)
    assert page_error.startswith(message)
    assert api_body == {"detail": page_error}
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(("form", "argv", "message"), [case for case in BAD if case[1] is not None])
def test_it_refuses_a_bad_option_on_the_command_line_with_the_same_message(
    golden_project: Project, tmp_path: Path, form: dict[str, Any], argv: list[str], message: str
) -> None:
    out = tmp_path / "d.jsonl"
    argv = argv if "--format" in argv else ["--format", "dpo", *argv]

    with pytest.raises(CommandError) as refused:
        call_command("export_dataset", "--project", "golden", "--out", str(out), *argv)

    assert str(refused.value).startswith(message)
    assert not out.exists()


def test_it_gives_a_json_number_out_of_range_a_clear_400(
    client: Client, golden_project: Project, golden_lead: User
) -> None:
    status, body = post_api(client, golden_project, golden_lead, {"format": "dpo", "min_agreement": 2})

    assert (status, body) == (400, {"detail": "min_agreement is between 0 and 1, not 2"})


@pytest.mark.parametrize("interface", ["page", "api"])
def test_it_refuses_an_incremental_export_after_an_export_that_is_not_a_finished_one_of_this_project(
    client: Client, golden_project: Project, other_project: Project, golden_lead: User, interface: str
) -> None:
    elsewhere = finished_export(other_project)
    unfinished = services.start_export(project=golden_project, user=None, options=ExportOptions(format="raw"))
    client.force_login(golden_lead)

    for since in (elsewhere.pk, unfinished.pk, 9999):
        form = {"format": "dpo", "since": str(since)}
        if interface == "page":
            status, error = post_page(client, golden_project, form)
        else:
            status, body = post_api(client, golden_project, golden_lead, {"format": "dpo", "since": since})
            error = body["detail"]
        assert status == 400
        assert error == (
            f"an incremental export starts after a finished export of the same project (export {since} is not one)"
        )
    assert ExportJob.objects.filter(project=golden_project).count() == 1


def test_the_page_the_api_and_a_form_post_to_the_api_store_the_same_job(
    client: Client, golden_project: Project, golden_lead: User
) -> None:
    first = finished_export(golden_project)
    form = {
        "format": "kto",
        "min_agreement": "0.5",
        "submitted_from": "2026-01-01",
        "languages": ["python", "javascript"],
        "models": "alpha, beta",
        "accepted_only": "on",
        "gzip": "on",
        "since": str(first.pk),
    }
    body = {**form, "min_agreement": 0.5, "models": ["alpha", "beta"], "accepted_only": True, "gzip": True}
    body["since"] = first.pk
    auth = {"Authorization": f"Token {Token.objects.get_or_create(user=golden_lead)[0].key}"}
    client.force_login(golden_lead)

    assert post_page(client, golden_project, form) == (302, "")
    assert post_api(client, golden_project, golden_lead, body)[0] == 202
    assert client.post(f"/api/v1/projects/{golden_project.slug}/exports", form, headers=auth).status_code == 202

    stored = ExportJob.objects.exclude(pk=first.pk).values_list("format", "mode", "gzip", "since", "filters")
    assert list(stored) == 3 * [
        (
            "kto",
            "judgment",
            True,
            first.pk,
            {
                "accepted_only": True,
                "languages": ["python", "javascript"],
                "min_agreement": 0.5,
                "models": ["alpha", "beta"],
                "submitted_from": "2026-01-01",
            },
        )
    ]


def test_a_stored_job_gives_back_the_options_it_was_started_with(golden_project: Project) -> None:
    first = finished_export(golden_project)
    chosen = ExportOptions.parse(
        {
            "format": "ranking",
            "mode": "consensus",
            "gzip": True,
            "since": first.pk,
            "include_gold": True,
            "min_agreement": 0,
            "submitted_to": "2026-12-31",
            "models": ["beta"],
        }
    )

    job = services.start_export(project=golden_project, user=None, options=chosen)
    job.refresh_from_db()

    assert ExportOptions.from_stored(job) == chosen
    assert chosen.submitted_to == date(2026, 12, 31) and chosen.min_agreement == 0.0


def test_a_job_stored_before_export_options_still_runs(golden_project: Project) -> None:
    # What the page stored for "agreement 0.75, python only, including gold" before ExportOptions.
    old = ExportJob.objects.create(
        project=golden_project,
        format="raw",
        mode="judgment",
        filters={"include_gold": True, "languages": ["python"], "min_agreement": 0.75},
        cutoff=timezone.now(),
    )

    jobs.run_export(old.pk)
    old.refresh_from_db()

    assert old.status == "done", old.error
    assert old.row_count == 3  # nway's three judgments: the only python task agreeing 0.75 or more
    assert old.manifest is not None and old.manifest["filters"] == old.filters


def test_a_job_with_options_it_cannot_run_with_fails_and_says_why(golden_project: Project) -> None:
    broken = ExportJob.objects.create(
        project=golden_project, format="raw", filters={"submitted_from": "someday"}, cutoff=timezone.now()
    )

    jobs.run_export(broken.pk)
    broken.refresh_from_db()

    assert broken.status == "failed"  # not left "running" with the page polling it forever
    assert broken.error == "ExportInvalid: submitted_from is a date YYYY-MM-DD, not 'someday'"


def test_the_command_writes_the_same_bytes_as_a_job_started_on_the_page_with_the_same_options(
    client: Client, golden_project: Project, golden_lead: User, tmp_path: Path
) -> None:
    form = {"format": "raw", "min_agreement": "0.75", "models": "alpha, beta"}
    argv = ["--format", "raw", "--min-agreement", "0.75", "--model", "alpha", "--model", "beta"]
    out = tmp_path / "d.jsonl"
    client.force_login(golden_lead)

    client.post(f"/projects/{golden_project.slug}/exports/", form)
    job = services.run_export(job=ExportJob.objects.get())
    call_command("export_dataset", "--project", "golden", "--out", str(out), *argv)

    manifest = json.loads((tmp_path / "d.jsonl.manifest.json").read_text())
    # Between alpha and beta, nway agrees 1.0 and pair-tie 0.5; unicode-long keeps alpha alone (1.0).
    assert job.status == "done" and job.row_count == 5
    assert (Path(settings.MEDIA_ROOT) / job.file).read_bytes() == out.read_bytes()
    assert manifest["filters"] == job.filters == {"min_agreement": 0.75, "models": ["alpha", "beta"]}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"models": " a, ,b ,a"}, ("a", "b")),
        ({"models": ["x,y"]}, ("x,y",)),  # a list is taken as it is: a name may hold a comma
        ({"accepted_only": "off"}, False),
        ({"accepted_only": "TRUE"}, True),
        ({"min_agreement": " 0.25 "}, 0.25),
        ({"since": None, "min_agreement": None, "models": []}, None),
    ],
)
def test_it_parses_what_the_page_and_the_api_send(raw: dict[str, Any], expected: object) -> None:
    chosen = ExportOptions.parse({"format": "dpo", **raw})

    name = next(iter(raw))
    assert getattr(chosen, name) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"min_agreement": True}, "min_agreement is between 0 and 1, not True"),
        ({"min_agreement": "inf"}, "min_agreement is between 0 and 1, not 'inf'"),
        ({"since": 0}, "since is the id of an earlier export, not 0"),
        ({"since": -3}, "since is the id of an earlier export, not -3"),
        ({"models": [1]}, "models is a list of names, not [1]"),
        ({"submitted_to": 20260101}, "submitted_to is a date YYYY-MM-DD, not 20260101"),
    ],
)
def test_it_refuses_json_values_of_the_wrong_kind(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ExportInvalid) as refused:
        ExportOptions.parse({"format": "dpo", **raw})

    assert str(refused.value) == message


def test_the_api_serializer_is_export_options(db: None) -> None:
    serializer = ExportInput(data={"format": "dpo", "min_agreement": "abc"})

    assert list(ExportInput().fields) == [option.name for option in ExportOptions.fields()]
    assert not serializer.is_valid()
    assert serializer.errors == {"detail": "min_agreement is between 0 and 1, not 'abc'"}
    assert ExportInput(data={"format": "dpo"}).is_valid()
