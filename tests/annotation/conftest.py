"""Fixtures shared by the annotation tests."""

from __future__ import annotations

import json

import pytest

from annotation.work import queue
from tasks import services
from tasks.importing import import_tasks
from tasks.models import Project, RankingMode, Role, User
from tests.conftest import make_user, submit_judgment
from tests.exporters.conftest import JUDGMENTS, TASKS, pin_labels_to_file_order


@pytest.fixture
def judged(db: None, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, list[User]]:
    """The exporters' hand-built golden scene (three tasks, seven judgments by three annotators), judged
    through the shared builder: ratings 3 for the alphabetically first label, 4 for the next, and so on."""
    pin_labels_to_file_order(monkeypatch)
    project = services.create_project(
        slug="q", name="Q", ranking_mode=RankingMode.RANKING, overlap=3, min_tests=0, min_rationale_chars=10
    )
    people = [make_user(f"q-{i}") for i in range(3)]
    for user in people:
        services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    import_tasks(project=project, lines=[json.dumps(t) for t in TASKS])
    rubric = [d["key"] for d in project.rubric]
    for external_id, who, extra in JUDGMENTS:
        while True:  # claim until this annotator holds the task we want; skip the others for now
            assignment = queue.claim_next_assignment(project=project, annotator=people[who])
            if assignment.task.external_id == external_id:
                break
            queue.skip_assignment(assignment=assignment, reason="golden order")
        ratings = {label: dict.fromkeys(rubric, 3 + i % 2) for i, label in enumerate(sorted(assignment.response_order))}
        submit_judgment(
            assignment, rationale=f"Golden rationale for {external_id} by annotator {who}.", ratings=ratings, **extra
        )
    return project, people
