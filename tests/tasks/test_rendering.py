"""User and model text is escaped everywhere it is shown."""

from django.test import Client

from tasks.importing import import_tasks
from tasks.models import Project, User
from tests.conftest import jsonl, task_line

EVIL = "<script>alert(1)</script>"


def test_prompt_code_and_model_names_render_as_text(client: Client, reviewer: User, project: Project) -> None:
    line = task_line(
        "x1",
        prompt=f"Sort a list. {EVIL} <img src=x onerror=alert(2)>",
        responses=[{"model": f"m{EVIL}", "code": f"s = '{EVIL}'\n"}, {"model": "n", "code": "pass\n"}],
    )
    import_tasks(project=project, lines=jsonl(line).split(b"\n"))
    client.force_login(reviewer)

    html = client.get(f"/projects/{project.slug}/tasks/x1/").content.decode()

    assert "<script>alert" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


def test_markdown_in_the_prompt_is_rendered(client: Client, reviewer: User, project: Project) -> None:
    import_tasks(project=project, lines=jsonl(task_line("md", prompt="Use **bold** and `code`.")).split(b"\n"))
    client.force_login(reviewer)

    html = client.get(f"/projects/{project.slug}/tasks/md/").content.decode()

    assert "<strong>bold</strong>" in html and "<code>code</code>" in html


def test_code_is_highlighted_with_line_numbers(client: Client, reviewer: User, project: Project) -> None:
    import_tasks(project=project, lines=jsonl(task_line("hl")).split(b"\n"))
    client.force_login(reviewer)

    html = client.get(f"/projects/{project.slug}/tasks/hl/").content.decode()

    assert '<td class="ln">1</td>' in html and '<span class="k">def</span>' in html


def test_a_task_id_with_a_slash_has_pages_that_link_to_it(client: Client, reviewer: User, project: Project) -> None:
    """Catches a <str:> route: reversing it for "repo/issue-12" raised NoReverseMatch, a 500 on every page
    that lists the task (project page, flags, task manager)."""
    import_tasks(project=project, lines=jsonl(task_line("repo/issue-12")).split(b"\n"))
    client.force_login(reviewer)

    listing = client.get(f"/projects/{project.slug}/")
    assert listing.status_code == 200 and f"/projects/{project.slug}/tasks/repo/issue-12/" in listing.content.decode()
    assert client.get(f"/projects/{project.slug}/tasks/repo/issue-12/").status_code == 200
