"""What the annotator's API takes and gives. It speaks in the letters the annotator sees (A, B, ... in
their shuffled order); `judgment_input` translates them, so services only see stored labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from annotation.models import Assignment, Judgment, Review, TaskFlag, TestResult, TestRun
from annotation.work import judging, judgment_input, workspace
from sandbox import languages


class LineComment(serializers.Serializer):
    """One line comment, in your letters; `clean` checks the values (lines, category, severity) by name."""

    id = serializers.CharField(
        help_text="Yours to choose, 1-64 of [A-Za-z0-9_-], unique in the judgment; keep it across saves "
        "(replies follow it)."
    )
    # The JSON key; it shadows Field.label only for the type checker (DRF pops declared fields).
    label = serializers.CharField(help_text="Your letter of the response.")  # type: ignore[assignment]
    start = serializers.IntegerField(help_text="First line, from 1.")
    end = serializers.IntegerField(help_text="Last line (the same as start for one line).")
    category = serializers.CharField(help_text="A key of the project's comment_categories.")
    severity = serializers.CharField(help_text=f"One of {', '.join(judgment_input.SEVERITIES)}.")
    text = serializers.CharField(max_length=judgment_input.MAX_TEXT, trim_whitespace=False)


class JudgmentInput(serializers.Serializer):
    ranking = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='Groups of your letters, best first; a group of two is a tie: [["B"], ["A", "C"]].',
    )
    strength = serializers.IntegerField(
        min_value=-3,
        max_value=3,
        required=False,
        allow_null=True,
        help_text="Pairwise projects: -3 (A much better) .. 0 (tie) .. 3 (B much better).",
    )
    ratings = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()), required=False)
    # Texts over the limit are refused, never cut (judgment_input.MAX_TEXT characters each).
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=judgment_input.MAX_TEXT), required=False
    )
    rationale = serializers.CharField(allow_blank=True, required=False, max_length=judgment_input.MAX_TEXT)
    all_unacceptable = serializers.BooleanField(required=False)
    ideal_solution = serializers.CharField(allow_blank=True, required=False, max_length=judgment_input.MAX_TEXT)
    tests_code = serializers.CharField(allow_blank=True, required=False, max_length=judgment_input.MAX_TEXT)
    line_comments = LineComment(
        many=True,
        required=False,
        help_text=f"Comments on lines of a response (at most {judgment_input.MAX_LINE_COMMENTS}); "
        "the list replaces the saved one.",
    )
    base_revision = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Drafts: the revision your text started from; a save based on an older one than the "
        "latest is refused with 409 and the newer draft, so it never overwrites newer text.",
    )


class EvidenceInput(serializers.Serializer):
    """Submitting against one's own tests: the confirmation and its note (the page's form takes it too)."""

    confirm_evidence = serializers.BooleanField(required=False, default=False)
    evidence_note = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=judgment_input.MAX_TEXT
    )


class SubmitRevision(serializers.Serializer):
    """The page's submit: the revision its text started from (blank from an old page: not checked)."""

    base_revision = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)


class SubmitInput(JudgmentInput, EvidenceInput):
    pass


class RunInput(serializers.Serializer):
    code = serializers.CharField(help_text="Your test file: pytest (Python) or node:test (JavaScript).")
    ideal_solution = serializers.CharField(allow_blank=True, required=False, default="")


class SkipInput(serializers.Serializer):
    reason = serializers.CharField()


class FlagInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=TaskFlag.Reason.choices, help_text="What is wrong with the task.")
    note = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=2000, help_text='Required when reason is "other".'
    )


class FlagOutput(serializers.Serializer):
    id = serializers.IntegerField()
    task = serializers.CharField(source="task.external_id")
    reason = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


MAX_SEQ = 2**31 - 1  # far beyond a tab's lifetime of beats; above it the database column would overflow
MAX_EVENTS = 100_000  # per beat: a page counting every pointer move stays far below it


def _event_count(what: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        default=0,
        min_value=0,
        max_value=MAX_EVENTS,
        help_text=f"How many {what} the page saw since this tab's last beat. Only a beat with some event "
        "(of any kind) or a test run still pending on the server earns time.",
    )


class HeartbeatInput(serializers.Serializer):
    assignment = serializers.IntegerField(required=False, allow_null=True)
    tab = serializers.CharField(max_length=64)
    seq = serializers.IntegerField(
        min_value=1,
        max_value=MAX_SEQ,
        help_text="The beat's number in its tab, rising from 1; a beat not above the tab's last one is dropped.",
        error_messages={
            "max_value": f"seq must be at most {MAX_SEQ}; start a new tab id and count from 1 again.",
            "min_value": "seq must be at least 1.",
        },
    )
    keys = _event_count("key presses")
    pointer = _event_count("pointer and touch events (presses and moves)")
    scroll = _event_count("scroll and wheel events")
    edits = _event_count("changes in the editors and the form")
    running = serializers.BooleanField(
        default=False,
        help_text="The page is waiting for a test run. Informational: the server credits the wait only "
        "while one of the assignment's runs is pending in its own records.",
    )


