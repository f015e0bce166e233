"""The reviewers' pages: the review queue and one judgment with all its evidence."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from annotation import rankings
from annotation.access import access_for_review
from annotation.models import Assignment, Judgment, Review, TestRun
from annotation.review import serializers as s
from annotation.review import services as review
from annotation.work import judging, queue, workspace
from tasks.access import access_project
from tasks.models import Response, Role, Task, User


@login_required
def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    project = access_project(request.user, slug, role=Role.REVIEWER).project
    items = review.review_queue(project=project, reviewer=cast(User, request.user))
    return render(request, "annotation/review_queue.html", {"project": project, "items": items})


@login_required
@require_http_methods(["GET", "POST"])
def review_page(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_for_review(request.user, assignment_id)
    error = ""
    if request.method == "POST":
        form = s.ReviewInput(data=request.POST)  # the API's serializer: the page accepts what the API does
        try:
            _record(request, assignment, form)
        except review.ReviewRefused as refused:
            error = str(refused)
        else:
            messages.success(request, f"Review of {assignment.task.external_id} recorded.")
            following = review.review_queue(project=assignment.task.project, reviewer=cast(User, request.user))
            if following:
                return redirect("review-judgment", assignment_id=following[0].pk)
            return redirect("review-queue", slug=assignment.task.project.slug)
    return render(
        request, "annotation/review.html", {**_evidence(assignment), "error": error}, status=400 if error else 200
    )


@login_required
@require_POST
def reply(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """A reviewer's reply in the thread of one of the judgment's line comments, then back to the review
    (at that comment); a refusal comes back as a message."""
    assignment = access_for_review(request.user, assignment_id)
    form = s.ReplyInput(data=request.POST)
    try:
        if not form.is_valid():
            raise judging.ReplyRefused("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items()))
        judgment = Judgment.objects.filter(assignment=assignment).first()
        if judgment is None:
            raise judging.ReplyRefused("this work has no judgment to reply to")
        judging.reply_to_comment(judgment=judgment, author=cast(User, request.user), **form.validated_data)
    except judging.ReplyRefused as refused:
        messages.error(request, f"Reply not added: {refused}.")
        return redirect("review-judgment", assignment_id=assignment.pk)
    messages.success(request, "Reply added.")
    url = reverse("review-judgment", args=[assignment.pk])
    return redirect(f"{url}#lc-{form.validated_data['comment_id']}")


def _record(request: HttpRequest, assignment: Assignment, form: s.ReviewInput) -> None:
    """The verdict, or ReviewRefused naming what is wrong with the form or the verdict."""
    if not form.is_valid():
        raise review.ReviewRefused("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items()))
    review.review_judgment(assignment=assignment, reviewer=cast(User, request.user), **form.validated_data)


def _evidence(assignment: Assignment) -> dict[str, object]:
    """Everything a reviewer weighs: the task, the responses as the annotator saw them, every test run,
    the judgment with its revisions, the time spent, and earlier reviews."""
    by_label = {r.label: r for r in Response.objects.filter(task=assignment.task)}
    responses = [(assignment.display_label(label), by_label[label]) for label in assignment.response_order]
    judgment = Judgment.objects.filter(assignment=assignment).first()
    runs = list(
        TestRun.objects.filter(assignment=assignment).select_related("test_case").prefetch_related("results__response")
    )
    show = assignment.display_label
    ranking = rankings.relabel(judgment.ranking if judgment else [], lambda x: f"{show(x)} ({by_label[x].model_name})")
    return {
        "assignment": assignment,
        "task": assignment.task,
        "project": assignment.task.project,
        "responses": responses,
        "judgment": judgment,
        "ranking": ranking,
        "revisions": judgment.revisions.count() if judgment else 0,
        "matrices": [workspace.matrix(assignment, run) for run in runs],
        "reviews": list(Review.objects.filter(assignment=assignment).select_related("reviewer")),
        "verdicts": Review.Verdict.choices,
        "can_review": assignment.status == Assignment.Status.SUBMITTED,
        "line_comments": review.comment_threads(assignment, judgment),
        "categories": {c["key"]: c["label"] for c in assignment.task.project.comment_categories},
    }


FLAG_ACTIONS = {"release": queue.release_task, "retire": queue.retire_task}


@login_required
@require_http_methods(["GET", "POST"])
def flags_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The lead's list of open task flags, and its two actions per task: re-release (the task was fine
    or has been fixed: the queue offers it again) or retire (never offered again)."""
    project = access_project(request.user, slug, role=Role.LEAD).project
    if request.method == "POST":
        return _resolve_flags(request, project.slug)
    return render(request, "annotation/flags.html", {"project": project, "flags": list(queue.open_flags(project))})


def _resolve_flags(request: HttpRequest, slug: str) -> HttpResponse:
    action = FLAG_ACTIONS.get(request.POST.get("action", ""))
    task = Task.objects.filter(project__slug=slug, external_id=request.POST.get("task", "")).first()
    if action is None:
        messages.error(request, "Nothing done: action must be release or retire.")
    elif task is None:
        messages.error(request, "Nothing done: task is not a task of this project.")
    else:
        action(task=task)
        done = "re-released: the queue offers it again" if action is queue.release_task else "retired"
        messages.success(request, f"Task {task.external_id} {done}.")
    return redirect("task-flags", slug=slug)
