"""What the review API takes and gives."""

from __future__ import annotations

from rest_framework import serializers


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
