"""The leads' export page: create, watch the progress bar, download the file and its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from exporters import formats, options, services
from exporters.access import access_export
from exporters.models import ExportJob
from tasks.access import access_project
from tasks.models import Project, Role, User


@login_required
@require_http_methods(["GET", "POST"])
def export_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The form to start an export (a bad option re-renders it with the reason, status 400) and the history."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    context: dict[str, object] = {
        "project": project,
        "formats": list(formats.NAMES),
        "modes": ExportJob.Mode.choices,
        "outputs": options.OUTPUTS,
        "contradictions": formats.CONTRADICTIONS,
        "margins": formats.MARGINS,
        "separators": list(options.SEPARATORS),
        "sft_styles": formats.SFT_STYLES,
    }
    if request.method == "POST":
        try:
            chosen = options.ExportOptions.from_form(request.POST)
            services.start_export(project=project, user=cast(User, request.user), options=chosen)
        except options.ExportInvalid as invalid:
            context["form_error"] = str(invalid)
        else:
            return redirect("exports", slug=project.slug)
    context["jobs"] = _jobs(project)
    return render(request, "exporters/exports.html", context, status=400 if "form_error" in context else 200)


@login_required
@require_GET
def history(request: HttpRequest, slug: str) -> HttpResponse:
    """The history table, polled while an export runs."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    return render(request, "exporters/exports.html#history", {"project": project, "jobs": _jobs(project)})


def _jobs(project: Project) -> list[ExportJob]:
    return list(ExportJob.objects.filter(project=project).select_related("created_by")[:50])


@login_required
@require_GET
def download(request: HttpRequest, export_id: int) -> FileResponse:
    return serve_file(access_export(request.user, export_id))


@login_required
@require_GET
def manifest(request: HttpRequest, export_id: int) -> JsonResponse:
    """The manifest, saved as `<the export's file>.manifest.json` like the one beside the file on disk
    (without a name every browser saves each export's as manifest.json)."""
    job = access_export(request.user, export_id)
    if job.manifest is None:
        raise Http404("This export has no manifest yet.")
    response = JsonResponse(job.manifest, json_dumps_params={"indent": 2})
    name = job.filename + ".manifest.json"  # a slug, a format, an id: ASCII, nothing to quote
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def features(request: HttpRequest, export_id: int) -> FileResponse:
    """The `datasets` Features of the export's rows (features.json), for `load_dataset(..., features=...)`."""
    job = access_export(request.user, export_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("This export has no file yet.")
    path = (Path(settings.MEDIA_ROOT) / (job.file + ".features.json")).resolve()
    if not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) or not path.exists():
        raise Http404("This export has no features file (it was written before they were).")
    name = job.filename + ".features.json"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="application/json")


def serve_file(job: ExportJob) -> FileResponse:
    """Stream the export's file (never loaded whole into memory)."""
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("This export has no file yet.")
    path = (Path(settings.MEDIA_ROOT) / job.file).resolve()
    if not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) or not path.exists():
        raise Http404("The export's file is gone.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.filename, content_type=job.content_type)
