"""The models page counts the annotators' line comments per model, by category and by severity, from the
project's submitted judgments only (page and API)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from annotation.quality import leaderboard
from annotation.work import judging, queue
from tasks import services
from tasks.models import Role, User
from tests.annotation.work.test_workspace_api import Api
from tests.conftest import claimable_project, submit_judgment


def note(cid: str, label: str, category: str, severity: str) -> dict[str, Any]:
    return {"id": cid, "label": label, "start": 1, "end": 1, "category": category, "severity": severity, "text": "t"}


def test_counts_are_per_model_by_category_and_by_severity() -> None:
    counts = leaderboard.line_comment_counts(
        [("m2", "bug", "major"), ("m1", "bug", "minor"), ("m1", "style", "minor"), ("m1", "bug", "critical")]
    )

    assert counts == {
        "m1": {"by_category": {"bug": 2, "style": 1}, "by_severity": {"critical": 1, "minor": 2}},
        "m2": {"by_category": {"bug": 1}, "by_severity": {"major": 1}},
    }
    assert list(counts) == ["m1", "m2"] and leaderboard.line_comment_counts([]) == {}


def test_the_models_page_and_api_count_submitted_comments_per_model(
    client: Client, annotator: User, annotator2: User, reviewer: User
) -> None:
    """Catches counting by label instead of model (labels are drawn per task), and counting drafts."""
    project = claimable_project(annotators=[annotator, annotator2], tasks=2, overlap=2, min_tests=0)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    for who in (annotator, annotator2):
        for _ in range(2):
            assignment = queue.claim_next_assignment(project=project, annotator=who)
            model_of = dict(assignment.task.responses.values_list("model_name", "label"))
            notes = [
                note("a", model_of["model-0"], "bug", "critical"),
                note("b", model_of["model-1"], "style", "minor"),
            ]
            submit_judgment(assignment, line_comments=notes if who == annotator else notes[:1])
    # a draft's comments do not count: a third annotator's open work on the first task
    drafter = User.objects.create_user(username="drafter", password="x")
    services.add_member(project=project, user=drafter, role=Role.ANNOTATOR)
    project.overlap = 3
    project.save(update_fields=["overlap"])
    draft = queue.claim_next_assignment(project=project, annotator=drafter)
    label = dict(draft.task.responses.values_list("model_name", "label"))["model-1"]
    judging.save_draft(assignment=draft, data={"line_comments": [note("d", label, "security", "major")]})

    rows = {m["model"]: m for m in Api(client, reviewer).get(f"projects/{project.slug}/quality").json()["models"]}
    client.force_login(reviewer)
    html = client.get(f"/projects/{project.slug}/quality/").content.decode()

    assert rows["model-0"]["comments_by_category"] == {"bug": 4}
    assert rows["model-0"]["comments_by_severity"] == {"critical": 4} and rows["model-0"]["line_comments"] == 4
    assert rows["model-1"]["comments_by_category"] == {"style": 2}
    assert rows["model-1"]["comments_by_severity"] == {"minor": 2} and rows["model-1"]["line_comments"] == 2
    table = html.split('id="line-comment-counts"', 1)[1].split("</table>", 1)[0]
    assert "Correctness of the explanation" in table
    line = table.split("<td>model-0</td>", 1)[1].split("</tr>", 1)[0]
    assert [cell.split("</td>")[0] for cell in line.split("<td>")[1:]] == [
        "4",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "4",
        "4",
    ]
