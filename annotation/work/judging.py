"""Judgments: drafts saved as the annotator works (each save a revision), one submission, checked.

A judgment keeps at most settings.JUDGMENT_MAX_REVISIONS revisions: the newest drafts and every
submission (what reviewers and exports rely on); older drafts are dropped as new ones come, so a day of
autosaves cannot grow without end. Revision numbers keep counting, so a gap shows where drafts went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotation import rankings
from annotation.gold import scores
from annotation.models import Assignment, CommentReply, Judgment, JudgmentRevision
from annotation.webhooks import services as webhooks
from annotation.work import judgment_input, runs
from annotation.work.judgment_input import JudgmentInvalid
from sandbox.results import Outcome
from tasks.compiled import Compiled
from tasks.db import retry_if_locked
from tasks.models import RankingMode, User
from tasks.text import lf

FIELDS = (
    "ranking",
    "strength",
    "ratings",
    "comments",
    "line_comments",
    "rationale",
    "all_unacceptable",
    "ideal_solution",
    "tests_code",
)


@dataclass
class EvidenceConflict(Exception):
    """Ranked above a response that passed more of the annotator's own tests: confirm and say why."""

    pairs: list[tuple[str, str]] = field(default_factory=list)  # (ranked higher, passed more), canonical labels


class DraftConflict(Exception):
    """A save based on an older revision than the server's: storing it would overwrite newer text
    (a save sent on leaving that lands after the reloaded page, or a second tab), so it is refused."""

    def __init__(self, judgment: Judgment, revision: int) -> None:
        super().__init__(f"the draft is at revision {revision}, newer than the one this save was based on")
        self.judgment = judgment  # the server's newer draft, for the page to take or merge
        self.revision = revision


def latest_revision(judgment: Judgment | None) -> int:
    """The number of the judgment's newest revision, 0 before its first save: what a save is based on."""
    return judgment.revision if judgment is not None else 0


def save_draft(*, assignment: Assignment, data: dict[str, Any], base_revision: int | None = None) -> Judgment:
    """Save what the annotator has so far (any field may be incomplete); keeps a revision if it changed.

    With base_revision (the revision the sender's text started from), a save based on an older revision
    than the latest raises DraftConflict instead of overwriting; without it, the save always applies."""
    if assignment.status != Assignment.Status.ACTIVE:
        raise JudgmentInvalid({"assignment": "this task is no longer yours to edit"})
    _refuse_if_archived(assignment)
    clean = judgment_input.clean(assignment, data)
    return retry_if_locked(lambda: _store_draft(assignment, clean, base_revision))  # an import may hold SQLite's lock


@transaction.atomic
def _store_draft(assignment: Assignment, clean: dict[str, Any], base_revision: int | None = None) -> Judgment:
    judgment, created = _locked_judgment(assignment, clean, base_revision, draft=True)
    if created:  # inserted just now with this text at revision 1: only that revision to keep
        _keep_revision(judgment, submitted=False)
    elif _changes(judgment, clean):
        for key, value in clean.items():
            setattr(judgment, key, value)
        _revise(judgment, submitted=False)
    return judgment


# Every save and submit locks its judgment: the read compiled once per connection (tasks/compiled.py).
_LOCKED_JUDGMENT: Compiled[Judgment] = Compiled(
    lambda assignment: Judgment.objects.select_for_update().filter(assignment_id=assignment).order_by()[:1],
    assignment=int,
)


def _locked_judgment(
    assignment: Assignment, clean: dict[str, Any], base_revision: int | None, *, draft: bool = False
) -> tuple[Judgment, bool]:
    """The assignment's judgment, its row locked for the caller's transaction, checked against the
    revision the sender's text started from: DraftConflict when a newer revision would be overwritten by
    different text. A first draft creates it with its text, as revision 1."""
    judgment, created = _LOCKED_JUDGMENT.first(assignment=assignment.pk), False
    if judgment is None:  # none yet: created as get_or_create would, in a savepoint, in case two saves race
        defaults = {**clean, "revision": 1} if draft else {}  # a first draft is created as its revision 1
        try:
            with transaction.atomic():
                judgment, created = Judgment.objects.create(assignment=assignment, **defaults), True
        except IntegrityError:  # the other save's row: locked now, as the read above would have
            judgment = Judgment.objects.select_for_update().get(assignment=assignment)
    judgment.assignment = assignment  # with its task and project already loaded: no query to reach them
    if base_revision is not None and base_revision < judgment.revision and _changes(judgment, clean):
        raise DraftConflict(judgment, judgment.revision)
    return judgment, created