class HeartbeatOutput(serializers.Serializer):
    credited = serializers.IntegerField()
    today_seconds = serializers.IntegerField()
    week_seconds = serializers.IntegerField()


class AssignmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    project = serializers.CharField(source="task.project.slug")
    ranking_mode = serializers.CharField(source="task.project.ranking_mode")
    rubric = serializers.JSONField(source="task.project.rubric")
    task = serializers.SerializerMethodField()
    responses = serializers.SerializerMethodField()
    lease_expires_at = serializers.DateTimeField()
    active_seconds = serializers.IntegerField()
    judgment = serializers.SerializerMethodField()
    test_template = serializers.SerializerMethodField()
    comment_categories = serializers.JSONField(
        source="task.project.comment_categories", help_text='What a line comment can be about: [{"key", "label"}].'
    )
    comment_replies = serializers.SerializerMethodField(
        help_text="Replies (a reviewer's, or yours) to your line comments: {comment id: [{author, text, created_at}]}."
    )

    def get_task(self, a: Assignment) -> dict[str, Any]:
        """`messages`: a conversation task's turns (empty for a single prompt); `prompt` is then their text."""
        task = a.task
        return {"id": task.external_id, "prompt": task.prompt, "messages": task.messages, "language": task.language}

    def get_responses(self, a: Assignment) -> list[dict[str, str]]:
        codes = dict(a.task.responses.values_list("label", "code"))
        return [{"label": a.display_label(label), "code": codes[label]} for label in a.response_order]

    def _judgment(self, a: Assignment) -> Judgment | None:
        """The judgment, read once for both fields that show it (or the one the view just wrote)."""
        if "judgment" not in self.context:
            self.context["judgment"] = Judgment.objects.filter(assignment=a).first()
        judgment: Judgment | None = self.context["judgment"]
        return judgment

    def get_judgment(self, a: Assignment) -> dict[str, Any] | None:
        return judgment_input.as_letters(a, self._judgment(a))

    def get_test_template(self, a: Assignment) -> str:
        return languages.get(a.task.language).test_template

    def get_comment_replies(self, a: Assignment) -> dict[str, list[dict[str, str]]]:
        threads = judging.comment_threads(self._judgment(a))
        return {cid: [workspace.reply_data(r) for r in replies] for cid, replies in threads.items()}


class ResultOutput(serializers.Serializer):
    response = serializers.SerializerMethodField(help_text='Your letter for the response, or "ideal".')
    status = serializers.CharField()
    tests = serializers.JSONField()
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()
    stdout = serializers.CharField()
    stderr = serializers.CharField()
    message = serializers.CharField()
    truncated = serializers.BooleanField()
    duration_ms = serializers.IntegerField()
    trust = serializers.CharField(
        help_text='"isolated": the response ran apart from the tests; "in-process": the tests shared its process.'
    )

    def get_response(self, r: TestResult) -> str:
        return self.context["assignment"].display_label(r.response.label) if r.response else "ideal"


class RunOutput(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    pending = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    def get_pending(self, run: TestRun) -> bool:
        return any(r.status in TestResult.PENDING for r in run.results.all())

    def get_results(self, run: TestRun) -> list[dict[str, Any]]:
        """In the annotator's letters' order, the ideal solution last: stored order would give the
        letters' labels away."""
        order = self.context["assignment"].response_order
        results = sorted(
            run.results.select_related("response"),
            key=lambda r: (order.index(r.response.label), r.pk) if r.response else (len(order), r.pk),
        )
        return list(ResultOutput(results, many=True, context=self.context).data)


@dataclass(frozen=True)
class MyWorkRow:
    """One line of the annotator's "My work": their assignment, its latest review, whether it may reopen."""

    assignment: Assignment
    review: Review | None
    can_reopen: bool


class MyWorkOutput(serializers.Serializer):
    id = serializers.IntegerField(source="assignment.pk")
    task = serializers.CharField(source="assignment.task.external_id")
    status = serializers.CharField(source="assignment.status")
    submitted_at = serializers.DateTimeField(source="assignment.submitted_at")
    active_seconds = serializers.IntegerField(source="assignment.active_seconds")
    verdict = serializers.SerializerMethodField(help_text="The latest review's verdict, or null before any review.")
    feedback = serializers.SerializerMethodField()
    reviewed_at = serializers.SerializerMethodField()
    can_reopen = serializers.BooleanField()

    def get_verdict(self, row: MyWorkRow) -> str | None:
        return row.review.verdict if row.review else None

    def get_feedback(self, row: MyWorkRow) -> str:
        return row.review.feedback if row.review else ""

    def get_reviewed_at(self, row: MyWorkRow) -> str | None:
        return row.review.created_at.isoformat() if row.review else None
