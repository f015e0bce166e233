"""The annotator's workspace pages. Each view: access, service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from annotation.access import access_assignment
from annotation.models import Assignment, Judgment, TaskFlag
from annotation.work import activity, judging, judgment_input, queue, runs, workspace
from annotation.work import serializers as s
from tasks.access import access_project
from tasks.models import Role
from tasks.rendering import diff_table, stored_lines
from tasks.templatetags.lookup import duration


@login_required
@require_POST
def start_working(request: HttpRequest, slug: str) -> HttpResponse:
    """Claim the annotator's next task in the project and open it."""
    project = access_project(request.user, slug, role=Role.ANNOTATOR).project
    try:
        assignment = queue.claim_next_assignment(project=project, annotator=request.user)  # type: ignore[arg-type]
    except queue.QueueEmpty as empty:
        messages.info(request, f"{empty}. Thank you! Check back later.")
        return redirect("project-detail", slug=project.slug)
    return redirect("workspace", assignment_id=assignment.pk)


@login_required
@require_GET
def workspace_page(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment(request.user, assignment_id, page=True)
    if assignment.status != Assignment.Status.ACTIVE:
        messages.info(request, f"That task is {assignment.get_status_display().lower()}.")
        return redirect("project-detail", slug=assignment.task.project.slug)
    context = {**workspace.context(assignment), "flag_reasons": TaskFlag.Reason.choices}
    return render(request, "annotation/workspace.html", context)


@login_required
@require_POST
def save_draft(request: HttpRequest, assignment_id: int) -> JsonResponse:
    """Autosave: the whole form, as the page has it, and the revision the page's text started from;
    409 with the server's newer draft when that revision is out of date (the page takes it or keeps its own)."""
    assignment = access_assignment(request.user, assignment_id)
    try:
        judgment = judging.save_draft(
            assignment=assignment,
            data=judgment_input.from_form(assignment, request.POST),
            base_revision=_base_revision(request.POST),
        )
    except judging.JudgmentInvalid as invalid:
        return JsonResponse({"saved": False, "errors": invalid.errors}, status=400)
    except judging.DraftConflict as conflict:
        return JsonResponse(
            {
                "saved": False,
                "conflict": True,
                "errors": {"base_revision": str(conflict)},
                "revision": conflict.revision,
                "fields": workspace.form_fields(assignment, conflict.judgment),
            },
            status=409,
        )
    return JsonResponse(
        {"saved": True, "updated_at": judgment.updated_at.isoformat(), "revision": judging.latest_revision(judgment)}
    )


def _base_revision(post: QueryDict) -> int | None:
    """The page's base revision; absent means an older page without one (the save applies as before)."""
    value = post.get("base_revision", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise judging.JudgmentInvalid({"base_revision": "base_revision must be a whole number of 0 or more"})
    return int(value)


@login_required
@require_POST
def reply(request: HttpRequest, assignment_id: int) -> JsonResponse:
    """The annotator answers the thread of one of their own line comments (a reviewer's question, say);
    the answer is the reply as the page shows it, or 400 with why not."""
    assignment = access_assignment(request.user, assignment_id)
    judgment = Judgment.objects.filter(assignment=assignment).first()
    if judgment is None:
        return JsonResponse({"errors": {"reply": "save a line comment before replying to it"}}, status=400)
    try:
        answer = judging.reply_to_comment(
            judgment=judgment,
            comment_id=request.POST.get("comment_id", ""),
            author=request.user,  # type: ignore[arg-type]
            text=request.POST.get("text", ""),
        )
    except judging.ReplyRefused as refused:
        return JsonResponse({"errors": {"reply": str(refused)}}, status=400)
    return JsonResponse(workspace.reply_data(answer), status=201)


@login_required
@require_POST
def run_tests(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment(request.user, assignment_id)
    context: dict[str, object] = {"assignment": assignment}
    try:
        run = runs.run_tests(
            assignment=assignment,
            code=request.POST.get("tests_code", ""),
            ideal_solution=request.POST.get("ideal_solution", "")
            if assignment.task.project.requires_ideal_solution
            else "",
        )
        context["matrix"] = workspace.matrix(assignment, run)
    except runs.CannotRun as refused:
        context["run_error"] = str(refused)
        context["matrix"] = _latest_matrix(assignment)
    return render(request, "annotation/workspace.html#results", context)


@login_required
@require_GET
def results(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The results partial, polled while a run is in progress."""
    assignment = access_assignment(request.user, assignment_id)
    return render(
        request, "annotation/workspace.html#results", {"assignment": assignment, "matrix": _latest_matrix(assignment)}
    )


def _latest_matrix(assignment: Assignment) -> workspace.Matrix | None:
    run = runs.latest_run(assignment)
    return workspace.matrix(assignment, run) if run else None


@login_required
@require_POST
def submit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Check and submit, then go straight to the next task. Whatever fails, the draft is kept."""
    assignment = access_assignment(request.user, assignment_id)
    if assignment.status == Assignment.Status.SUBMITTED:  # a double click: the first one counted
        return _next(request, assignment)
    data = judgment_input.from_form(assignment, request.POST)
    errors: dict[str, str] = {}
    conflict: judging.EvidenceConflict | None = None
    stale: judging.DraftConflict | None = None
    try:
        base = form_data(s.SubmitRevision, request.POST)["base_revision"]
        try:
            evidence = form_data(s.EvidenceInput, request.POST)
        except judging.JudgmentInvalid:
            judging.save_draft(assignment=assignment, data=data, base_revision=base)  # the text is kept
            raise
        judging.submit_judgment(assignment=assignment, data=data, base_revision=base, keep_draft=True, **evidence)
    except judging.JudgmentInvalid as invalid:
        errors = invalid.errors
    except judging.EvidenceConflict as exc:
        conflict = exc
    except judging.DraftConflict as exc:
        stale = exc
    if stale:  # another tab saved after this page loaded: nothing is overwritten, this page's text stays
        posted = Judgment(pk=stale.judgment.pk, assignment=assignment, **judgment_input.clean(assignment, data))
        context = workspace.context(assignment, shown=posted)
        context.update(errors={"revision": STALE_SUBMIT})
        return render(request, "annotation/workspace.html", context, status=409)
    if errors or conflict:
        context = workspace.context(assignment)
        context.update(errors=errors, conflict=_conflict_text(assignment, conflict))
        return render(request, "annotation/workspace.html", context, status=400)
    messages.success(request, "Submitted. Here is your next task.")
    return _next(request, assignment)


STALE_SUBMIT = (
    "not submitted: this task was saved in another tab or window after this page loaded. This page still "
    "shows your text; submit again to keep it (the other tab's draft is replaced), or reload to see that draft."
)


def _conflict_text(assignment: Assignment, conflict: judging.EvidenceConflict | None) -> list[str]:
    if conflict is None:
        return []
    show = assignment.display_label
    return [f"you ranked {show(a)} above {show(b)}, but {show(b)} passed more of your tests" for a, b in conflict.pairs]


def _next(request: HttpRequest, assignment: Assignment) -> HttpResponse:
    try:
        following = queue.claim_next_assignment(project=assignment.task.project, annotator=request.user)  # type: ignore[arg-type]
    except queue.QueueEmpty:
        messages.info(request, "You have judged every task that needs you in this project. Thank you!")
        return redirect("project-detail", slug=assignment.task.project.slug)
    return redirect("workspace", assignment_id=following.pk)


@login_required
@require_POST
def skip(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment(request.user, assignment_id)
    try:
        queue.skip_assignment(assignment=assignment, reason=request.POST.get("reason", ""))
    except ValueError as refused:
        messages.error(request, f"Not skipped: {refused}.")
        return redirect("workspace", assignment_id=assignment.pk)
    return _next(request, assignment)


@login_required
@require_POST
def flag(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Flag the task instead of judging it; the annotator moves on to their next task."""
    assignment = access_assignment(request.user, assignment_id)
    form = s.FlagInput(data=request.POST)  # the API's serializer: the page accepts what the API does
    try:
        if not form.is_valid():
            raise queue.FlagRefused("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items()))
        queue.flag_task(assignment=assignment, **form.validated_data)
    except queue.FlagRefused as refused:
        messages.error(request, f"Not flagged: {refused}.")
        return redirect("workspace", assignment_id=assignment.pk)
    messages.success(request, f"Task {assignment.task.external_id} flagged for the lead. Thank you!")
    return _next(request, assignment)


@login_required
@require_POST
def heartbeat(request: HttpRequest) -> JsonResponse:
    """The page is in use: credit active time (the server decides how much) and renew the lease; the
    answer carries the page's time display already formatted, so durations are written one way."""
    beat = s.HeartbeatInput(data=request.POST)
    if not beat.is_valid():
        return JsonResponse({"errors": beat.errors}, status=400)
    data = beat.validated_data
    assignment = access_assignment(request.user, data["assignment"]) if data.get("assignment") else None
    answer = activity.beat(
        annotator=request.user,  # type: ignore[arg-type]
        assignment=assignment,
        tab=data["tab"],
        seq=data["seq"],
        events=activity.events_seen(data),
    )
    return JsonResponse(
        {**answer, "today": duration(answer["today_seconds"]), "week": duration(answer["week_seconds"])}
    )


@login_required
@require_GET
def diff(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """A unified diff between two responses, named by the annotator's letters."""
    assignment = access_assignment(request.user, assignment_id)
    letters = {assignment.display_label(label): label for label in assignment.response_order}
    left, right = letters.get(request.GET.get("a", "")), letters.get(request.GET.get("b", ""))
    if left is None or right is None:
        return HttpResponse("Choose two responses.", status=400)
    rows = {r.label: r for r in assignment.task.responses.only("label", "code", "rendered", "render_version")}
    old, new, language = rows[left], rows[right], assignment.task.language
    table = diff_table(  # the stored highlighting when it holds: no Pygments on a page view
        old.code, new.code, language, old_lines=stored_lines(old, language), new_lines=stored_lines(new, language)
    )
    return render(
        request,
        "annotation/workspace.html#diff",
        {"diff_html": table, "diff_names": (request.GET["a"], request.GET["b"])},
    )


def form_data(serializer: type[s.serializers.Serializer], post: QueryDict) -> dict[str, Any]:
    """A page's form checked by the API's serializer for the same operation, so both accept the same;
    refusals come back as JudgmentInvalid, which the page shows beside the form."""
    checked = serializer(data=post)
    if not checked.is_valid():
        raise judging.JudgmentInvalid({field: " ".join(map(str, why)) for field, why in checked.errors.items()})
    return dict(checked.validated_data)


@login_required
@require_GET
def my_work(request: HttpRequest, slug: str) -> HttpResponse:
    """The annotator's own submitted and sent-back work in the project, with verdicts and feedback."""
    access = access_project(request.user, slug, role=Role.ANNOTATOR)
    rows = queue.my_work(project=access.project, annotator=request.user)  # type: ignore[arg-type]
    items = [(a, review, queue.can_reopen(a, review)) for a, review in rows]
    return render(request, "annotation/my_work.html", {"project": access.project, "access": access, "items": items})


@login_required
@require_POST
def reopen(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Reopen the annotator's submitted, not yet reviewed judgment and go to it; refusals go back to
    "My work" with the reason."""
    assignment = access_assignment(request.user, assignment_id)
    try:
        queue.reopen_assignment(assignment=assignment)
    except queue.ReopenRefused as refused:
        messages.error(request, f"Not reopened: {refused}.")
        return redirect("my-work", slug=assignment.task.project.slug)
    messages.success(request, "Reopened: revise your judgment and submit it again.")
    return redirect("workspace", assignment_id=assignment.pk)
