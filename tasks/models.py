"""Users, projects and who may do what in them, comparison tasks and their candidate responses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from sandbox import languages

MAX_RESPONSES = 8
MIN_RESPONSES = 2
RESPONSE_LABELS = "ABCDEFGH"


class User(AbstractUser):
    """The platform's user; roles are per project (Membership), site staff may do everything."""

    class Meta:
        db_table = "user"


class RankingMode(models.TextChoices):
    PAIRWISE = "pairwise", "Pairwise with strength"
    RANKING = "ranking", "N-way ranking with ties"


def default_rubric() -> list[dict[str, Any]]:
    scale = {"min": 1, "max": 5}
    return [
        {
            "key": "correctness",
            "label": "Correctness",
            **scale,
            "help": "Does it do what the prompt asks, edge cases included?",
        },
        {"key": "efficiency", "label": "Efficiency", **scale, "help": "Time and memory for realistic inputs."},
        {"key": "readability", "label": "Readability", **scale, "help": "Names, structure, comments where they help."},
        {
            "key": "security",
            "label": "Security",
            **scale,
            "help": "Unsafe evaluation, injection, secrets, unbounded resources.",
        },
        {
            "key": "instruction_following",
            "label": "Instruction following",
            **scale,
            "help": "Signature, constraints and format as asked.",
        },
    ]


def default_comment_categories() -> list[dict[str, str]]:
    """What a line comment on a response can be about; a project may edit the list (keys stay stable)."""
    return [
        {"key": "bug", "label": "Bug"},
        {"key": "security", "label": "Security"},
        {"key": "performance", "label": "Performance"},
        {"key": "style", "label": "Style"},
        {"key": "explanation", "label": "Correctness of the explanation"},
        {"key": "other", "label": "Other"},
    ]


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: User) -> ProjectQuerySet:
        if user.is_staff:
            return self
        return self.filter(memberships__user=user)


class Project(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    instructions = models.TextField(blank=True, help_text="Markdown, shown to annotators.")
    rubric = models.JSONField(default=default_rubric)
    ranking_mode = models.CharField(max_length=16, choices=RankingMode.choices, default=RankingMode.PAIRWISE)
    overlap = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many distinct annotators judge each task.",
    )
    gold_share = models.FloatField(default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    review_sample_rate = models.FloatField(default=1.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    pay_rate_per_hour = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("25.00"))
    min_tests = models.PositiveSmallIntegerField(default=1, help_text="Tests an annotator must run before submitting.")
    min_rationale_chars = models.PositiveIntegerField(default=80)
    requires_ideal_solution = models.BooleanField(default=False)
    # New annotators first answer the project's gold tasks within a time limit; the score sets their level.
    qualification_required = models.BooleanField(default=False)
    qualification_minutes = models.PositiveSmallIntegerField(default=35)
    qualification_pass_score = models.FloatField(
        default=0.8, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    # [{"key", "label"}]: the categories an annotator picks from for a line comment.
    comment_categories = models.JSONField(default=default_comment_categories)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.slug


class Role(models.TextChoices):
    """Ordered: each role may do everything the roles before it may do."""

    ANNOTATOR = "annotator", "Annotator"
    REVIEWER = "reviewer", "Reviewer"
    LEAD = "lead", "Lead"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ANNOTATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} in {self.project}"


class TaskQuerySet(models.QuerySet["Task"]):
    def for_project(self, project: Project) -> TaskQuerySet:
        return self.filter(project=project)


class Task(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    external_id = models.CharField(max_length=200)
    prompt = models.TextField()
    # A conversation task: the turns before the responses, [{"role": "system"|"user"|"assistant",
    # "content"}], the last one the user's; each response is the next assistant turn. Empty for a
    # single-prompt task. `prompt` then holds the documented plain-text rendering of the thread.
    messages = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=16, choices=languages.choices)
    metadata = models.JSONField(default=dict, blank=True)
    gold_answer = models.JSONField(null=True, blank=True)
    # Places of the project's overlap held by active, submitted or returned assignments; kept exact
    # by annotation/work/queue.py under the task's row lock, so the claim needs no count over all tasks.
    taken = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a lead retires the task (e.g. after an annotator's flag): the queue never offers it again.
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "external_id"], name="task_external_id_unique_in_project"),
        ]
        indexes = [
            # the claim: open tasks of a project, fullest first, oldest first
            models.Index(fields=["project", "-taken", "id"], name="task_claim_order"),
        ]

    def __str__(self) -> str:
        return f"{self.project.slug}/{self.external_id}"


class Response(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="responses")
    label = models.CharField(max_length=1)
    model_name = models.CharField(max_length=200)
    code = models.TextField()

    class Meta:
        ordering = ["task", "label"]
        constraints = [models.UniqueConstraint(fields=["task", "label"], name="response_label_unique_in_task")]

    def __str__(self) -> str:
        return f"{self.task} {self.label}"
