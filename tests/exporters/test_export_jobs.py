"""Export jobs: files and manifests, byte-identical re-exports, incremental exports, failures, access."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from exporters import formats, jobs, services
from exporters.models import ExportJob
from exporters.options import ExportInvalid, ExportOptions
from tasks import services as task_services
from tasks.models import Project, Role, User
from tests.conftest import make_user
from tests.exporters.conftest import judge


@pytest.fixture
def lead(golden_project: Project) -> User:
    user = make_user("export-lead")
    task_services.add_member(project=golden_project, user=user, role=Role.LEAD)
    return user


def streamed(response: object) -> bytes:
    """The body of a streamed (file) response."""
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def run(project: Project, **given) -> ExportJob:
    job = services.start_export(project=project, user=None, options=ExportOptions.parse(given))
    jobs.run_export(job.pk)  # what the worker does
    job.refresh_from_db()
    return job


def test_a_job_writes_the_file_and_a_manifest_that_describes_it(golden_project: Project) -> None:
    job = run(golden_project, format="dpo")

    path = Path(settings.MEDIA_ROOT) / job.file
    manifest = json.loads(path.with_name(path.name + ".manifest.json").read_text())
    assert job.status == "done" and job.percent == 100
    assert job.sha256 == manifest["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    # 10 pairs from 7 judgments: identical ones merged, nway's A over C against C over A (1 to 1) dropped
    assert manifest["counts"] == {"rows": job.row_count, "judgments": 7, "tasks": 3} and job.row_count == 4
    assert manifest["merged_duplicates"] == 4 and manifest["contradictions"]["policy_dropped_rows"] == 2
    features = json.loads(path.with_name(path.name + ".features.json").read_text())
    assert list(features) == ["prompt", "chosen", "rejected", "count", "metadata"]
    assert (manifest["format"], manifest["mode"], manifest["schema_version"]) == (
        "dpo",
        "judgment",
        formats.SCHEMA_VERSION,
    )
    assert not list(path.parent.glob("*.partial"))


@pytest.mark.parametrize("compress", [False, True])
def test_exporting_the_same_data_twice_gives_identical_bytes(golden_project: Project, compress: bool) -> None:
    first = run(golden_project, format="ranking", gzip=compress)
    second = run(golden_project, format="ranking", gzip=compress)

    root = Path(settings.MEDIA_ROOT)
    assert (root / first.file).read_bytes() == (root / second.file).read_bytes()
    assert first.sha256 == second.sha256


def test_an_incremental_export_has_only_what_came_after(golden_project: Project) -> None:
    first = run(golden_project, format="raw")
    late = make_user("late-annotator")
    task_services.add_member(project=golden_project, user=late, role=Role.ANNOTATOR)
    golden_project.overlap = 4
    golden_project.save(update_fields=["overlap"])
    judge(golden_project, [late], [("nway", 0, {"ranking": [["B"], ["A"], ["C"]]})])

    second = run(golden_project, format="raw", since=first.pk)

    rows = [json.loads(x) for x in (Path(settings.MEDIA_ROOT) / second.file).read_text().splitlines()]
    assert first.row_count == 7 and second.row_count == 1
    assert rows[0]["ranking"] == [["B"], ["A"], ["C"]]
    assert second.manifest is not None and second.manifest["incremental_since"] == first.pk


def test_a_failed_job_says_why_and_leaves_no_file(golden_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(record, shape):
        yield formats.Item(None, {"prompt": record.prompt}, [record])
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(formats.FORMATS, "dpo", broken)  # a fault injected mid-stream
    job = run(golden_project, format="dpo")

    assert job.status == "failed" and "disk on fire" in job.error
    assert not any((Path(settings.MEDIA_ROOT) / "exports").rglob("*.jsonl*"))


def test_options_are_checked() -> None:
    with pytest.raises(ExportInvalid, match="unknown format 'csv'"):
        ExportOptions.parse({"format": "csv"})
    with pytest.raises(ExportInvalid, match="sft rows come one judgment at a time"):
        ExportOptions.parse({"format": "sft", "mode": "consensus"})
    with pytest.raises(ExportInvalid, match="min_agreement is between 0 and 1"):
        ExportOptions.parse({"format": "dpo", "min_agreement": 2})


def test_filters_by_agreement_language_and_model(golden_project: Project) -> None:
    agreed = run(golden_project, format="raw", min_agreement=0.75)
    python = run(golden_project, format="raw", languages=["javascript"])
    two_models = run(golden_project, format="dpo", models=["alpha", "beta"])

    assert agreed.row_count == 3  # only nway (0.78) passes; pair-tie and unicode-long agree 0.5
    assert python.row_count == 2
    rows = [json.loads(x) for x in (Path(settings.MEDIA_ROOT) / two_models.file).read_text().splitlines()]
    assert {(r["metadata"]["chosen_model"], r["metadata"]["rejected_model"]) for r in rows} == {
        ("alpha", "beta"),
        ("beta", "alpha"),
    }


def test_the_page_and_the_api_are_for_leads_only(client: Client, golden_project: Project, lead: User) -> None:
    annotator = User.objects.get(username="golden-0")
    outsider = make_user("export-outsider")
    job = run(golden_project, format="dpo")
    for user, expected in ((annotator, 403), (outsider, 404)):
        client.force_login(user)
        token = Token.objects.get_or_create(user=user)[0].key
        assert client.get(f"/projects/{golden_project.slug}/exports/").status_code == expected
        assert client.get(f"/exports/{job.pk}/download").status_code == expected
        assert (
            client.get(f"/api/v1/exports/{job.pk}", headers={"Authorization": f"Token {token}"}).status_code == expected
        )


def test_a_lead_starts_an_export_on_the_page_and_downloads_it(
    client: Client, golden_project: Project, lead: User
) -> None:
    client.force_login(lead)

    created = client.post(f"/projects/{golden_project.slug}/exports/", {"format": "dpo", "mode": "judgment"})
    job = ExportJob.objects.get()
    jobs.run_export(job.pk)
    page = client.get(f"/projects/{golden_project.slug}/exports/").content.decode()
    download = client.get(f"/exports/{job.pk}/download")

    assert created.status_code == 302
    assert f"golden-dpo-{job.pk}.jsonl" in page and "<progress" in page
    assert len(streamed(download).splitlines()) == 4  # the golden dpo pairs, duplicates merged
    assert client.get(f"/exports/{job.pk}/manifest").json()["counts"]["rows"] == 4


def test_the_pipeline_exports_through_the_api_with_a_token(client: Client, golden_project: Project, lead: User) -> None:
    auth = {"Authorization": f"Token {Token.objects.get_or_create(user=lead)[0].key}"}

    created = client.post(
        f"/api/v1/projects/{golden_project.slug}/exports",
        {"format": "kto", "gzip": True},
        content_type="application/json",
        headers=auth,
    )
    job_id = created.json()["id"]
    jobs.run_export(job_id)
    status = client.get(f"/api/v1/exports/{job_id}", headers=auth).json()
    body = streamed(client.get(f"/api/v1/exports/{job_id}/download", headers=auth))

    assert created.status_code == 202 and status["status"] == "done" and status["download"]
    assert hashlib.sha256(body).hexdigest() == status["sha256"] == status["manifest"]["sha256"]
    assert body[:2] == b"\x1f\x8b"  # gzip


def test_the_command_writes_the_dataset_and_its_manifest(golden_project: Project, tmp_path: Path) -> None:
    from django.core.management import call_command

    out = tmp_path / "d.jsonl"
    call_command("export_dataset", project="golden", format="dpo", out=out)

    manifest = json.loads((tmp_path / "d.jsonl.manifest.json").read_text())
    assert manifest["counts"]["rows"] == len(out.read_text().splitlines()) == 4
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert timezone.now().isoformat()[:4] in manifest["created"]


def test_the_command_names_a_bad_format(db: None) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "export_dataset", "--project", "x", "--format", "csv", "--out", "/tmp/x"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode != 0 and "unknown format 'csv' (choose from dpo, " in done.stderr


def test_a_job_whose_worker_died_is_redone_when_redelivered(golden_project: Project) -> None:
    job = services.start_export(project=golden_project, user=None, options=ExportOptions(format="dpo"))
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)  # what a killed worker leaves

    assert services.run_export(job=job).status == "running"  # a plain duplicate leaves it alone
    assert services.run_export(job=job, takeover=True).status == "done"
