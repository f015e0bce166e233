"""Fixtures shared by the annotation tests."""

from __future__ import annotations

import json

import pytest

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
