"""Imported text is highlighted once, at import: pages show the stored HTML without running Pygments while
it is of the current RENDER_VERSION and of that very text, render afresh otherwise, and `rerender` brings
old rows up to date. Stored or not, every character of the text is escaped."""

from __future__ import annotations

import json
import re
from html import escape as html_escape
from io import StringIO
from typing import Any

import pygments.lexers
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from annotation.models import Assignment
from tasks import rendering, services
from tasks.importing import import_tasks
from tasks.models import Project, RankingMode, Response, Role, Task, User
from tests.conftest import submit_judgment, task_line

EVIL = '<script>alert(1)</script></td><td onmouseover="alert(2)">"onmouseover=alert(3)'
MESSAGES = [
    {"role": "system", "content": f"Be terse. {EVIL}"},
    {"role": "user", "content": f"Write `add(a, b)`. {EVIL}\n\n```python\nprint('{EVIL}')\n```"},
]
PROSE = f"Here {EVIL}:\n\n```python\ndef add(a, b):\n    return a + b  # {EVIL}\n```\n"
CODE = f"def add(a, b):\n    s = '{EVIL}'\n    return a + b\n"


@pytest.fixture
def chat(lead: User, reviewer: User, annotator: User) -> Project:
    """A conversation task (a prose answer and plain code, both with hostile text) and a single-prompt task."""
    project = services.create_project(
        slug="stored", name="Stored", lead=lead, ranking_mode=RankingMode.RANKING, min_tests=0, min_rationale_chars=10
    )
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    services.add_member(project=project, user=annotator, role=Role.ANNOTATOR)
    line = task_line("c1", responses=[{"model": "m1", "code": PROSE}, {"model": "m2", "code": CODE}])
    del line["prompt"]
    line["messages"] = MESSAGES
    import_tasks(project=project, lines=[json.dumps(line), json.dumps(task_line("single"))])
    return project


def count_lexers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, every Pygments lexer asked for (the languages, in order). The per-process caches are
    emptied first, so a cached page cannot pass for a stored one."""
    calls: list[str] = []
    real = pygments.lexers.get_lexer_by_name

    def counting(name: str, **options: Any) -> Any:
        calls.append(name)
        return real(name, **options)

    monkeypatch.setattr(rendering, "get_lexer_by_name", counting)
    monkeypatch.setattr(pygments.lexers, "get_lexer_by_name", counting)  # the Markdown lexer's fenced blocks
    rendering.highlight_code.cache_clear()
    rendering.render_turn.cache_clear()
    return calls


def pages(client: Client, project: Project, annotator: User, reviewer: User) -> dict[str, str]:
    """The three pages that show the conversation task: the annotator's workspace, the reviewer's page
    (after a submitted judgment) and the task page; each one's HTML."""
    client.force_login(annotator)
    assert client.post(f"/projects/{project.slug}/start").status_code == 302
    assignment = Assignment.objects.get(annotator=annotator, status=Assignment.Status.ACTIVE)
    assert assignment.task.external_id == "c1"
    workspace = client.get(f"/work/{assignment.pk}/")
    submit_judgment(assignment)
    client.force_login(reviewer)
    review = client.get(f"/review/{assignment.pk}/")
    detail = client.get(f"/projects/{project.slug}/tasks/c1/")
    answers = {"workspace": workspace, "review": review, "task": detail}
    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(answers, 200)
    return {name: answer.content.decode() for name, answer in answers.items()}


def text_of(html: str) -> str:
    """The HTML without its tags: what a browser shows, still escaped."""
    return re.sub(r"<[^>]*>", "", html)


def code_panels(html: str) -> list[str]:
    return re.findall(r'<table class="code-lines">.*?</table>', html, flags=re.S)


def shown(html: str) -> list[str]:
    """The page's rendered text: its code panels and its thread (not its CSRF token, new on every page)."""
    return [*code_panels(html), html.split('<ol class="turns">')[1].split("</ol>")[0]]


def test_it_stores_each_responses_lines_and_each_turn_at_import(chat: Project) -> None:
    task = Task.objects.get(project=chat, external_id="c1")
    prose, code = sorted(task.responses.all(), key=lambda r: r.model_name)

    assert task.render_version == rendering.RENDER_VERSION
    assert task.rendered["turns"] == [rendering.render_turn(m["content"], "python") for m in MESSAGES]
    assert prose.render_version == code.render_version == rendering.RENDER_VERSION
    assert prose.rendered["language"] == "markdown"  # a conversation task's prose answer, as the panel shows it
    assert prose.rendered["lines"] == rendering.highlighted_lines(PROSE, "markdown")
    assert code.rendered["language"] == "python"
    assert code.rendered["lines"] == rendering.highlighted_lines(CODE, "python")
    single = Task.objects.get(project=chat, external_id="single")
    assert single.rendered["turns"] == [] and single.render_version == rendering.RENDER_VERSION


