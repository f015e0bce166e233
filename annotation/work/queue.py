"""The annotator's queue: one ordering rule and one atomic claim.

Order: the annotator's own active assignment (resume), then work a reviewer returned to them, then
a task whose lease they let expire (their draft is still there) if it has room, then, among the tasks
of the highest priority a lead set (Task.priority, default 0), the task with the most judgments already
under way that still has room (so tasks reach their overlap and leave the pool), oldest first.
The claim locks the candidate task row (`select_for_update(skip_locked=True)` on PostgreSQL; SQLite
takes the database write lock at BEGIN) and counts its places again under the lock, so no task is
handed out beyond its overlap; a unique constraint on (task, annotator) means nobody gets the same
task twice.

One annotator's claims in one project are serialized by a lock on their membership row, taken first in
the claim's transaction: ten parallel "Start working" clicks resume one assignment instead of leasing
ten (the rule is one active assignment per annotator and project).

Open work of someone who is no longer a member of its project (removed by a lead, in the admin or
through tasks.services.remove_member) goes back to the pool at the next sweep: every claim and the
periodic expiry job run it. tasks/ knows nothing of assignments, so the removal itself cannot do it;
annotation/access.py refuses the removed annotator every access to the work at once.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Aggregate, Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotation.gold import qualification
from annotation.models import Assignment, Judgment, Review, TaskFlag
from annotation.webhooks import services as webhooks
from tasks.compiled import Compiled, CompiledUpdate
from tasks.models import Membership, Project, Response, Task, User

CANDIDATES_PER_LOCK = 20
CLAIM_ATTEMPTS = 8  # a lost race on the unique constraint, or every candidate locked by other claims
# Work in hand: it holds a place, and only its annotator can finish it.
OPEN = (Assignment.Status.ACTIVE, Assignment.Status.RETURNED)
# What an annotator's "My work" lists: what they handed in, and what came back to them.
MY_WORK = (Assignment.Status.SUBMITTED, Assignment.Status.RETURNED)


class QueueEmpty(Exception):
    """No task of the project needs this annotator right now."""


class _Busy(Exception):
    """Every candidate with room was locked by other claims at that instant: look again."""


def claim_next_assignment(*, project: Project, annotator: User, now: dt.datetime | None = None) -> Assignment:
    """The annotator's next assignment in `project`, leased to them; raises QueueEmpty."""
    if project.archived_at is not None:  # read-only (annotation/projects): not even work in hand resumes
        raise QueueEmpty(f"{project.name} is archived: it takes no more work")
    now = now or timezone.now()
    if sweep_due(now):  # one cheap read; the sweep itself only when something lapsed or someone left
        expire_assignments(now=now)
    assessment = _assessment(project, annotator, now)
    for attempt in range(CLAIM_ATTEMPTS):
        try:
            with transaction.atomic():
                _lock_claimant(project, annotator)
                assignment = _resume(project, annotator, now, lapsed=assessment is None) or _claim_new(
                    project, annotator, now, assessment
                )
        except (IntegrityError, _Busy):
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # let the other claims commit
            continue
        if assignment is None:
            raise QueueEmpty(f"no task in {project.name} needs you right now")
        return assignment
    raise QueueEmpty("the queue is busy: try again")


def _lock_claimant(project: Project, annotator: User) -> None:
    """Take the per-(annotator, project) lock: their membership row, held until the claim commits, so
    a parallel claim of theirs waits and then resumes what this one leased. Without a membership (site
    staff act as leads everywhere) their user row is the lock. Who may claim is the callers' check
    (tasks.access.access_project), as for every service here."""
    if _MEMBERSHIP_LOCK.first(project=project.pk, user=annotator.pk):
        return
    User.objects.select_for_update().filter(pk=annotator.pk).values_list("pk").first()


def _resume(project: Project, annotator: User, now: dt.datetime, *, lapsed: bool) -> Assignment | None:
    """Work in hand (active, then returned, oldest first), else, with `lapsed`, a task whose lease the
    annotator let expire earlier, if it has room (their draft is still there): one read for all three."""
    if lapsed:
        rows = _IN_HAND_OR_LAPSED.all(project=project.pk, annotator=annotator.pk, overlap=project.overlap)
    else:
        rows = _IN_HAND.all(project=project.pk, annotator=annotator.pk)
    for assignment in rows:
        assignment.task.project = project
        if assignment.status in OPEN:
            _lease(assignment, now, status=Assignment.Status.ACTIVE)
            return assignment
        task = _lock_task(assignment.task_id)  # their own lease ran out earlier: they pick up their draft again
        if task is not None and _has_room(task, project.overlap):
            _lease(assignment, now, status=Assignment.Status.ACTIVE)
            recount([assignment.task_id])
            return assignment
    return None


