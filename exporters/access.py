"""Exports are the leads': only a lead of the project (or staff) sees or downloads one."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from exporters.models import ExportJob
from tasks.access import access_project
from tasks.models import Role, User


def access_export(user: User | AnonymousUser, export_id: int) -> ExportJob:
    job = ExportJob.objects.select_related("project", "since").filter(pk=export_id).first()
    if job is None:
        raise Http404("No such export.")
    access_project(user, job.project.slug, role=Role.LEAD)
    return job
