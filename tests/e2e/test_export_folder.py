"""Issue 14's walk-through in a real browser: the lead exports DPO as a Hugging Face folder with a 90/10
split and a licence, a real Celery worker writes it, the lead downloads the zip and its card opens with
the Hub's YAML header, the split sizes and how the judgments were made."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import yaml

from annotation.celery import app
from tasks import services as task_services
from tasks.models import Project, Role
from tests.conftest import make_user
from tests.exporters.conftest import golden_project  # noqa: F401 (a fixture)


def test_a_lead_exports_a_parquet_folder_with_a_split_and_opens_its_card(
    browser_page: Any,
    live_server: Any,
    worker: Any,
    golden_project: Project,  # noqa: F811
) -> None:
    worker(queue=app.conf.task_default_queue)
    lead = make_user("folder-lead")
    task_services.add_member(project=golden_project, user=lead, role=Role.LEAD)
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", lead.username)
    page.fill("input[name=password]", f"{lead.username}-pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/projects/{golden_project.slug}/exports/")

    page.select_option("select[name=format]", "dpo")
    page.select_option("select[name=output]", "hf")
    page.fill("input[name=split]", "90/10")
    page.fill("input[name=license]", "cc-by-4.0")
    page.click("button:text('Start export')")
    link = page.locator("#history a", has_text=".zip")
    link.wait_for(timeout=60_000)  # the history polls while the worker writes
    with page.expect_download() as download:
        link.click()
    data = download.value.path().read_bytes()

    assert download.value.suggested_filename == link.inner_text() and link.inner_text().endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        folder = names[0].split("/")[0]
        card = archive.read(f"{folder}/README.md").decode()
    assert f"{folder}/features.json" in names and f"{folder}/data/train-00000-of-00001.parquet" in names
    header = yaml.safe_load(card.split("---\n")[1])
    assert header["license"] == "cc-by-4.0"
    assert [c["config_name"] for c in header["configs"]] == ["default"]
    train = next(s for s in header["dataset_info"]["splits"] if s["name"] == "train")
    assert train["num_examples"] >= 1 and "Golden" in card and "sandbox" in card
