"""Per-annotator figures for leads: volume, time, agreement with the others, acceptance, and flags.

Flags on a judgment: "too fast" (under a quarter of the project's median active time per task, or
under a minute), "short rationale" (under twice the project's minimum length), "copied rationale"
(the same rationale text in another of the annotator's judgments), "against own tests" (ranked above
a response that passed more of their tests), "no tests run", "missed gold".

Idle but credited: the active time credited on the annotator's assignments of the project that ended
skipped or expired (the lease ran out), so no judgment came of it. Skipping after a honest look is
normal; the figure is flagged when it reaches IDLE_FLAG_SECONDS and IDLE_FLAG_SHARE of their time on the
project's finished work (submitted, skipped, expired), the mark of claim-beat-skip loops. An expired
task the annotator took back and submitted counts as submitted.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median

from annotation import rankings
from annotation.gold import scores as gold
from annotation.models import Assignment, Qualification, TestRun
from annotation.review import services as review
from tasks.models import Project

FLAGS = ("too_fast", "short_rationale", "copied_rationale", "against_own_tests", "no_tests", "missed_gold")
FLAG_LABELS = {
    "too_fast": "Too fast",
    "short_rationale": "Short rationale",
    "copied_rationale": "Copied rationale",
    "against_own_tests": "Against own tests",
    "no_tests": "No tests run",
    "missed_gold": "Missed gold",
}
MIN_SECONDS = 60
IDLE_FLAG_SECONDS = 10 * 60
IDLE_FLAG_SHARE = 0.25


@dataclass
class AnnotatorStats:
    user_id: int
    username: str
    submitted: int = 0
    active_seconds: int = 0
    median_minutes: float | None = None
    peer_agreement: float | None = None  # share of the others' judgments on shared tasks with the same first choice
    level: str = ""  # the qualification level, on projects that require one
    gold_judged: int = 0
    gold_accuracy: float | None = None
    low_gold: bool = False  # below GOLD_ACCURACY_THRESHOLD after GOLD_MIN_JUDGED gold tasks
    reviewed: int = 0
    accepted: int = 0
    flags: Counter[str] = field(default_factory=Counter)
    flagged: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # flag -> assignment ids
    idle_seconds: int = 0  # credited on assignments that ended skipped or expired
    idle_assignments: list[int] = field(default_factory=list)
    idle_flagged: bool = False

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.reviewed if self.reviewed else None

    @property
    def flag_count(self) -> int:
        return sum(self.flags.values())


def annotator_stats(project: Project) -> list[AnnotatorStats]:
    submitted = list(
        Assignment.objects.filter(
            task__project=project, status=Assignment.Status.SUBMITTED, judgment__isnull=False
        ).select_related("annotator", "judgment", "task")
    )
    tested = set(TestRun.objects.filter(assignment__in=submitted).values_list("assignment_id", flat=True))
    latest = review.latest_reviews(submitted)
    typical = median([a.active_seconds for a in submitted]) if submitted else 0
    fast = max(MIN_SECONDS, typical / 4)
    rationales = Counter((a.annotator_id, _normal(a.judgment.rationale)) for a in submitted)
    by_task: dict[int, list[Assignment]] = defaultdict(list)
    for a in submitted:
        by_task[a.task_id].append(a)
    stats: dict[int, AnnotatorStats] = {}
    seconds: dict[int, list[int]] = defaultdict(list)
    agreeing: dict[int, list[float]] = defaultdict(list)
    for a in submitted:
        row = stats.setdefault(a.annotator_id, AnnotatorStats(a.annotator_id, a.annotator.username))
        row.submitted += 1
        row.active_seconds += a.active_seconds
        seconds[a.annotator_id].append(a.active_seconds)
        others = [o for o in by_task[a.task_id] if o.pk != a.pk]
        if others:
            agreeing[a.annotator_id].append(sum(_first_choice(o) == _first_choice(a) for o in others) / len(others))
        if a.pk in latest:
            row.reviewed += 1
            row.accepted += latest[a.pk].verdict == "accept"
        gold_answer = a.task.gold_answer
        checks = {
            "missed_gold": gold_answer is not None
            and not gold.meets(gold_answer, a.judgment.ranking, a.judgment.all_unacceptable),
            "too_fast": a.active_seconds < fast,
            "short_rationale": len(a.judgment.rationale.strip()) < 2 * project.min_rationale_chars,
            "copied_rationale": rationales[(a.annotator_id, _normal(a.judgment.rationale))] > 1,
            "against_own_tests": a.judgment.evidence_conflict,
            "no_tests": a.pk not in tested,
        }
        for flag, raised in checks.items():
            if raised:
                row.flags[flag] += 1
                row.flagged[flag].append(a.pk)
    for user_id, score in gold.gold_scores(project).items():
        if user_id in stats:
            row = stats[user_id]
            row.gold_judged, row.gold_accuracy, row.low_gold = score.judged, score.accuracy, score.low
    for user_id, level in Qualification.objects.filter(project=project).values_list("annotator_id", "level"):
        if user_id in stats:
            stats[user_id].level = level
    _add_idle_time(project, stats)
    for user_id, row in stats.items():
        row.median_minutes = round(median(seconds[user_id]) / 60, 1) if seconds[user_id] else None
        row.peer_agreement = round(sum(agreeing[user_id]) / len(agreeing[user_id]), 3) if agreeing[user_id] else None
    return sorted(stats.values(), key=lambda r: r.username)


def _add_idle_time(project: Project, stats: dict[int, AnnotatorStats]) -> None:
    """Idle-but-credited time per annotator, adding a row for one who never submitted (a claim-beat-skip
    loop submits nothing, and must not vanish from the lead's table)."""
    ended = Assignment.objects.filter(
        task__project=project,
        status__in=(Assignment.Status.SKIPPED, Assignment.Status.EXPIRED),
        active_seconds__gt=0,
    ).order_by("pk")
    for pk, user_id, username, credited in ended.values_list(
        "pk", "annotator_id", "annotator__username", "active_seconds"
    ):
        row = stats.setdefault(user_id, AnnotatorStats(user_id, username))
        row.idle_seconds += credited
        row.idle_assignments.append(pk)
    for row in stats.values():
        row.idle_flagged = idle_flagged(
            idle_seconds=row.idle_seconds, finished_seconds=row.active_seconds + row.idle_seconds
        )


def idle_flagged(*, idle_seconds: int, finished_seconds: int) -> bool:
    """Idle-but-credited time worth a lead's look: at least IDLE_FLAG_SECONDS, and at least IDLE_FLAG_SHARE
    of the time credited on finished work."""
    return idle_seconds >= IDLE_FLAG_SECONDS and idle_seconds >= IDLE_FLAG_SHARE * finished_seconds


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _first_choice(assignment: Assignment) -> str:
    return rankings.first_choice(assignment.judgment.ranking, all_unacceptable=assignment.judgment.all_unacceptable)
