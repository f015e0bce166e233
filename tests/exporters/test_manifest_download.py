"""The page's manifest download is saved under the export's own name, as the manifest on disk is."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.test import Client

from exporters import jobs, services
from exporters.options import ExportOptions
from tasks import services as task_services
from tasks.models import Project, Role
from tests.conftest import make_user


def test_the_manifest_downloads_as_an_attachment_named_after_the_file(client: Client, golden_project: Project) -> None:
    lead = make_user("manifest-lead")
    task_services.add_member(project=golden_project, user=lead, role=Role.LEAD)
    job = services.start_export(project=golden_project, user=None, options=ExportOptions(format="dpo", gzip=True))
    jobs.run_export(job.pk)
    job.refresh_from_db()
    client.force_login(lead)

    response = client.get(f"/exports/{job.pk}/manifest")

    name = f"golden-dpo-{job.pk}.jsonl.gz.manifest.json"
    assert response.status_code == 200 and response.json()["sha256"] == job.sha256
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert (Path(settings.MEDIA_ROOT) / job.file).with_name(name).exists()  # the same name as beside the file
