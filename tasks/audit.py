"""The audit log: one row per change of a project's settings, a role or a membership (AuditEvent)."""

from __future__ import annotations

from typing import Any

from tasks.models import AuditEvent, Project, User


def record(
    *, project: Project, actor: User | None, action: str, target: str = "", changes: dict[str, Any] | None = None
) -> AuditEvent:
    """Keep one change. `changes` maps a field to [old, new] (JSON-able values); call it inside the
    transaction of the change, so a change that rolls back leaves no row."""
    return AuditEvent.objects.create(project=project, actor=actor, action=action, target=target, changes=changes or {})


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value differs between two snapshots."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
