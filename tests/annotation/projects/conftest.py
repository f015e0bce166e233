"""Builders of the project setup tests: a lead with the "Can create projects" permission, the settings
page's POST, the API with a token, and a judgment that starts the work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.authtoken.models import Token

from annotation.models import Judgment
from annotation.projects import services
from annotation.work import queue
from tasks import services as project_services
from tasks.importing import import_tasks
from tasks.models import Project, RankingMode, Role, User
from tests.conftest import make_user, submit_judgment, task_line

RUBRIC = [
    {"key": "correctness", "label": "Correctness", "help": "Right on every input.", "min": 1, "max": 5},
    {"key": "security", "label": "Security", "help": "No injection.", "min": 1, "max": 5, "required": False},
]


def grant_create(user: User) -> User:
    user.user_permissions.add(Permission.objects.get(codename="create_project"))
    return User.objects.get(pk=user.pk)  # a fresh instance: has_perm caches


@pytest.fixture
def creator(db: None) -> User:
    """A new lead: no staff rights, only the permission to create projects."""
    return grant_create(make_user("cleo-creator"))


@pytest.fixture
def setup_project(creator: User, reviewer: User, annotator: User) -> Project:
    """A ranking project `creator` created and leads, with a reviewer, an annotator and two tasks."""
    project = services.create_project(
        actor=creator,
        slug="setup",
        values={"name": "Setup", "ranking_mode": RankingMode.RANKING, "min_tests": 0, "min_rationale_chars": 10},
    )
    project_services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    project_services.add_member(project=project, user=annotator, role=Role.ANNOTATOR)
    import_tasks(project=project, lines=[json.dumps(task_line(f"t{i}")) for i in range(2)])
    return project


def start_work(project: Project, annotator: User, **fields: Any) -> Judgment:
    """One submitted judgment in the project (so its work has started), rated 3 on every dimension."""
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    return submit_judgment(assignment, rationale="A is right, B is wrong on the empty list.", **fields)


def form_data(project: Project, **changes: Any) -> dict[str, Any]:
    """The settings page's POST for the project as it is, with `changes` (JSON fields as Python values)."""
    data: dict[str, Any] = {f: getattr(project, f) for f in services.SETTINGS}
    data.update(changes)
    for field in ("rubric", "comment_categories"):
        data[field] = json.dumps(data[field])
    for field in ("requires_ideal_solution", "qualification_required"):
        if not data[field]:
            del data[field]  # an unticked checkbox is not posted
    return data


class Api:
    def __init__(self, client: Client, user: User) -> None:
        self.client = client
        self.headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1/{path}", headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1/{path}", body or {}, content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(f"/api/v1/{path}", body, content_type="application/json", headers=self.headers)
