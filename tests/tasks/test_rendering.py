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
