"""Fixtures shared by the annotation tests."""

from __future__ import annotations

import json

import pytest

from annotation.models import Assignment
from annotation.work import judging
from tasks import services
from tasks.importing import import_tasks
from tasks.models import Project, RankingMode, Role, User
from tests.conftest import make_user
from tests.exporters.conftest import TASKS, judge


@pytest.fixture
def judged(db: None) -> tuple[Project, list[User]]:
    project = services.create_project(
        slug="q", name="Q", ranking_mode=RankingMode.RANKING, overlap=3, min_tests=0, min_rationale_chars=10
    )
    people = [make_user(f"q-{i}") for i in range(3)]
    for user in people:
        services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    import_tasks(project=project, lines=[json.dumps(t) for t in TASKS])
    judge(project, people)
    return project, people


RUBRIC = ["correctness", "efficiency", "readability", "security", "instruction_following"]


def submit_ranking(assignment: Assignment, ranking: list[list[str]], rationale: str = "") -> None:
    """Save and submit a complete judgment with this ranking (stored labels), through the services."""
    data = {
        "ranking": ranking,
        "ratings": {x: dict.fromkeys(RUBRIC, 3) for x in assignment.response_order},
        "rationale": rationale or "Ranked by what the outputs do on the edge cases I tried.",
    }
    judging.save_draft(assignment=assignment, data=data)
    judging.submit_judgment(assignment=assignment, data=data)