def test_it_shows_the_pages_without_pygments_when_the_rendering_is_stored(
    client: Client, chat: Project, annotator: User, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    lexers = count_lexers(monkeypatch)

    html = pages(client, chat, annotator, reviewer)

    assert lexers == []
    for page in html.values():
        assert len(code_panels(page)) == 2
        assert '<span class="k">def</span>' in page  # highlighted all the same
        assert '<ol class="turns">' in page and '<span class="nb">print</span>' in page  # the turns' fenced code


def test_it_escapes_every_character_on_the_stored_path(
    client: Client, chat: Project, annotator: User, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    lexers = count_lexers(monkeypatch)

    html = pages(client, chat, annotator, reviewer)

    assert lexers == []  # what is checked is the stored HTML
    for name, page in html.items():
        assert "<script>alert" not in page, name
        assert re.search(r"<[^>]*\son\w+\s*=", page) is None, name  # no tag carries an event handler
        panels = code_panels(page)
        # a `</td>` in the code stays text: each panel has one row and one code cell per source line
        rows = sorted(len(re.findall(r'<td class="lc">', panel)) for panel in panels)
        assert rows == sorted(len(rendering.source_lines(code)) for code in (PROSE, CODE)), name
        assert all(escape(EVIL) in text_of(panel) for panel in panels), name  # shown as the text it is
        thread = page.split('<ol class="turns">')[1].split("</ol>")[0]
        # in the turn's fenced code (Pygments leaves quotes as they are: outside a tag they are plain text)
        assert html_escape(EVIL, quote=False) in text_of(thread), name


def test_it_renders_rows_of_an_older_version_afresh_and_rerender_stores_them(
    client: Client, chat: Project, annotator: User, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(reviewer)
    stored = client.get(f"/projects/{chat.slug}/tasks/c1/").content.decode()
    Task.objects.update(render_version=rendering.RENDER_VERSION - 1)
    Response.objects.update(render_version=rendering.RENDER_VERSION - 1)
    lexers = count_lexers(monkeypatch)

    fresh = client.get(f"/projects/{chat.slug}/tasks/c1/").content.decode()

    assert lexers  # the stale rows were not trusted
    assert shown(fresh) == shown(stored)  # and the page is the same as from the stored HTML
    out = StringIO()
    call_command("rerender", stdout=out)
    assert "re-rendered 2 tasks and 4 responses" in out.getvalue()
    assert set(Response.objects.values_list("render_version", flat=True)) == {rendering.RENDER_VERSION}
    lexers.clear()
    rendering.highlight_code.cache_clear()
    rendering.render_turn.cache_clear()
    assert shown(client.get(f"/projects/{chat.slug}/tasks/c1/").content.decode()) == shown(stored)
    assert lexers == []


def test_it_distrusts_a_stored_rendering_that_is_not_of_the_text(
    client: Client, chat: Project, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches stored HTML shown for code edited since (the admin), or with a line missing or added."""
    code = Response.objects.get(task__external_id="c1", model_name="m2")
    lines = code.rendered["lines"]
    Response.objects.filter(pk=code.pk).update(rendered={**code.rendered, "lines": lines[:-1]})
    edited = Response.objects.get(task__external_id="c1", model_name="m1")
    Response.objects.filter(pk=edited.pk).update(code="x = 'edited'\n" + PROSE.split("\n", 1)[1])
    client.force_login(reviewer)
    lexers = count_lexers(monkeypatch)

    html = client.get(f"/projects/{chat.slug}/tasks/c1/").content.decode()

    assert rendering.stored_lines(Response.objects.get(pk=code.pk), "python") is None
    assert rendering.stored_lines(Response.objects.get(pk=edited.pk), "markdown") is None
    # both panels rendered afresh (the prose's fenced block in python), the turns were not
    assert sorted(lexers) == ["markdown", "python", "python"]
    assert "edited" in html and "Here" not in html.split('<table class="code-lines">', 1)[1]
    assert html.count('<tr data-line="3">') == 2  # the short one has all its lines again


def test_it_rerenders_only_stale_rows_unless_told_all_in_chunks(chat: Project) -> None:
    def rerender(*args: str) -> str:
        out = StringIO()
        call_command("rerender", "--chunk", "1", *args, stdout=out)
        return out.getvalue()

    assert "re-rendered 0 tasks and 0 responses" in rerender()
    Response.objects.filter(task__external_id="single").update(render_version=0, rendered={})
    assert "re-rendered 0 tasks and 2 responses" in rerender()
    assert all(r.rendered["lines"] for r in Response.objects.filter(task__external_id="single"))
    assert "re-rendered 2 tasks and 4 responses" in rerender("--all")
    assert "re-rendered 0 tasks and 0 responses" in rerender()


def test_the_diff_uses_the_stored_lines_it_is_given(chat: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = Response.objects.filter(task__external_id="single").order_by("label")
    expected = rendering.diff_table(old.code, new.code, "python")
    lexers = count_lexers(monkeypatch)

    table = rendering.diff_table(
        old.code,
        new.code,
        "python",
        old_lines=rendering.stored_lines(old, "python"),
        new_lines=rendering.stored_lines(new, "python"),
    )

    assert table == expected and lexers == []
    assert rendering.diff_table(old.code, new.code, "python", old_lines=["too", "many", "lines"]) == expected
    assert lexers == ["python", "python"]  # lines of another count than the code's are not taken


def test_the_workspace_diff_shows_the_stored_lines_without_pygments(
    client: Client, lead: User, annotator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches the diff view reading only the code (and highlighting both sides again on every view)."""
    project = services.create_project(slug="stored-diff", name="Diff", lead=lead, ranking_mode=RankingMode.RANKING)
    services.add_member(project=project, user=annotator, role=Role.ANNOTATOR)
    codes = [{"model": "m1", "code": CODE}, {"model": "m2", "code": CODE.replace("a + b", "b + a")}]
    import_tasks(project=project, lines=[json.dumps(task_line("d1", responses=codes))])
    client.force_login(annotator)
    assert client.post(f"/projects/{project.slug}/start").status_code == 302
    assignment = Assignment.objects.get(annotator=annotator, status=Assignment.Status.ACTIVE)
    lexers = count_lexers(monkeypatch)

    answer = client.get(f"/work/{assignment.pk}/diff?a=A&b=B")

    assert answer.status_code == 200 and lexers == []
    html = answer.content.decode()
    assert 'class="del"' in html and 'class="add"' in html and "<script>" not in html