def _changes(judgment: Judgment, clean: dict[str, Any]) -> bool:
    return _snapshot(judgment) != {**_snapshot(judgment), **clean}


def submit_judgment(
    *,
    assignment: Assignment,
    data: dict[str, Any],
    base_revision: int | None = None,
    confirm_evidence: bool = False,
    evidence_note: str = "",
    keep_draft: bool = False,
) -> Judgment:
    """Check and submit; a second submit of the same assignment returns the first (double clicks). With
    base_revision, a text based on an older revision than the saved one raises DraftConflict (as a draft
    save does) and nothing is submitted. With keep_draft (the page's and the API's submit), a refused
    submission (incomplete, or against the annotator's own tests) keeps the text as a draft."""
    try:
        return _submit(assignment, data, base_revision, confirm_evidence, evidence_note)
    except (JudgmentInvalid, EvidenceConflict):
        if keep_draft and assignment.status == Assignment.Status.ACTIVE:
            save_draft(assignment=assignment, data=data, base_revision=base_revision)
        raise


def _submit(
    assignment: Assignment, data: dict[str, Any], base_revision: int | None, confirm_evidence: bool, evidence_note: str
) -> Judgment:
    if assignment.status == Assignment.Status.SUBMITTED:
        return assignment.judgment
    if assignment.status != Assignment.Status.ACTIVE:
        raise JudgmentInvalid({"assignment": "this task is no longer yours to submit"})
    _refuse_if_archived(assignment)
    clean = judgment_input.clean(assignment, data)
    evidence_note = lf(evidence_note).strip()
    try:
        judgment_input.check_length(judgment_input.NAMES["evidence_note"], evidence_note)
    except ValueError as wrong:
        raise JudgmentInvalid({"evidence_note": str(wrong)}) from None
    results = runs.latest_results(assignment)  # one read for both checks below
    errors = _completeness(assignment, clean, results)
    if errors:
        raise JudgmentInvalid(errors)
    conflicts = _evidence_conflicts(assignment, clean, results)
    if conflicts and not (confirm_evidence and len(evidence_note) >= 10):
        raise EvidenceConflict(conflicts)
    now = timezone.now()
    with transaction.atomic():
        # The assignment first, then the judgment: the order run_tests takes them in (no deadlock).
        claimed = Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.ACTIVE).update(
            status=Assignment.Status.SUBMITTED, submitted_at=now, lease_expires_at=None
        )
        judgment, _ = _locked_judgment(assignment, clean, base_revision)  # DraftConflict rolls the update back
        if not claimed:  # a concurrent submit won
            return judgment
        for key, value in clean.items():
            setattr(judgment, key, value)
        judgment.evidence_conflict = bool(conflicts)
        judgment.evidence_note = evidence_note if conflicts else ""
        judgment.submitted_at = now
        assignment.status, assignment.submitted_at, assignment.lease_expires_at = Assignment.Status.SUBMITTED, now, None
        _revise(judgment, submitted=True)
        webhooks.judgment_submitted(judgment=judgment)  # and task.completed when this one fills the overlap
        scores.flag_if_newly_low(assignment=assignment)  # annotator.flagged when gold accuracy just fell low
    return judgment


def _refuse_if_archived(assignment: Assignment) -> None:
    if refused := assignment.task.project.archived_message:
        raise JudgmentInvalid({"assignment": refused})


def _completeness(assignment: Assignment, clean: dict[str, Any], results: list[runs.Finished]) -> dict[str, str]:
    project = assignment.task.project
    labels = assignment.response_order
    errors: dict[str, str] = {}
    ranked = {label for group in clean.get("ranking", []) for label in group}
    unranked = sorted(assignment.display_label(label) for label in labels if label not in ranked)
    if not clean.get("all_unacceptable") and unranked:
        plural = "s" if len(unranked) > 1 else ""
        errors["ranking"] = f"rank every response (ties are allowed): response{plural} {', '.join(unranked)} not ranked"
    if (
        project.ranking_mode == RankingMode.PAIRWISE
        and clean.get("strength") is None
        and not clean.get("all_unacceptable")
    ):
        errors["strength"] = "choose how strongly you prefer one response"
    ratings = clean.get("ratings", {})
    required = [d for d in project.rubric if d.get("required", True)]  # a lead may make a dimension optional
    unrated_all: list[str] = []
    partly: list[str] = []
    for letter, label in sorted((assignment.display_label(label), label) for label in labels):
        unrated = [d["label"] for d in required if d["key"] not in ratings.get(label, {})]
        if unrated and len(unrated) == len(required):
            unrated_all.append(letter)
        elif unrated:
            partly.append(f"response {letter} on {', '.join(unrated)}")
    if unrated_all or partly:
        plural = "s" if len(unrated_all) > 1 else ""
        every = [f"response{plural} {', '.join(unrated_all)} on every dimension"] if unrated_all else []
        errors["ratings"] = "rate " + "; ".join(every + partly)
    rationale = clean.get("rationale", "").strip()
    if len(rationale) < project.min_rationale_chars:
        errors["rationale"] = f"write at least {project.min_rationale_chars} characters (you have {len(rationale)})"
    if project.requires_ideal_solution and not clean.get("ideal_solution", "").strip():
        errors["ideal_solution"] = "this project asks for your ideal solution"
    ran = _tests_run(results)
    if ran < project.min_tests:
        plural = "s" if project.min_tests > 1 else ""
        errors["tests"] = f"run at least {project.min_tests} test{plural} first (your last run had {ran})"
    return errors


