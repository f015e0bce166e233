"""The webhooks API's shapes. The secret is in no listing: only in the answer to a create, and from the
secret endpoint (show or rotate)."""

from __future__ import annotations

from rest_framework import serializers

from annotation.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from annotation.webhooks.services import EVENTS


class EndpointInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="http:// or https://; redirects are not followed.")
    events = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENTS)), allow_empty=False)
    active = serializers.BooleanField(required=False, help_text="Only with PATCH: false stops every delivery.")


class EndpointOutput(serializers.ModelSerializer):
    project = serializers.CharField(source="project.slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "project", "url", "events", "active", "created_by", "created_at"]


class EndpointCreated(EndpointOutput):
    class Meta(EndpointOutput.Meta):
        fields = [*EndpointOutput.Meta.fields, "secret"]


class SecretOutput(serializers.Serializer):
    secret = serializers.CharField(help_text="The HMAC-SHA256 key of X-Webhook-Signature.")


class AttemptOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "response_code", "duration_ms", "error", "response_body"]


class DeliveryOutput(serializers.ModelSerializer):
    attempt_log = AttemptOutput(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "event_id",
            "status",
            "attempts",
            "last_response_code",
            "last_duration_ms",
            "last_error",
            "next_attempt_at",
            "created_at",
            "updated_at",
            "payload",
            "attempt_log",
        ]
