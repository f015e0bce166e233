"""Lead-written text (name, instructions, rubric labels and help, category labels) is escaped on every
page and in the previews; the instructions preview is the project's sanitized Markdown."""

from __future__ import annotations

import json

from django.test import Client

from annotation.projects import services
from tasks.models import Project, User
from tests.annotation.projects.conftest import form_data

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _evil_project(creator: User, setup_project: Project) -> Project:
    services.update_project(
        project=setup_project,
        actor=creator,
        values={
            "name": f"Name {EVIL}",
            "instructions": f"# Title\n\n{EVIL}",
            "rubric": [{"key": "evil", "label": f"L {EVIL}"[:80], "help": f"H {EVIL}", "min": 1, "max": 3}],
            "comment_categories": [{"key": "bug", "label": f"C {EVIL}"[:80]}],
        },
    )
    return setup_project


def test_markup_is_escaped_on_every_setup_page(
    client: Client, creator: User, annotator: User, setup_project: Project
) -> None:
    project = _evil_project(creator, setup_project)
    client.force_login(creator)
    pages = {
        "settings": f"/projects/{project.slug}/settings/",
        "audit": f"/projects/{project.slug}/audit/",
        "list": "/projects/",
        "detail": f"/projects/{project.slug}/",
    }
    for name, url in pages.items():
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, name
        assert "&lt;script&gt;" in html, name


def test_the_instructions_preview_is_sanitized_markdown(client: Client, creator: User, setup_project: Project) -> None:
    client.force_login(creator)

    answer = client.post(
        f"/projects/{setup_project.slug}/settings/preview/",
        {"part": "instructions", "instructions": f"**bold** {EVIL}"},
    )

    html = answer.content.decode()
    assert answer.status_code == 200 and html.lstrip().startswith('<div id="instructions-preview"')
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html and "<img" not in html


def test_the_rubric_preview_shows_the_ratings_block_escaped(
    client: Client, creator: User, setup_project: Project
) -> None:
    client.force_login(creator)
    dimension = {"key": "evil", "label": "Label <b>x</b>", "help": EVIL, "min": 0, "max": 2, "required": False}
    rubric = json.dumps([{"key": "plain", "label": "Plain", "min": 1, "max": 2}, dimension])

    answer = client.post(f"/projects/{setup_project.slug}/settings/preview/", {"part": "rubric", "rubric": rubric})

    html = answer.content.decode()
    assert answer.status_code == 200 and 'id="rubric-preview"' in html
    assert "Label &lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html and "<script>" not in html
    assert '<select aria-label="Label &lt;b&gt;x&lt;/b&gt; of A">' in html
    assert "<option>0</option><option>1</option><option>2</option>" in html
    assert html.count("(optional)") == 1 and '<th title="">Plain</th>' in html  # only the one not required


def test_the_rubric_preview_says_why_a_rubric_is_not_valid_yet(
    client: Client, creator: User, setup_project: Project
) -> None:
    client.force_login(creator)
    url = f"/projects/{setup_project.slug}/settings/preview/"

    broken = client.post(url, {"part": "rubric", "rubric": "[{"}).content.decode()
    wrong = client.post(url, {"part": "rubric", "rubric": '[{"key": "a", "label": "", "min": 1, "max": 2}]'})

    assert "the rubric is not valid JSON yet" in broken
    assert "dimension 1 (a): label is empty" in wrong.content.decode()


def test_a_refused_form_keeps_what_was_typed_escaped(client: Client, creator: User, setup_project: Project) -> None:
    client.force_login(creator)

    answer = client.post(f"/projects/{setup_project.slug}/settings/", form_data(setup_project, name=EVIL, overlap=0))

    html = answer.content.decode()
    assert answer.status_code == 400 and "<script>alert" not in html and "&lt;script&gt;" in html
