"""What the task manager takes and gives; the page reads its filter with the same SearchInput as the API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotation.manager import services
from annotation.manager.services import Action, Status
from sandbox import languages


class SearchInput(serializers.Serializer):
    """The filter, as query parameters (the page's and the API's) or as the bulk request's `filter`."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, help_text="Text in the prompt or a response's code."
    )
    id = serializers.CharField(
        source="id_prefix", required=False, allow_blank=True, max_length=200, help_text="The start of the task id."
    )
    model = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="A response by this model."
    )
    language = serializers.ChoiceField(choices=languages.choices(), required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Status.choices, required=False, allow_blank=True)
    priority = serializers.IntegerField(
        required=False, allow_null=True, min_value=services.PRIORITY_MIN, max_value=services.PRIORITY_MAX
    )
    sort = serializers.ChoiceField(
        choices=[(key, label) for key, (label, _) in services.SORTS.items()], required=False, default="id"
    )

    def to_internal_value(self, data: Any) -> Any:
        # An empty field of the page's form ("priority=") means "any", as a left-out one does.
        if hasattr(data, "dict"):
            data = data.dict()
        return super().to_internal_value({k: v for k, v in dict(data).items() if v not in ("", None)})

    def task_filter(self) -> services.TaskFilter:
        return services.TaskFilter(**self.validated_data)


def filter_errors(form: serializers.Serializer) -> str:
    """The form's errors as one line, each naming its field."""
    return "; ".join(f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items())


class ResponseRow(serializers.Serializer):
    # The JSON key; it shadows Field.label only for the type checker (DRF pops declared fields).
    label = serializers.CharField()  # type: ignore[assignment]
    model = serializers.CharField(source="model_name")


class TaskRow(serializers.Serializer):
    id = serializers.CharField(source="external_id")
    prompt = serializers.CharField()
    language = serializers.CharField()
    responses = ResponseRow(many=True, source="listed_responses", help_text="Labels and models (no code).")
    status = serializers.ChoiceField(choices=Status.choices)
    priority = serializers.IntegerField()
    submitted = serializers.IntegerField(help_text="Judgments submitted.")
    taken = serializers.IntegerField(help_text="Places held: active, submitted or sent-back work.")
    gold_answer = serializers.JSONField(allow_null=True)
    retired_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class StatusCounts(serializers.Serializer):
    open = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    complete = serializers.IntegerField()
    flagged = serializers.IntegerField()
    gold = serializers.IntegerField()
    retired = serializers.IntegerField()


class SearchPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    status_counts = StatusCounts(help_text="Tasks matching the filter in each status, whatever `status` asks for.")
    results = TaskRow(many=True)


class BulkInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=Action.choices)
    task_ids = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=services.MAX_TASK_IDS,
        help_text="The tasks' ids; or give `filter`.",
    )
    filter = SearchInput(required=False, help_text="Every task matching this filter; or give `task_ids`.")
    priority = serializers.IntegerField(
        required=False,
        min_value=services.PRIORITY_MIN,
        max_value=services.PRIORITY_MAX,
        help_text="For set_priority: higher comes first in the queue.",
    )
    expected_count = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The number of tasks you expect the filter to match; if it matches another, nothing is done (409).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("task_ids" in attrs) == ("filter" in attrs):
            raise serializers.ValidationError("give either task_ids or filter")
        if attrs["action"] == Action.SET_PRIORITY and "priority" not in attrs:
            raise serializers.ValidationError({"priority": "set_priority needs a priority"})
        return attrs


class Detail(serializers.Serializer):
    detail = serializers.CharField()


class Refusal(serializers.Serializer):
    id = serializers.CharField()
    reason = serializers.CharField()


class BulkOutput(serializers.Serializer):
    action = serializers.CharField()
    matched = serializers.IntegerField(help_text="Tasks the ids or the filter named.")
    done = serializers.IntegerField(help_text="Tasks changed.")
    refused = serializers.SerializerMethodField()
    message = serializers.CharField(
        help_text='A summary: "3 tasks marked gold; 1 refused: t-9 has no accepted judgment".'
    )

    @extend_schema_field(Refusal(many=True))
    def get_refused(self, result: services.BulkResult) -> list[dict[str, str]]:
        return [{"id": task, "reason": why} for task, why in result.refused]
