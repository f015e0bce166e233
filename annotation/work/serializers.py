"""What the annotator's API takes and gives. It speaks in the letters the annotator sees (A, B, ... in
their shuffled order); `judgment_input` translates them, so services only see stored labels."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from annotation.models import Assignment, Judgment, TestResult, TestRun
from annotation.work import judgment_input
from sandbox import languages


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
    comments = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    rationale = serializers.CharField(allow_blank=True, required=False)
    all_unacceptable = serializers.BooleanField(required=False)
    ideal_solution = serializers.CharField(allow_blank=True, required=False)
    tests_code = serializers.CharField(allow_blank=True, required=False)


class EvidenceInput(serializers.Serializer):
    """Submitting against one's own tests: the confirmation and its note (the page's form takes it too)."""

    confirm_evidence = serializers.BooleanField(required=False, default=False)
    evidence_note = serializers.CharField(allow_blank=True, required=False, default="")


class SubmitInput(JudgmentInput, EvidenceInput):
    pass


class RunInput(serializers.Serializer):
    code = serializers.CharField(help_text="Your test file: pytest (Python) or node:test (JavaScript).")
    ideal_solution = serializers.CharField(allow_blank=True, required=False, default="")


class SkipInput(serializers.Serializer):
    reason = serializers.CharField()


class HeartbeatInput(serializers.Serializer):
    assignment = serializers.IntegerField(required=False, allow_null=True)
    tab = serializers.CharField(max_length=64)
    seq = serializers.IntegerField(min_value=1)


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

    def get_task(self, a: Assignment) -> dict[str, Any]:
        return {"id": a.task.external_id, "prompt": a.task.prompt, "language": a.task.language}

    def get_responses(self, a: Assignment) -> list[dict[str, str]]:
        codes = dict(a.task.responses.values_list("label", "code"))
        return [{"label": a.display_label(label), "code": codes[label]} for label in a.response_order]

    def get_judgment(self, a: Assignment) -> dict[str, Any] | None:
        return judgment_input.as_letters(a, Judgment.objects.filter(assignment=a).first())

    def get_test_template(self, a: Assignment) -> str:
        return languages.get(a.task.language).test_template


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
        return list(
            ResultOutput(run.results.select_related("response").order_by("id"), many=True, context=self.context).data
        )
