"""A rubric dimension with "required": false may be left unrated on submit."""

from __future__ import annotations

from annotation.projects import services
from annotation.work import queue
from tasks.models import Project, User
from tests.annotation.projects.conftest import RUBRIC
from tests.conftest import submit_judgment


def test_submit_does_not_demand_an_optional_dimension(creator: User, annotator: User, setup_project: Project) -> None:
    services.update_project(project=setup_project, actor=creator, values={"rubric": RUBRIC})
    assignment = queue.claim_next_assignment(project=setup_project, annotator=annotator)
    labels = sorted(assignment.response_order)

    judgment = submit_judgment(assignment, ratings={label: {"correctness": 4} for label in labels})

    assert judgment.submitted_at is not None
