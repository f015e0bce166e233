"""The API's bodies: ExportInput is ExportOptions seen by the OpenAPI schema, ExportOutput a job."""

from __future__ import annotations

from dataclasses import MISSING, Field
from typing import Any

from rest_framework import serializers

from exporters import options
from exporters.models import ExportJob


# The fields are made from ExportOptions' and validating is ExportOptions.parse, so the schema, the
# API, the page and the command cannot disagree.
class ExportInput(serializers.Serializer):
    """The options of a new export: a value left out, empty or null takes the default."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {option.name: _schema_field(option) for option in options.ExportOptions.fields()}

    def to_internal_value(self, data: Any) -> options.ExportOptions:
        try:
            return options.ExportOptions.parse(data)
        except options.ExportInvalid as invalid:
            raise serializers.ValidationError({"detail": str(invalid)}) from None


def _schema_field(option: Field[Any]) -> serializers.Field:
    """The serializer field that documents an option (it checks nothing: ExportOptions does)."""
    parse, text, choices = option.metadata["parse"], option.metadata["help"], option.metadata["choices"]
    given: dict[str, Any] = {"help_text": text}
    given.update({"required": True} if option.default is MISSING else {"required": False, "default": option.default})
    if parse is options.parse_choice:
        return serializers.ChoiceField(choices=choices, **given)
    if parse is options.parse_bool:
        return serializers.BooleanField(**given)
    if parse is options.parse_names:
        child = serializers.ChoiceField(choices=choices) if choices else serializers.CharField()
        return serializers.ListField(child=child, **given)
    if parse in (options.parse_text, options.parse_split):
        return serializers.CharField(allow_blank=True, **given)
    kinds = {
        options.parse_fraction: (serializers.FloatField, {"min_value": 0, "max_value": 1}),
        options.parse_date: (serializers.DateField, {}),
        options.parse_export_id: (serializers.IntegerField, {"min_value": 1}),
    }
    kind, bounds = kinds[parse]
    return kind(allow_null=True, **bounds, **given)


class ExportOutput(serializers.ModelSerializer):
    project = serializers.CharField(source="project.slug")
    percent = serializers.IntegerField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "project",
            "format",
            "mode",
            "filters",
            "gzip",
            "since",
            "cutoff",
            "status",
            "progress",
            "total",
            "percent",
            "row_count",
            "sha256",
            "manifest",
            "error",
            "created_at",
            "finished_at",
            "download",
        ]

    def get_download(self, job: ExportJob) -> str | None:
        return f"/api/v1/exports/{job.pk}/download" if job.status == ExportJob.Status.DONE else None
