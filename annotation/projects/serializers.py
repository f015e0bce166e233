"""The project setup API's shapes: settings in (types only; services.check_settings says what is allowed),
settings and audit events out."""

from __future__ import annotations

from rest_framework import serializers

from annotation.projects.services import SETTINGS
from tasks.models import AuditEvent, Project


class SettingsInput(serializers.ModelSerializer):
    """Any of the settings (PATCH: what is left out stays). rubric: [{key, label, help, min, max, required}];
    comment_categories: [{key, label}]; allowed_languages: names, empty for every language;
    export_metadata_keys: the import metadata keys exports may carry, empty for none."""

    class Meta:
        model = Project
        fields = list(SETTINGS)


class CreateInput(SettingsInput):
    slug = serializers.SlugField(max_length=64, help_text="In every URL of the project; it cannot change later.")

    class Meta(SettingsInput.Meta):
        fields = ["slug", *SETTINGS]


class DuplicateInput(serializers.Serializer):
    slug = serializers.SlugField(max_length=64, help_text="The new project's slug.")
    name = serializers.CharField(max_length=200, help_text="The new project's name.")


class SettingsOutput(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["slug", *SETTINGS, "archived_at", "created_at"]


class AuditEventOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)
    changes = serializers.JSONField(help_text="{field: [old, new]}")

    class Meta:
        model = AuditEvent
        fields = ["id", "action", "actor", "target", "changes", "created_at"]
