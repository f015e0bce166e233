"""What the leads' API returns: the same figures, under the same names, as the pages show."""

from __future__ import annotations

from rest_framework import serializers

from annotation.quality import annotators


class DashboardOutput(serializers.Serializer):
    tasks = serializers.IntegerField()
    tasks_done = serializers.IntegerField(help_text="Tasks judged by as many annotators as the project's overlap.")
    judgments_needed = serializers.IntegerField()
    judgments_submitted = serializers.IntegerField()
    percent = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    per_day = serializers.SerializerMethodField(help_text="[[YYYY-MM-DD, judgments], ...] for the last 14 days.")
    active_seconds = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    review_backlog = serializers.IntegerField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    open_flags = serializers.IntegerField(help_text="Annotators' task flags the lead has not re-released or retired.")

    def get_per_day(self, d: object) -> list[list[str | int]]:
        return [[day.isoformat(), n] for day, n in d.per_day]  # type: ignore[attr-defined]


class ModelOutput(serializers.Serializer):
    model = serializers.CharField()
    strength = serializers.FloatField(help_text="Bradley-Terry strength, log scale, mean 0.")
    low = serializers.FloatField()
    high = serializers.FloatField()
    tests_passed = serializers.IntegerField()
    tests_run = serializers.IntegerField()
    pass_rate = serializers.FloatField(allow_null=True)
    line_comments = serializers.IntegerField(help_text="Line comments on its responses in submitted judgments.")
    comments_by_category = serializers.DictField(
        child=serializers.IntegerField(), help_text="Those line comments by category key (keys with none left out)."
    )
    comments_by_severity = serializers.DictField(child=serializers.IntegerField(), help_text="And by severity.")


class QualityOutput(serializers.Serializer):
    judgments = serializers.IntegerField()
    tasks_with_overlap = serializers.IntegerField()
    preference_agreement = serializers.FloatField(
        allow_null=True, help_text="Share of pairs of annotators of a task who put the same responses first."
    )
    preference_kappa = serializers.FloatField(allow_null=True)
    dimension_alpha = serializers.DictField(child=serializers.FloatField(allow_null=True))
    dimension_agreement = serializers.DictField(child=serializers.FloatField(allow_null=True))
    ranking_alpha = serializers.FloatField(allow_null=True)
    mean_kendall_tau = serializers.FloatField(allow_null=True)
    models = ModelOutput(many=True)
    pairs = serializers.ListField(child=serializers.DictField())


class AnnotatorOutput(serializers.Serializer):
    annotator = serializers.CharField(source="username")
    submitted = serializers.IntegerField()
    active_seconds = serializers.IntegerField()
    median_minutes = serializers.FloatField(allow_null=True)
    agreement = serializers.FloatField(
        source="peer_agreement",
        allow_null=True,
        help_text="Share of the others' judgments on shared tasks that put the same responses first.",
    )
    reviewed = serializers.IntegerField()
    accepted = serializers.IntegerField()
    acceptance_rate = serializers.FloatField(allow_null=True)
    gold_judged = serializers.IntegerField()
    gold_accuracy = serializers.FloatField(allow_null=True)
    low_gold = serializers.BooleanField()
    level = serializers.CharField()
    flags = serializers.DictField(child=serializers.IntegerField())
    flagged_assignments = serializers.DictField(source="flagged", child=serializers.ListField())
    idle_seconds = serializers.IntegerField(
        help_text="Active time credited on this project's assignments that ended skipped or expired (no judgment)."
    )
    idle_flagged = serializers.BooleanField(
        help_text=f"Idle-but-credited time of at least {annotators.IDLE_FLAG_SECONDS // 60} minutes and "
        f"{annotators.IDLE_FLAG_SHARE:.0%} of the time credited on finished work (submitted, skipped, expired)."
    )
    idle_assignments = serializers.ListField(
        child=serializers.IntegerField(), help_text="The skipped or expired assignments behind idle_seconds."
    )
