from rest_framework import serializers

from tasks.models import Project, Response, Task


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "instructions",
            "rubric",
            "ranking_mode",
            "overlap",
            "min_tests",
            "min_rationale_chars",
            "requires_ideal_solution",
            "role",
        ]

    def get_role(self, project: Project) -> str:
        return str(self.context["roles"][project.pk])


class ResponseSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="model_name")

    class Meta:
        model = Response
        fields = ["label", "model", "code"]


class TaskSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="external_id")
    responses = ResponseSerializer(many=True)

    class Meta:
        model = Task
        fields = ["id", "prompt", "messages", "language", "metadata", "responses", "created_at"]


class ImportResultSerializer(serializers.Serializer):
    project = serializers.CharField()
    imported = serializers.IntegerField(help_text="Tasks written (0 on a dry run).")
    checked = serializers.IntegerField(help_text="Tasks in the file.")
    dry_run = serializers.BooleanField()
