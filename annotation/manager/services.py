"""The task manager: one search (a queryset builder the page and the API share) and the leads' bulk
actions, each in one transaction, returning how many tasks it changed and which it refused and why.

A task has one status, the first of these that holds (so the counts per status add up to the total):
retired (a lead retired it), flagged (an annotator's flag is open), gold (it has a gold answer; gold
tasks do not use the overlap), complete (its submitted judgments reached the project's overlap and no
work on it is in hand), in progress (someone holds one of its places: active, submitted or sent-back
work), open (nobody does).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from django.db import models, transaction
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotation.models import Assignment, TaskFlag
from annotation.review import services as review
from annotation.work import queue
from tasks.models import Project, Response, Task

PAGE_SIZE = 50  # rows of the page (the API pages with ?limit=&offset=, tasks.limits.ApiPagination)
MAX_TASK_IDS = 1000  # ids in one bulk request; act on a filter for more
CHUNK = 500  # ids per statement: SQLite caps the parameters of one query
PRIORITY_MIN, PRIORITY_MAX = -32768, 32767  # Task.priority is a small integer
REFUSALS_SHOWN = 10  # refusals a summary message names; the API lists them all


STATUS = "status"  # the annotation (by name: the type checker knows only the model's fields)


class Status(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    FLAGGED = "flagged", "Flagged"
    GOLD = "gold", "Gold"
    RETIRED = "retired", "Retired"


# ?sort= -> the order it gives; every order ends with the id, so pages never overlap.
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id": ("Oldest first", ("id",)),
    "-id": ("Newest first", ("-id",)),
    "external_id": ("Task id", ("external_id", "id")),
    "-priority": ("Highest priority", ("-priority", "id")),
    "priority": ("Lowest priority", ("priority", "id")),
    "-submitted": ("Most submitted", ("-submitted", "id")),
    "submitted": ("Least submitted", ("submitted", "id")),
}


@dataclass(frozen=True)
class TaskFilter:
    """What a search keeps: each field left empty keeps everything."""

    q: str = ""  # text in the prompt or in any response's code, case-insensitive
    id_prefix: str = ""  # the start of the task's id (Task.external_id)
    model: str = ""  # a response by this model
    language: str = ""
    status: str = ""  # a Status value
    priority: int | None = None
    sort: str = "id"


def annotated(project: Project) -> QuerySet[Task]:
    """The project's tasks with `submitted` (judgments submitted), `flagged` (an open flag), `in_hand`
    (active or sent-back work) and `status`. The status reads only the task's row (Task.taken counts the
    places held) and two EXISTS, so counting 10,000 tasks by status is one pass; `submitted` is worked
    out only where it is shown or sorted on."""
    submitted = (
        Assignment.objects.filter(task=OuterRef("pk"), status=Assignment.Status.SUBMITTED)
        .order_by()
        .values("task")
        .annotate(n=Count("id"))
        .values("n")
    )
    open_flag = TaskFlag.objects.filter(task=OuterRef("pk"), resolved_at__isnull=True)
    in_hand = Assignment.objects.filter(task=OuterRef("pk"), status__in=queue.OPEN)
    tasks = Task.objects.filter(project=project).annotate(
        submitted=Coalesce(Subquery(submitted), 0), flagged=Exists(open_flag), in_hand=Exists(in_hand)
    )
    return tasks.annotate(
        status=Case(
            When(retired_at__isnull=False, then=Value(Status.RETIRED.value)),
            When(flagged=True, then=Value(Status.FLAGGED.value)),
            When(gold_answer__isnull=False, then=Value(Status.GOLD.value)),
            # the places held reach the overlap and none is work in hand: all of them are submitted
            When(Q(taken__gte=project.overlap, in_hand=False), then=Value(Status.COMPLETE.value)),
            When(taken__gt=0, then=Value(Status.IN_PROGRESS.value)),
            default=Value(Status.OPEN.value),
            output_field=models.CharField(),
        )
    )


def search(project: Project, task_filter: TaskFilter) -> QuerySet[Task]:
    """The project's tasks that pass the filter, annotated (see `annotated`) and in its order."""
    f = task_filter
    tasks = annotated(project)
    if f.id_prefix:
        tasks = tasks.filter(external_id__istartswith=f.id_prefix)
    if f.q:
        in_code = Response.objects.filter(task=OuterRef("pk"), code__icontains=f.q)
        tasks = tasks.filter(Q(prompt__icontains=f.q) | Q(Exists(in_code)))
    if f.model:
        tasks = tasks.filter(Exists(Response.objects.filter(task=OuterRef("pk"), model_name=f.model)))
    if f.language:
        tasks = tasks.filter(language=f.language)
    if f.priority is not None:
        tasks = tasks.filter(priority=f.priority)
    if f.status:
        tasks = tasks.filter(**{STATUS: f.status})
    return tasks.order_by(*SORTS[f.sort][1])


