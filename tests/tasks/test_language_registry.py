"""One language registry (sandbox/languages/): a language added there is accepted everywhere, with no
migration and no change outside sandbox/."""

from __future__ import annotations

import dataclasses
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from sandbox import languages
from sandbox.languages import python
from tasks.importing import import_tasks
from tasks.models import Project, Task
from tests.conftest import jsonl, task_line


@pytest.fixture
def ruby(monkeypatch: pytest.MonkeyPatch) -> languages.Language:
    lang = dataclasses.replace(python.LANGUAGE, name="ruby", label="Ruby", editor_mode="ruby")
    monkeypatch.setitem(languages.LANGUAGES, "ruby", lang)
    return lang


def test_a_registered_language_is_importable_without_a_migration(project: Project, ruby) -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # raises SystemExit on changes

    import_tasks(project=project, lines=jsonl(task_line("rb-1", language="ruby")).decode().splitlines())

    assert Task.objects.get(external_id="rb-1").get_language_display() == "Ruby"
    assert "No changes detected" in out.getvalue()


def test_pages_list_the_registered_languages(client: Client, lead, project: Project, ruby) -> None:
    client.force_login(lead)

    page = client.get(f"/projects/{project.slug}/exports/").content.decode()

    assert 'value="ruby"> Ruby' in page and 'value="python"> Python' in page
