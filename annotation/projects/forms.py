"""The settings page's form: it reads the POST into Python values (numbers, booleans, the rubric and the
comment categories from their JSON fields); what is allowed is services.check_settings's to say, for the
page and the API alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model

from annotation.projects.services import SETTINGS
from sandbox import languages
from tasks.models import Project

HELP = {
    "name": "Shown to everyone in the project.",
    "instructions": "Markdown, shown to annotators with every task; sanitized, so raw HTML never runs.",
    "ranking_mode": "Pairwise: exactly two responses per task and a 7-point preference. N-way: rank 2-8 "
    "responses, ties allowed. Fixed once work has started.",
    "overlap": "How many distinct annotators judge each task (1-20).",
    "gold_share": "Share of an annotator's tasks drawn from gold tasks, 0 to 1.",
    "review_sample_rate": "Share of submitted judgments sent to review, 0 to 1.",
    "pay_rate_per_hour": "Per hour of active time, on the timesheets.",
    "min_tests": "Tests an annotator's last run must have run before they can submit.",
    "min_rationale_chars": "Shortest rationale accepted on submit.",
    "requires_ideal_solution": "Annotators write their own solution too; it is test-run with their tests.",
    "qualification_required": "New annotators first answer the project's gold tasks within a time limit.",
    "qualification_minutes": "Time limit of the qualification.",
    "qualification_pass_score": "Share of gold answers right needed to pass, 0 to 1.",
    "allowed_languages": "Languages an import may bring; none ticked: every language the sandbox runs.",
    "export_metadata_keys": "Import metadata keys that exports may carry, separated by commas. Every other key "
    "(answer keys, reference tests, notes) never leaves the platform. Empty: none.",
    "comment_categories": "What a line comment can be about: [{key, label}]. Keys stay stable.",
    "rubric": "Dimensions rated per response: [{key, label, help, min, max, required}]. Keys stay stable.",
}


LABELS = {
    "min_tests": "Minimum tests",
    "min_rationale_chars": "Minimum rationale length (characters)",
    "requires_ideal_solution": "Ask for an ideal solution",
    "qualification_minutes": "Qualification time limit (minutes)",
}


class KeysField(forms.CharField):
    """Names separated by commas, shown the same way (the list is checked by services.check_settings)."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return [part.strip() for part in str(value or "").split(",") if part.strip()]


class SettingsForm(forms.Form):
    """Every setting of SETTINGS; the JSON fields are written by the visual editors (project_setup.js)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        special = {"allowed_languages", "export_metadata_keys", "comment_categories", "rubric"}
        simple = [f for f in SETTINGS if f not in special]
        self.fields.update(fields_for_model(Project, fields=simple, help_texts=HELP, labels=LABELS))
        self.fields["allowed_languages"] = forms.MultipleChoiceField(
            choices=languages.choices(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=HELP["allowed_languages"],
        )
        self.fields["export_metadata_keys"] = KeysField(
            required=False, help_text=HELP["export_metadata_keys"], label="Metadata keys in exports"
        )
        for name in ("comment_categories", "rubric"):
            self.fields[name] = forms.JSONField(help_text=HELP[name], widget=forms.Textarea(attrs={"rows": 8}))
        self.order_fields(SETTINGS)

    @classmethod
    def initial_of(cls, project: Project) -> dict[str, Any]:
        return {field: getattr(project, field) for field in SETTINGS}


class CreateForm(SettingsForm):
    """The create page: the settings and the project's slug, which never changes afterwards."""

    slug = forms.SlugField(max_length=64, help_text="In every URL of the project; it cannot change later.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["slug", *SETTINGS])


class DuplicateForm(forms.Form):
    slug = forms.SlugField(max_length=64, help_text="The new project's slug.")
    name = forms.CharField(max_length=200, help_text="The new project's name.")
