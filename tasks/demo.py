"""The demo: projects, tasks written for this platform (demo_tasks.py) and one login per role."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import Permission
from django.db import transaction

from tasks import services
from tasks.demo_tasks import DEMO_TASKS
from tasks.importing import import_tasks
from tasks.models import Project, RankingMode, Role, Task, User

DEMO_PASSWORD = "demo"  # noqa: S105 - printed on purpose: these accounts exist for trying the platform
# (username, role in the demo project, site staff)
DEMO_USERS = [
    ("admin", Role.LEAD, True),
    ("lead", Role.LEAD, False),
    ("reviewer", Role.REVIEWER, False),
    ("annotator", Role.ANNOTATOR, False),
    ("annotator2", Role.ANNOTATOR, False),
    ("annotator3", Role.ANNOTATOR, False),
]
DEMO_ANNOTATORS = ["annotator", "annotator2", "annotator3"]
INSTRUCTIONS = """\
Compare the model-written solutions to each coding prompt.

1. **Read** the prompt and every response. Model names are hidden and the order is shuffled for you.
2. **Test**: write tests that pin down the behaviour the prompt asks for, including edge cases, and
   run them against every response. Your tests are the evidence for your ranking.
3. **Rank** the responses (ties are allowed when two are equally good) and rate each on the rubric.
4. **Explain** your ranking in a rationale another engineer could check: name the failing inputs.

A response that is correct but needlessly slow ranks below a correct, efficient one.
"""


@transaction.atomic
def seed_demo() -> Project:
    """Create or refresh the demo projects, tasks and users (passwords reset to DEMO_PASSWORD)."""
    users = {name: _user(name, staff) for name, _, staff in DEMO_USERS}
    demo = _project("demo", "Demo: everyday Python & JavaScript", overlap=3, ranking_mode=RankingMode.RANKING)
    for name, role, _ in DEMO_USERS:
        services.add_member(project=demo, user=users[name], role=role)
    _import_missing(demo, DEMO_TASKS)
    internal = _project("internal-evals", "Internal evals (leads only)", overlap=1, ranking_mode=RankingMode.RANKING)
    services.add_member(project=internal, user=users["lead"], role=Role.LEAD)
    _import_missing(internal, DEMO_TASKS[:3])
    # The demo lead is not staff but may create projects (and leads what they create), as a real lead would.
    users["lead"].user_permissions.add(
        Permission.objects.get(codename="create_project", content_type__app_label="tasks")
    )
    return demo


def login_lines() -> list[str]:
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for name, role, staff in DEMO_USERS:
        extra = " + site admin" if staff else " + may create projects" if name == "lead" else ""
        lines.append(f"  {name:<11} {role.label.lower()}{extra}")
    return lines


def _user(username: str, staff: bool) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@demo.invalid"})
    user.is_staff = user.is_superuser = staff
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _project(slug: str, name: str, **options: Any) -> Project:
    project = Project.objects.filter(slug=slug).first()
    return project or services.create_project(slug=slug, name=name, instructions=INSTRUCTIONS, **options)


def _import_missing(project: Project, tasks: list[dict[str, Any]]) -> int:
    present = set(Task.objects.filter(project=project).values_list("external_id", flat=True))
    missing = [json.dumps(task) for task in tasks if task["id"] not in present]
    return import_tasks(project=project, lines=missing).created if missing else 0
