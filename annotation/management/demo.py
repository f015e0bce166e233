"""Demo judgments: several annotators judge the first demo tasks, overlapping, with their tests really
run in the sandbox (the reference tests shipped with each demo task), time on platform from heartbeats
in the past days, and a lead's reviews. Seeded once; skipped with a message when Docker is not there."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from annotation.models import Assignment, Judgment, TestCase, TestResult, TestRun
from annotation.review import services as review
from annotation.work import activity, judging, queue, runs
from sandbox import runner
from sandbox.results import Status
from tasks.models import Project, User

TASKS = 6


def seed_demo_judgments(*, project: Project, annotators: list[User], lead: User) -> str:
    """Returns what it did, for the command to print."""
    if Assignment.objects.filter(task__project=project, status=Assignment.Status.SUBMITTED).exists():
        return "demo judgments already there"
    tasks = list(project.tasks.order_by("id")[:TASKS])
    verdicts: dict[int, dict[str, dict[str, Any]]] = {}
    for task in tasks:
        tests = task.metadata["reference_tests"]
        verdicts[task.pk] = {}
        for response in task.responses.order_by("label"):
            result = runner.run_suite(language=task.language, solution=response.program(), tests=tests)
            if result.status == Status.UNAVAILABLE:
                return f"demo judgments skipped: {result.message}"
            verdicts[task.pk][response.label] = result.to_dict()
    start = timezone.now() - dt.timedelta(days=2)
    made: list[Assignment] = []
    for t, task in enumerate(tasks):
        for a, annotator in enumerate(annotators):
            assignment = queue.claim_next_assignment(project=project, annotator=annotator)
            if assignment.task_id != task.pk:  # someone else's order; leave it for them
                queue.skip_assignment(assignment=assignment, reason="demo seeding order")
                continue
            began = start + dt.timedelta(hours=9 * t + a)
            minutes = 4 + (t * 7 + a * 3) % 9
            _work(assignment, began, minutes=minutes)
            _record_run(assignment, task.metadata["reference_tests"], verdicts[task.pk], at=began)
            _submit(assignment, verdicts[task.pk], disagree=(a == 2 and t % 3 == 1), break_ties=a < 2, ideal=a == 0)
            # As if submitted when the work ended, so the dashboard's days look like real work.
            ended = began + dt.timedelta(minutes=minutes)
            Assignment.objects.filter(pk=assignment.pk).update(submitted_at=ended)
            Judgment.objects.filter(assignment=assignment).update(submitted_at=ended)
            made.append(assignment)
    _review(made, lead)
    return (
        f"demo judgments: {len(made)} by {len(annotators)} annotators on {len(tasks)} tasks, tests run in the sandbox"
    )


def _work(assignment: Assignment, began: dt.datetime, *, minutes: int) -> None:
    """Heartbeats every 20 s, as the workspace sends them while the annotator works."""
    for seq, second in enumerate(range(0, minutes * 60 + 1, 20), start=1):
        activity.record_heartbeat(
            annotator=assignment.annotator,
            assignment=assignment,
            tab=f"demo-{assignment.pk}",
            seq=seq,
            now=began + dt.timedelta(seconds=second),
        )


def _record_run(assignment: Assignment, tests: str, verdicts: dict[str, dict[str, Any]], *, at: dt.datetime) -> None:
    """The annotator's run of the reference tests, with the verdicts the sandbox gave above."""
    run = TestRun.objects.create(
        assignment=assignment, test_case=TestCase.objects.create(assignment=assignment, code=tests)
    )
    TestRun.objects.filter(pk=run.pk).update(created_at=at)
    for response in assignment.task.responses.order_by("label"):
        result = TestResult.objects.create(test_run=run, response=response)
        runs.record_test_result(test_result_id=result.pk, result=verdicts[response.label])


def _submit(
    assignment: Assignment, verdicts: dict[str, dict[str, Any]], *, disagree: bool, break_ties: bool, ideal: bool
) -> None:
    """Ranks by tests passed; responses that pass as many tie, unless `break_ties` (then by label, as if
    by readability), so the demo has both tied and strict rankings. With `ideal`, the ideal solution is
    the response that passed most (so the demo's sft export has rows)."""
    passes = {label: v["passed"] for label, v in verdicts.items()}
    levels = sorted(set(passes.values()), reverse=True)
    ranking = [[label for label in sorted(passes) if passes[label] == level] for level in levels]
    if break_ties:
        ranking = [[label] for group in ranking for label in group]
    if disagree and len(ranking) > 1:
        ranking[0], ranking[1] = ranking[1], ranking[0]
    notes = assignment.task.metadata.get("notes", {})
    models = dict(assignment.task.responses.values_list("label", "model_name"))
    show = assignment.display_label
    lines = [
        f"{show(label)} passed {passes[label]} of {len(verdicts[label]['tests'])} of my tests"
        + (f" ({notes.get(models[label], '')})" if passes[label] < max(passes.values()) else "")
        for label in sorted(passes, key=show)
    ]
    data = {
        "ranking": ranking,
        "ratings": {
            label: {
                "correctness": 1 + round(4 * passes[label] / max(1, len(verdicts[label]["tests"]))),
                "efficiency": 4,
                "readability": 3 + (label == ranking[0][0]),
                "security": 4,
                "instruction_following": 4,
            }
            for label in passes
        },
        "rationale": "; ".join(lines) + ". Ranked by what my tests show, then by readability.",
        "tests_code": assignment.task.metadata["reference_tests"],
    }
    if ideal:
        best = max(sorted(passes), key=lambda label: passes[label])
        data["ideal_solution"] = assignment.task.responses.get(label=best).code
    judging.save_draft(assignment=assignment, data=data)
    judging.submit_judgment(
        assignment=assignment,
        data=data,
        confirm_evidence=disagree,
        evidence_note="The failing test checks an edge case the prompt does not require.",
    )


REVIEWED = 12  # the first four tasks' judgments; the rest wait in the review queue


def _review(made: list[Assignment], lead: User) -> None:
    """Accepts most: three tasks end with an accepted majority, so a lead can mark them gold at once."""
    for i, assignment in enumerate(made[:REVIEWED]):
        assignment.refresh_from_db()
        if i == 4:
            review.review_judgment(
                assignment=assignment,
                reviewer=lead,
                verdict="send_back",
                feedback="Say which input breaks the weaker response.",
            )
        elif i == 6:
            review.review_judgment(
                assignment=assignment, reviewer=lead, verdict="reject", feedback="Ranking ignores the failing tests."
            )
        else:
            review.review_judgment(assignment=assignment, reviewer=lead, verdict="accept", score=4)
