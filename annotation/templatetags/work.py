"""{% work_summary access %}: the annotation work of a project, for its page (tasks/ stays unaware of it)."""

from typing import Any

from django import template

from annotation.work.summary import work_summary as summary
from tasks.access import ProjectAccess

register = template.Library()


@register.inclusion_tag("annotation/_work_summary.html", takes_context=True)
def work_summary(context: dict[str, Any], access: ProjectAccess) -> dict[str, Any]:
    return {**summary(access, context["request"].user), "project": access.project}