def _assessment(project: Project, annotator: User, now: dt.datetime) -> Task | None:
    """The next gold task of the annotator's assessment, if the project requires one and they have
    no work in hand. Runs outside the claim's transaction: a finished assessment's score is kept
    even when the claim then finds nothing."""
    if not project.qualification_required:
        return None
    in_hand = Assignment.objects.filter(
        task__project=project, annotator=annotator, status__in=[Assignment.Status.ACTIVE, Assignment.Status.RETURNED]
    )
    if in_hand.exists():
        return None
    try:
        return qualification.next_assessment_task(project=project, annotator=annotator, now=now)
    except qualification.NotQualified as failed:
        raise QueueEmpty(str(failed)) from None


def _claim_new(project: Project, annotator: User, now: dt.datetime, assessment: Task | None) -> Assignment | None:
    """A task nobody of the annotator's claims has yet, locked and counted in one read: the first of
    the queue's order that has room and that no other claim holds (skipped, not waited for)."""
    if assessment is not None:
        return _assign(assessment, project, annotator, now)
    task = _NEXT_NEW.first(project=project.pk, annotator=annotator.pk, overlap=project.overlap)
    if task is None:
        if _candidates(project.pk, annotator.pk, project.overlap).exists():
            raise _Busy  # there is work, but other claims hold every row of it this instant
        return None
    if project.gold_share > 0 and random.random() < project.gold_share:
        # A gold task, mixed in at the project's rate while there is other work; gold tasks do not use the overlap.
        task = _NEXT_GOLD.first(project=project.pk, annotator=annotator.pk) or task
    return _assign(task, project, annotator, now)


def _candidates(project: int, annotator: int, overlap: int) -> QuerySet[Task]:
    """The new tasks the annotator may claim, in the queue's order: room by Task.taken (a cache) and by
    the places counted in the same read."""
    return (
        offerable(project)
        .filter(taken__lt=overlap, gold_answer__isnull=True)
        .exclude(Exists(Assignment.objects.filter(task=OuterRef("pk"), annotator_id=annotator)))
        .alias(held=Coalesce(_held(), 0))
        .filter(held__lt=overlap)
        .order_by("-priority", "-taken", "id")
    )


def _gold(project: int, annotator: int) -> QuerySet[Task]:
    mine = Assignment.objects.filter(task=OuterRef("pk"), annotator_id=annotator)
    return offerable(project).filter(gold_answer__isnull=False).exclude(Exists(mine)).order_by("-priority", "id")


def _in_hand(project: int, annotator: int, lapsed: Q | None = None) -> QuerySet[Assignment]:
    """The annotator's work in hand (active first, then returned), and with `lapsed` their expired
    assignments that it matches, oldest first within each, locked."""
    mine = Q(status__in=OPEN) | lapsed if lapsed is not None else Q(status__in=OPEN)
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("task")
        .filter(mine, annotator_id=annotator, task__project_id=project)
        .annotate(rank=Case(When(status=Assignment.Status.ACTIVE, then=0), When(status__in=OPEN, then=1), default=2))
        .order_by("rank", "created_at")
    )


def _lapsed(project: int, overlap: int) -> Q:
    return Q(status=Assignment.Status.EXPIRED, task__taken__lt=overlap, task__in=offerable(project))


def _held() -> Subquery:
    """The number of places held on the outer task (Assignment.HOLDING)."""
    return Subquery(
        Assignment.objects.filter(task=OuterRef("pk"), status__in=Assignment.HOLDING)
        .values("task")
        .annotate(n=Count("id"))
        .values("n")
    )


