"""A project with a lead, a reviewer, two annotators and tasks to claim; helpers to follow an invitation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tasks import services
from tasks.models import Project, Role, User
from tests.conftest import claimable_project

PASSWORD = "a-long-Chosen-passw0rd"
LINK = re.compile(r"http://testserver(/invite/[A-Za-z0-9_-]+/)")


@pytest.fixture
def team(lead: User, reviewer: User, annotator: User, annotator2: User) -> Project:
    project = claimable_project(annotators=[annotator, annotator2], tasks=3, overlap=2, min_tests=0)
    services.add_member(project=project, user=lead, role=Role.LEAD)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    return project


def people_post(client: Client, project: Project, **data: object) -> Any:
    return client.post(f"/projects/{project.slug}/people/", data)


def link_in(text: str) -> str:
    """The accept path of the one invitation link in `text`."""
    found = LINK.findall(text)
    assert len(found) == 1, text
    return str(found[0])


def sign_up(client: Client, path: str, username: str, *, password: str = PASSWORD, **extra: str) -> Any:
    data = {"action": "signup", "username": username, "password1": password, "password2": password, **extra}
    return client.post(path + "accept", data)