def with_models(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """The rows as the page and the API list them: each task's responses (label and model, not the
    code) come in one more query for the whole page."""
    responses = Response.objects.only("id", "task_id", "label", "model_name").order_by("label")
    return tasks.prefetch_related(Prefetch("responses", queryset=responses, to_attr="listed_responses"))


def status_counts(project: Project, task_filter: TaskFilter) -> dict[str, int]:
    """How many tasks pass the filter in each status (whatever status the filter asks for), in one query
    (grouped by the status, so each row's status is worked out once)."""
    grouped = search(project, replace(task_filter, status="")).order_by().values(STATUS)
    counts = dict(grouped.annotate(n=Count("pk")).values_list(STATUS, "n"))
    return {s: counts.get(s, 0) for s in Status.values}


def model_names(project: Project) -> list[str]:
    """The models of the project's responses, for the model filter."""
    names = Response.objects.filter(task__project=project).values_list("model_name", flat=True)
    return list(names.order_by("model_name").distinct())


# --- Bulk actions


class Action(models.TextChoices):
    MARK_GOLD = "mark_gold", "Mark gold (the accepted majority's first choice)"
    UNMARK_GOLD = "unmark_gold", "Unmark gold"
    RETIRE = "retire", "Retire"
    RELEASE = "release", "Re-release"
    SET_PRIORITY = "set_priority", "Set priority"
    DELETE = "delete", "Delete (tasks without work)"


DONE = {
    Action.MARK_GOLD: "marked gold",
    Action.UNMARK_GOLD: "no longer gold",
    Action.RETIRE: "retired",
    Action.RELEASE: "re-released",
    Action.DELETE: "deleted",
}


class BulkRefused(ValueError):
    """Nothing was done; the message says why and what to do."""


class CountChanged(BulkRefused):
    """The filter no longer matches the number of tasks the lead confirmed: nothing was done."""


@dataclass
class BulkResult:
    action: str
    matched: int  # tasks the selection or the filter named
    done: int  # tasks changed
    refused: list[tuple[str, str]] = field(default_factory=list)  # (task id, why), in the tasks' order
    priority: int | None = None

    @property
    def message(self) -> str:
        """ "3 tasks marked gold; 1 refused: t-9 has no accepted judgment"."""
        verb = f"set to priority {self.priority}" if self.action == Action.SET_PRIORITY else DONE[Action(self.action)]
        text = f"{self.done} task{'' if self.done == 1 else 's'} {verb}"
        if self.refused:
            named = ", ".join(f"{task} {why}" for task, why in self.refused[:REFUSALS_SHOWN])
            more = len(self.refused) - REFUSALS_SHOWN
            text += f"; {len(self.refused)} refused: {named}" + (f", and {more} more" if more > 0 else "")
        return text


Refusals = list[tuple[Task, str]]
Apply = Callable[[list[Task], int | None, dt.datetime], tuple[int, Refusals]]
T = TypeVar("T")


def bulk_action(
    *,
    project: Project,
    action: str,
    task_ids: Sequence[str] | None = None,
    task_filter: TaskFilter | None = None,
    priority: int | None = None,
    expected: int | None = None,
    now: dt.datetime | None = None,
) -> BulkResult:
    """Apply `action` to the tasks named by `task_ids` (external ids) or matching `task_filter` (one of
    the two), in one transaction. With `expected` (the count the lead confirmed), a filter that now
    matches another number of tasks is refused. Raises BulkRefused when nothing can be done at all."""
    if archived := project.archived_message:
        raise BulkRefused(archived + "; unarchive it (its settings page) to change its tasks")
    check_action(action, priority)
    if (task_ids is None) == (task_filter is None):
        raise BulkRefused("choose the tasks: give task ids or a filter (not both)")
    with transaction.atomic():
        if task_ids is not None:
            tasks, unknown = _named(project, task_ids)
        else:
            assert task_filter is not None
            tasks, unknown = _matching(project, task_filter), []
        matched = len(tasks) + len(unknown)
        if expected is not None and matched != expected:
            raise CountChanged(f"the filter now matches {matched} tasks, not {expected}: look at the list again")
        done, refused = ACTIONS[Action(action)](tasks, priority, now or timezone.now())
    order = {task.pk: i for i, task in enumerate(tasks)}
    refusals = unknown + [(t.external_id, why) for t, why in sorted(refused, key=lambda r: order[r[0].pk])]
    return BulkResult(action=action, matched=matched, done=done, refused=refusals, priority=priority)


def check_action(action: str, priority: int | None) -> None:
    """BulkRefused unless `action` is one and, for set_priority, `priority` is in range."""
    if action not in Action.values:
        raise BulkRefused(f"action: choose one of {', '.join(Action.values)}")
    if action == Action.SET_PRIORITY and (priority is None or not PRIORITY_MIN <= priority <= PRIORITY_MAX):
        raise BulkRefused(f"priority: give a whole number from {PRIORITY_MIN} to {PRIORITY_MAX} (higher comes first)")


_FIELDS = ("id", "external_id", "gold_answer", "retired_at")  # what the actions read; never the texts


def _named(project: Project, task_ids: Sequence[str]) -> tuple[list[Task], list[tuple[str, str]]]:
    """The named tasks of the project, locked, in the order named; and the names that are none."""
    ids = list(dict.fromkeys(str(i) for i in task_ids))
    if not ids:
        raise BulkRefused("no task chosen: tick some tasks, or act on every task that matches the filter")
    if len(ids) > MAX_TASK_IDS:
        raise BulkRefused(f"at most {MAX_TASK_IDS} task ids at once: act on a filter for more")
    found: dict[str, Task] = {}
    for part in _chunks(ids):
        locked = Task.objects.select_for_update().filter(project=project, external_id__in=part).only(*_FIELDS)
        found.update((task.external_id, task) for task in locked)
    unknown = [(i, "is not a task of this project") for i in ids if i not in found]
    return [found[i] for i in ids if i in found], unknown


def _matching(project: Project, task_filter: TaskFilter) -> list[Task]:
    """The tasks the filter matches now, locked, in the filter's order."""
    ids = list(search(project, task_filter).values_list("pk", flat=True))
    locked: dict[int, Task] = {}
    for part in _chunks(ids):
        locked.update((t.pk, t) for t in Task.objects.select_for_update().filter(pk__in=part).only(*_FIELDS))
    return [locked[pk] for pk in ids if pk in locked]


def _chunks(items: Sequence[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start : start + CHUNK])


def _update(tasks: list[Task], **values: object) -> None:
    for part in _chunks([t.pk for t in tasks]):
        Task.objects.filter(pk__in=part).update(**values)


def _resolve_flags(tasks: list[Task], resolution: str, now: dt.datetime) -> None:
    """Resolve the tasks' open flags, as the Flags page's buttons do (queue.release_task / retire_task)."""
    for part in _chunks([t.pk for t in tasks]):
        TaskFlag.objects.filter(task_id__in=part, resolved_at__isnull=True).update(
            resolved_at=now, resolution=resolution
        )


def _mark_gold(tasks: list[Task], _priority: int | None, _now: dt.datetime) -> tuple[int, Refusals]:
    """Gold with the preferred response the accepted judgments agree on: the response alone in the first
    rank group of more than half of the task's accepted judgments (ties at the top and "all unacceptable"
    count as judgments that name none). A task that is gold already keeps its answer."""
    refused: Refusals = [(t, "is already gold (its answer is kept)") for t in tasks if t.gold_answer is not None]
    candidates = [t for t in tasks if t.gold_answer is None]
    firsts = _accepted_first_choices(candidates)
    preferred: dict[str, list[Task]] = defaultdict(list)
    for task in candidates:
        picks = firsts.get(task.pk, [])
        votes = Counter(p for p in picks if p is not None)
        top = votes.most_common(1)
        if not picks:
            refused.append((task, "has no accepted judgment"))
        elif not top or 2 * top[0][1] <= len(picks):
            tally = ", ".join(f"{label} {n}" for label, n in sorted(votes.items())) or "none"
            judged = f"{len(picks)} accepted judgment{'' if len(picks) == 1 else 's'}"
            refused.append((task, f"has no majority first choice among {judged} ({tally})"))
        else:
            preferred[top[0][0]].append(task)
    for label, chosen in preferred.items():
        _update(chosen, gold_answer={"preferred": label})
    return sum(map(len, preferred.values())), refused


def _accepted_first_choices(tasks: list[Task]) -> dict[int, list[str | None]]:
    """Per task id: the response alone in first place of each accepted judgment, None where none is."""
    firsts: dict[int, list[str | None]] = defaultdict(list)
    for part in _chunks([t.pk for t in tasks]):
        submitted = Assignment.objects.filter(task_id__in=part, status=Assignment.Status.SUBMITTED)
        rows = review.accepted(submitted).values_list("task_id", "judgment__ranking", "judgment__all_unacceptable")
        for task_id, ranking, unacceptable in rows:
            alone = not unacceptable and bool(ranking) and len(ranking[0]) == 1
            firsts[task_id].append(ranking[0][0] if alone else None)
    return firsts


def _unmark_gold(tasks: list[Task], _priority: int | None, _now: dt.datetime) -> tuple[int, Refusals]:
    gold = [t for t in tasks if t.gold_answer is not None]
    _update(gold, gold_answer=None)
    return len(gold), [(t, "is not gold") for t in tasks if t.gold_answer is None]


def _retire(tasks: list[Task], _priority: int | None, now: dt.datetime) -> tuple[int, Refusals]:
    """Never offered again; open flags resolved as retired. Submitted work stays (and in exports)."""
    active = [t for t in tasks if t.retired_at is None]
    _update(active, retired_at=now)
    _resolve_flags(active, TaskFlag.Resolution.RETIRED, now)
    return len(active), [(t, "is already retired") for t in tasks if t.retired_at is not None]


def _release(tasks: list[Task], _priority: int | None, now: dt.datetime) -> tuple[int, Refusals]:
    """Offered again: retirement cleared, open flags resolved as released."""
    flagged: set[int] = set()
    for part in _chunks([t.pk for t in tasks]):
        open_flags = TaskFlag.objects.filter(task_id__in=part, resolved_at__isnull=True)
        flagged.update(open_flags.values_list("task_id", flat=True))
    held = [t for t in tasks if t.retired_at is not None or t.pk in flagged]
    _update([t for t in held if t.retired_at is not None], retired_at=None)
    _resolve_flags(held, TaskFlag.Resolution.RELEASED, now)
    free = [t for t in tasks if t.retired_at is None and t.pk not in flagged]
    return len(held), [(t, "is neither retired nor flagged") for t in free]


def _set_priority(tasks: list[Task], priority: int | None, _now: dt.datetime) -> tuple[int, Refusals]:
    _update(tasks, priority=priority)
    return len(tasks), []


def _delete(tasks: list[Task], _priority: int | None, _now: dt.datetime) -> tuple[int, Refusals]:
    """Only tasks nobody ever claimed (no assignment in any status: a skipped or expired one still holds
    a draft, time and tests). Their responses go with them."""
    worked: set[int] = set()
    for part in _chunks([t.pk for t in tasks]):
        worked.update(Assignment.objects.filter(task_id__in=part).values_list("task_id", flat=True))
    free = [t for t in tasks if t.pk not in worked]
    for part in _chunks([t.pk for t in free]):
        Task.objects.filter(pk__in=part).delete()
    return len(free), [(t, "has work on it (retire it instead)") for t in tasks if t.pk in worked]


ACTIONS: dict[Action, Apply] = {
    Action.MARK_GOLD: _mark_gold,
    Action.UNMARK_GOLD: _unmark_gold,
    Action.RETIRE: _retire,
    Action.RELEASE: _release,
    Action.SET_PRIORITY: _set_priority,
    Action.DELETE: _delete,
}