class _Labels(Aggregate):
    """The labels of a task's responses, comma-separated (a label is one letter): read with the claim's
    task, so a new assignment's shuffled order costs no query of its own."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra)


def _lock_first(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """The first task of `tasks` that no other transaction holds, locked (on PostgreSQL; SQLite's claim
    holds the database's write lock already), with its response labels."""
    labels = Subquery(
        Response.objects.filter(task=OuterRef("pk")).values("task").annotate(x=_Labels("label")).values("x")
    )
    return tasks.select_for_update(skip_locked=True, of=("self",)).annotate(labels=labels)[:1]


def offerable(project: Project | int) -> QuerySet[Task]:
    """The project's tasks the queue may hand out: not retired, and no open flag (a flagged task waits
    for its lead to re-release or retire it, so nobody else spends time on it meanwhile)."""
    open_flag = TaskFlag.objects.filter(task=OuterRef("pk"), resolved_at__isnull=True)
    return Task.objects.filter(project=project, retired_at__isnull=True).exclude(Exists(open_flag))


# The claim's reads, compiled once per connection (tasks/compiled.py): most of a claim's time was Django
# building and compiling these same statements.
_MEMBERSHIP_LOCK: Compiled[tuple[int]] = Compiled(
    lambda project, user: (
        Membership.objects.select_for_update().filter(project_id=project, user_id=user).values_list("pk").order_by()[:1]
    ),
    project=int,
    user=int,
)
_IN_HAND: Compiled[Assignment] = Compiled(_in_hand, project=int, annotator=int)
_IN_HAND_OR_LAPSED: Compiled[Assignment] = Compiled(
    lambda project, annotator, overlap: _in_hand(project, annotator, _lapsed(project, overlap)),
    project=int,
    annotator=int,
    overlap=int,
)
_NEXT_NEW: Compiled[Task] = Compiled(lambda **a: _lock_first(_candidates(**a)), project=int, annotator=int, overlap=int)
_NEXT_GOLD: Compiled[Task] = Compiled(lambda **a: _lock_first(_gold(**a)), project=int, annotator=int)


def _assign(task: Task, project: Project, annotator: User, now: dt.datetime) -> Assignment:
    read = getattr(task, "labels", None)  # read with the task by _lock_first
    labels = sorted(read.split(",")) if read else list(task.responses.order_by("label").values_list("label", flat=True))
    random.shuffle(labels)  # each annotator sees the responses in an order of their own
    assignment = Assignment(task=task, annotator=annotator, response_order=labels)
    assignment.task.project = project
    _lease(assignment, now, status=Assignment.Status.ACTIVE, create=True)
    recount([task.pk])
    return assignment


def _lock_task(task_id: int) -> Task | None:
    """Lock the task row, or None when another claim holds it (skipped, not waited for)."""
    return Task.objects.select_for_update(skip_locked=True).filter(pk=task_id).first()


def _has_room(task: Task, limit: int) -> bool:
    """Count the locked task's places again against `limit` (the project's overlap)."""
    return Assignment.objects.filter(task=task, status__in=Assignment.HOLDING).count() < limit


def recount(task_ids: list[int]) -> None:
    """Set Task.taken from the assignments themselves, for these tasks."""
    if len(task_ids) == 1:  # every claim's: compiled once per connection (tasks/compiled.py)
        _RECOUNT_ONE.run(task=task_ids[0])
    else:
        Task.objects.filter(pk__in=task_ids).update(taken=Coalesce(_held(), 0))


_RECOUNT_ONE = CompiledUpdate(lambda task: (Task.objects.filter(pk=task), {"taken": Coalesce(_held(), 0)}), task=int)


def _lease(assignment: Assignment, now: dt.datetime, *, status: str, create: bool = False) -> None:
    assignment.status = status
    assignment.lease_expires_at = now + dt.timedelta(minutes=settings.ASSIGNMENT_LEASE_MINUTES)
    if create:
        assignment.save()
    else:
        assignment.save(update_fields=["status", "lease_expires_at"])


def renew_lease(*, assignment: Assignment, now: dt.datetime | None = None) -> None:
    """Keep an active assignment leased while its annotator works on it."""
    now = now or timezone.now()
    lease = now + dt.timedelta(minutes=settings.ASSIGNMENT_LEASE_MINUTES)
    Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.ACTIVE).update(lease_expires_at=lease)


def expire_assignments(*, now: dt.datetime | None = None) -> int:
    """Give the tasks of unused, expired leases, and the open work of removed members, back to the
    pool; the drafts stay with the assignment (a lapsed or re-added annotator picks theirs up again)."""
    now = now or timezone.now()
    stale = Assignment.objects.filter(status=Assignment.Status.ACTIVE, lease_expires_at__lt=now)
    return _resubmit(stale.filter(submitted_at__isnull=False)) + _expire(stale) + _expire(departed())


def _resubmit(reopened: QuerySet[Assignment]) -> int:
    """Reopened work left alone until its lease ran out goes back to what was last submitted (the
    drafts since stay in the revision history), so a reopen never costs a submission."""
    count = 0
    for assignment in reopened.select_related("judgment"):
        with transaction.atomic():
            last = assignment.judgment.revisions.filter(submitted=True).order_by("-number").first()
            if last is not None:
                for key, value in last.data.items():
                    setattr(assignment.judgment, key, value)
                assignment.judgment.save()
            count += Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.ACTIVE).update(
                status=Assignment.Status.SUBMITTED, lease_expires_at=None
            )
    return count


