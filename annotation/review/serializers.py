"""What the review API takes and gives."""

from __future__ import annotations

from rest_framework import serializers

from annotation.work import judgment_input


class ReviewInput(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=["accept", "reject", "send_back"])
    feedback = serializers.CharField(allow_blank=True, required=False, default="")
    score = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)


class ReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField(source="assignment_id")
    reviewer = serializers.CharField(source="reviewer.username")
    verdict = serializers.CharField()
    feedback = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class ReviewQueueItem(serializers.Serializer):
    assignment = serializers.IntegerField(source="pk")
    task = serializers.CharField(source="task.external_id")
    annotator = serializers.CharField(source="annotator.username")
    submitted_at = serializers.DateTimeField()
    active_seconds = serializers.IntegerField()
    evidence_conflict = serializers.BooleanField(source="judgment.evidence_conflict")


class ReplyInput(serializers.Serializer):
    comment_id = serializers.CharField(max_length=64, help_text="The id of the line comment to reply to.")
    text = serializers.CharField(max_length=judgment_input.MAX_TEXT)


class ReplyOutput(serializers.Serializer):
    author = serializers.CharField(source="author.username")
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class LineCommentOutput(serializers.Serializer):
    id = serializers.CharField()
    response = serializers.CharField(source="display", help_text="The annotator's letter for the response.")
    # The JSON key; it shadows Field.label only for the type checker (DRF pops declared fields).
    label = serializers.CharField(help_text="The response's stored label.")  # type: ignore[assignment]
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    category = serializers.CharField()
    severity = serializers.CharField()
    text = serializers.CharField()
    replies = ReplyOutput(many=True)


class TaskFlagOutput(serializers.Serializer):
    """An annotator's flag of a task, and what the lead did about it."""

    id = serializers.IntegerField()
    task = serializers.CharField(source="task.external_id")
    annotator = serializers.CharField(source="annotator.username")
    reason = serializers.CharField()
    reason_text = serializers.CharField(source="get_reason_display")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField(help_text='"released", "retired", or "" while open')


class FlagsQuery(serializers.Serializer):
    state = serializers.ChoiceField(choices=["open", "resolved", "all"], required=False, default="open")


class FlagResolveInput(serializers.Serializer):
    task = serializers.CharField(help_text="The task's external id.")
    action = serializers.ChoiceField(
        choices=["release", "retire"], help_text="release: the queue offers it again; retire: never again."
    )
