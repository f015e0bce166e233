"""An archived project is read-only on every write path, not only claims, drafts, submits and imports:
test runs (a sandbox job each), skips, flags, reopening, replies and the leads' bulk actions are refused
with the same sentence, and work goes on after unarchiving. Found by the security review of issue 13."""

from __future__ import annotations

import pytest

from annotation.manager import services as manager
from annotation.projects import services as setup
from annotation.work import judging, queue, runs
from tasks import services
from tasks.models import Project, Role, User
from tests.conftest import claimable_project, submit_judgment


@pytest.fixture
def scene(annotator: User, lead: User) -> tuple[Project, User]:
    project = claimable_project(annotators=[annotator], min_tests=0, tasks=3, overlap=1)
    services.add_member(project=project, user=lead, role=Role.LEAD)
    return project, lead


def archive(project: Project, lead: User) -> str:
    setup.archive_project(project=project, actor=lead)
    project.refresh_from_db()
    assert project.archived_message
    return project.archived_message


def test_work_in_hand_cannot_be_run_skipped_or_flagged(scene: tuple[Project, User], annotator: User) -> None:
    project, lead = scene
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    refused = archive(project, lead)
    assignment.task.project.refresh_from_db()

    with pytest.raises(runs.CannotRun, match="archived"):
        runs.run_tests(assignment=assignment, code="def test_x():\n    assert True\n")
    with pytest.raises(ValueError, match="archived"):
        queue.skip_assignment(assignment=assignment, reason="no")
    with pytest.raises(queue.FlagRefused, match="archived"):
        queue.flag_task(assignment=assignment, reason="truncated")
    assert assignment.test_runs.count() == 0 and project.tasks.filter(flags__isnull=False).count() == 0
    assert "archived" in refused

    setup.unarchive_project(project=project, actor=lead)
    assignment.task.project.refresh_from_db()
    assert queue.skip_assignment(assignment=assignment, reason="back open").status == "skipped"


def test_submitted_work_cannot_be_reopened_or_replied_to(
    scene: tuple[Project, User], annotator: User, reviewer: User
) -> None:
    project, lead = scene
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    label = sorted(assignment.response_order)[0]
    comment = {"id": "c1", "label": label, "start": 1, "end": 1, "category": "bug", "severity": "minor", "text": "x"}
    judgment = submit_judgment(assignment, line_comments=[comment])
    archive(project, lead)
    assignment.task.project.refresh_from_db()

    with pytest.raises(queue.ReopenRefused, match="archived"):
        queue.reopen_assignment(assignment=assignment)
    judgment.assignment.task.project.refresh_from_db()
    with pytest.raises(judging.ReplyRefused, match="archived"):
        judging.reply_to_comment(judgment=judgment, comment_id="c1", author=lead, text="why?")


def test_bulk_actions_are_refused(scene: tuple[Project, User]) -> None:
    project, lead = scene
    archive(project, lead)
    with pytest.raises(manager.BulkRefused, match="archived"):
        manager.bulk_action(project=project, action="delete", task_ids=["t0"])
    assert project.tasks.filter(external_id="t0").exists()