def departed() -> QuerySet[Assignment]:
    """Open work (active, or sent back for a fix) of annotators who are no longer members of its
    project. Site staff act as leads everywhere, so theirs is kept."""
    return Assignment.objects.filter(_DEPARTED)


def _departed() -> Q:
    member = Membership.objects.filter(project=OuterRef("task__project"), user=OuterRef("annotator"))
    return Q(status__in=OPEN, annotator__is_staff=False) & ~Q(Exists(member))


_DEPARTED = _departed()


def sweep_due(now: dt.datetime) -> bool:
    """Whether a lease has lapsed (one read of the status and lease index). A departed member's open
    work needs no look here: the membership's deletion gives it back at once (member_left, below),
    and the minute's expiry job catches a membership deleted behind the ORM's back."""
    return bool(_LAPSED_LEASE.first(now=now))


_LAPSED_LEASE: Compiled[tuple[int]] = Compiled(
    lambda now: (
        Assignment.objects.filter(status=Assignment.Status.ACTIVE, lease_expires_at__lt=now)
        .values_list("pk")
        .order_by()[:1]
    ),
    now=dt.datetime,
)


def member_left(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    """post_delete of a Membership, wherever it is deleted (tasks.services, the admin, a cascade): the
    open work the user had in hand in that project goes back to the queue now (site staff keep theirs)."""
    _expire(departed().filter(annotator_id=instance.user_id, task__project_id=instance.project_id))


def _expire(assignments: QuerySet[Assignment]) -> int:
    task_ids = list(assignments.values_list("task_id", flat=True))
    if not task_ids:
        return 0
    with transaction.atomic():
        expired = assignments.filter(task_id__in=task_ids).update(status=Assignment.Status.EXPIRED)
        recount(task_ids)
    return expired


@transaction.atomic
def skip_assignment(*, assignment: Assignment, reason: str) -> Assignment:
    """The annotator passes on this task (with a reason); it is not offered to them again."""
    reason = reason.strip()
    if not reason:
        raise ValueError("say why you skip this task")
    if refused := assignment.task.project.archived_message:
        raise ValueError(refused)
    updated = Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.ACTIVE).update(
        status=Assignment.Status.SKIPPED, skip_reason=reason[:2000], lease_expires_at=None
    )
    if not updated:
        raise ValueError("this assignment is no longer active")
    recount([assignment.task_id])
    assignment.refresh_from_db()
    return assignment


class FlagRefused(ValueError):
    """The flag cannot be recorded; the message says why, naming the field."""


@transaction.atomic
def flag_task(*, assignment: Assignment, reason: str, note: str = "") -> TaskFlag:
    """The annotator reports that the task cannot be judged as it stands. Their assignment ends as a
    skip does (it is not offered to them again, its place goes back), and the task is held from the
    queue until the project's lead re-releases or retires it. "Other" needs a note saying what."""
    note = note.strip()
    if reason not in TaskFlag.Reason.values:
        raise FlagRefused(f"reason: choose one of {', '.join(TaskFlag.Reason.values)}")
    if reason == TaskFlag.Reason.OTHER and not note:
        raise FlagRefused('note: say what is wrong with the task when the reason is "other"')
    label = TaskFlag.Reason(reason).label
    try:
        skip_assignment(assignment=assignment, reason=f"flagged: {label}" + (f" ({note})" if note else ""))
    except ValueError as refused:
        raise FlagRefused(str(refused)) from None
    flag = TaskFlag.objects.create(
        assignment=assignment,
        task_id=assignment.task_id,
        annotator_id=assignment.annotator_id,
        reason=reason,
        note=note,
    )
    webhooks.task_flagged(flag=flag)
    return flag


FLAG_STATES = ("open", "resolved", "all")


def open_flags(project: Project) -> QuerySet[TaskFlag]:
    """The project's flags no lead has acted on yet, oldest first (the lead's list)."""
    return flags_of(project, "open")


def flags_of(project: Project, state: str) -> QuerySet[TaskFlag]:
    """The project's flags in a state of FLAG_STATES ("resolved": released or retired), oldest first."""
    flags = TaskFlag.objects.filter(task__project=project).select_related("task", "annotator")
    if state != "all":
        flags = flags.filter(resolved_at__isnull=state == "open")
    return flags.order_by("created_at", "id")


@transaction.atomic
def release_task(*, task: Task, now: dt.datetime | None = None) -> int:
    """The lead has looked at (and maybe fixed) the flagged task: its open flags are resolved and the
    queue offers it again. Returns how many flags were resolved."""
    now = now or timezone.now()
    return TaskFlag.objects.filter(task=task, resolved_at__isnull=True).update(
        resolved_at=now, resolution=TaskFlag.Resolution.RELEASED
    )