def _tests_run(results: list[runs.Finished]) -> int:
    """How many tests the latest run ran against the responses (its finished results): a skipped test ran nothing."""
    return max((sum(t.get("outcome") != Outcome.SKIPPED for t in r.tests) for r in results), default=0)


def _evidence_conflicts(
    assignment: Assignment, clean: dict[str, Any], results: list[runs.Finished]
) -> list[tuple[str, str]]:
    """The pairs in stored labels, sorted by the annotator's letters (stored order would give them away)."""
    passes = {r.label: r.passed for r in results}
    rank = rankings.ranks(clean.get("ranking", []))
    show = assignment.display_label
    return sorted(
        (
            (a, b)
            for a in rank
            for b in rank
            if rank[a] < rank[b] and a in passes and b in passes and passes[b] > passes[a]
        ),
        key=lambda pair: (show(pair[0]), show(pair[1])),
    )


class ReplyRefused(ValueError):
    """A reply that cannot be added; the message says why."""


def reply_to_comment(*, judgment: Judgment, comment_id: str, author: User, text: str) -> CommentReply:
    """Add a reply to the thread of one of the judgment's saved line comments. Who may reply is the
    caller's guard (the annotator's own work, or a reviewer of its project)."""
    text = lf(text).strip()
    if not text:
        raise ReplyRefused("write the reply's text")
    try:
        judgment_input.check_length("the reply", text)
    except ValueError as wrong:
        raise ReplyRefused(str(wrong)) from None
    if not any(c["id"] == comment_id for c in judgment.line_comments):
        raise ReplyRefused("that comment is not among the judgment's saved line comments")
    if refused := judgment.assignment.task.project.archived_message:
        raise ReplyRefused(refused)
    return CommentReply.objects.create(judgment=judgment, comment_id=comment_id, author=author, text=text)


def comment_threads(judgment: Judgment | None) -> dict[str, list[CommentReply]]:
    """The replies to each line comment of the judgment, oldest first, by comment id (one query)."""
    threads: dict[str, list[CommentReply]] = {}
    if judgment is None or judgment.pk is None or not judgment.line_comments:
        return threads  # replies hang on line comments: without any, no thread to read
    for reply in CommentReply.objects.filter(judgment=judgment).select_related("author"):
        threads.setdefault(reply.comment_id, []).append(reply)
    return threads


def _snapshot(judgment: Judgment) -> dict[str, Any]:
    return {key: getattr(judgment, key) for key in FIELDS}


def _revise(judgment: Judgment, *, submitted: bool) -> None:
    """Save the judgment (its row locked by the caller) and keep what it now says as its next revision."""
    judgment.revision += 1
    judgment.save()
    _keep_revision(judgment, submitted=submitted)


def _keep_revision(judgment: Judgment, *, submitted: bool) -> None:
    JudgmentRevision.objects.create(
        judgment=judgment, number=judgment.revision, submitted=submitted, data=_snapshot(judgment)
    )
    if judgment.revision > settings.JUDGMENT_MAX_REVISIONS:  # numbers only grow: below the cap, nothing to drop
        _prune(judgment)


def _prune(judgment: Judgment) -> None:
    """Drop the oldest drafts beyond the cap; the newest revision and every submission always stay."""
    revisions = list(judgment.revisions.order_by("-number").values_list("pk", "submitted"))
    room = settings.JUDGMENT_MAX_REVISIONS - 1 - sum(submitted for _pk, submitted in revisions[1:])
    older_drafts = [pk for pk, submitted in revisions[1:] if not submitted]
    if len(older_drafts) > max(room, 0):
        JudgmentRevision.objects.filter(pk__in=older_drafts[max(room, 0) :]).delete()
