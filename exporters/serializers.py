from rest_framework import serializers

from exporters import formats
from exporters.models import ExportJob


class ExportInput(serializers.Serializer):
    format = serializers.ChoiceField(choices=list(formats.FORMATS))
    mode = serializers.ChoiceField(choices=ExportJob.Mode.values, default="judgment")
    gzip = serializers.BooleanField(default=False)
    include_gold = serializers.BooleanField(default=False, help_text="Also the gold tasks (left out by default).")
    accepted_only = serializers.BooleanField(default=False, help_text="Only judgments whose last review accepted them.")
    since = serializers.IntegerField(
        required=False, allow_null=True, help_text="id of a finished export: only what came after it"
    )
    min_agreement = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=1)
    submitted_from = serializers.DateField(required=False, allow_null=True)
    submitted_to = serializers.DateField(required=False, allow_null=True)
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    models = serializers.ListField(child=serializers.CharField(), required=False)


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