@transaction.atomic
def retire_task(*, task: Task, now: dt.datetime | None = None) -> int:
    """The lead takes the task out of the project's work for good: the queue never offers it again, its
    open flags are resolved as retired. Work already submitted on it stays (and in exports)."""
    now = now or timezone.now()
    Task.objects.filter(pk=task.pk).update(retired_at=now)
    return TaskFlag.objects.filter(task=task, resolved_at__isnull=True).update(
        resolved_at=now, resolution=TaskFlag.Resolution.RETIRED
    )


def return_assignment(*, assignment: Assignment) -> Assignment:
    """Send submitted work back to its annotator; it comes first in their queue."""
    updated = Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.SUBMITTED).update(
        status=Assignment.Status.RETURNED, lease_expires_at=None
    )
    if not updated:
        raise ValueError("only submitted work can be sent back")
    assignment.refresh_from_db()
    return assignment


class ReopenRefused(Exception):
    """The submitted work cannot be reopened; the message says why, for the annotator."""


def my_work(*, project: Project, annotator: User) -> list[tuple[Assignment, Review | None]]:
    """The annotator's own submitted and sent-back work in `project`, newest first, each with its latest
    review (or None). Nobody else's work is ever in it: the query is by annotator."""
    rows = list(
        Assignment.objects.filter(task__project=project, annotator=annotator, status__in=MY_WORK)
        .select_related("task")
        .order_by("-submitted_at", "-id")
    )
    latest: dict[int, Review] = {}
    for review in Review.objects.filter(assignment__in=rows).order_by("created_at", "id"):
        latest[review.assignment_id] = review  # the last one wins
    return [(assignment, latest.get(assignment.pk)) for assignment in rows]


def can_reopen(assignment: Assignment, review: Review | None) -> bool:
    """Submitted, not a gold task, and no verdict since the submission (a review before it belongs to
    an earlier cycle that the annotator already answered by resubmitting)."""
    return (
        assignment.status == Assignment.Status.SUBMITTED
        and assignment.task.gold_answer is None
        and not (review is not None and assignment.submitted_at and review.created_at >= assignment.submitted_at)
    )


def reopen_assignment(*, assignment: Assignment, now: dt.datetime | None = None) -> Assignment:
    """Set the annotator's submitted, not yet reviewed work back to active with a fresh lease, to revise
    it. The judgment and its revisions stay (the submitted revision is kept in the history; the next
    submit adds another). Under the claim's lock on the membership row, so a parallel claim cannot give
    them a second active assignment, and under the assignment's row lock, which a reviewer's verdict
    takes too, so a verdict and a reopen cannot both win. Raises ReopenRefused."""
    now = now or timezone.now()
    project = assignment.task.project
    if refused := project.archived_message:
        raise ReopenRefused(refused)
    with transaction.atomic():
        _lock_claimant(project, assignment.annotator)
        locked = Assignment.objects.select_for_update(of=("self",)).select_related("task").get(pk=assignment.pk)
        reviewed = Review.objects.filter(assignment=locked).order_by("created_at", "id").last()
        if locked.status != Assignment.Status.SUBMITTED:
            raise ReopenRefused(f"this task is {locked.get_status_display().lower()}, not submitted: nothing to reopen")
        if locked.task.gold_answer is not None:
            raise ReopenRefused("a gold task is scored when you submit it and cannot be reopened")
        if not can_reopen(locked, reviewed):
            raise ReopenRefused("this judgment has been reviewed meanwhile and can no longer be reopened")
        other = (
            Assignment.objects.filter(task__project=project, annotator=locked.annotator, status__in=OPEN)
            .exclude(pk=locked.pk)
            .select_related("task")
            .first()
        )
        if other is not None and _untouched(other):
            # "Submit and next" has just handed them a task they have not touched: it goes back to the
            # queue as if never claimed (else reopening would need a skip, and the skip claims the next).
            other.delete()
            recount([other.task_id])
        elif other is not None:
            raise ReopenRefused(
                f"you already have task {other.task.external_id} in hand in this project with work on it: "
                "submit or skip it first (one task at a time)"
            )
        _lease(locked, now, status=Assignment.Status.ACTIVE)
    return locked


def _untouched(assignment: Assignment) -> bool:
    """In hand but nothing done on it yet: no draft saved, no test run, never sent back."""
    return (
        assignment.status == Assignment.Status.ACTIVE
        and not Judgment.objects.filter(assignment=assignment).exists()
        and not assignment.test_cases.exists()
        and not Review.objects.filter(assignment=assignment).exists()
    )
