"""Users, projects and who may do what in them, comparison tasks and their candidate responses."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from pygments.lexers import find_lexer_class_by_name
from pygments.util import ClassNotFound

from sandbox import languages

MAX_RESPONSES = 8
MIN_RESPONSES = 2
RESPONSE_LABELS = "ABCDEFGH"
# The roles of a conversation task's turns (Task.messages), and how the pages and thread_text name them.
MESSAGE_ROLES = {"system": "System", "user": "User", "assistant": "Assistant"}


class User(AbstractUser):
    """The platform's user; roles are per project (Membership), site staff may do everything."""

    # Whether `email` was proven to be this account's: it accepted an invitation mailed there, or single
    # sign-on vouched for it. Only a verified address matches an account (single sign-on, email invites);
    # a typed one (a link invite's sign-up) is kept, but never trusted.
    email_verified = models.BooleanField(default=False)

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
    # Languages the project accepts on import (sandbox.languages names); empty: every language there is.
    allowed_languages = models.JSONField(default=list, blank=True)
    # Import metadata keys that exports may carry (`metadata.task_metadata`); every other key, such as
    # answer keys and reference tests, never leaves the platform. Empty: none.
    export_metadata_keys = models.JSONField(default=list, blank=True)
    # An archived project is read-only (no claims, submits or imports) and hidden from its annotators.
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # Site-wide (not per project): who may create projects, and so become their lead, without being staff.
        permissions = [("create_project", "Can create projects")]

    def __str__(self) -> str:
        return self.slug

    @property
    def archived_message(self) -> str | None:
        """Why an archived project refuses a change (every write path says the same); None if it is open."""
        return f"{self.name} is archived: it takes no more work" if self.archived_at is not None else None


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


def thread_text(messages: list[dict[str, str]]) -> str:
    """A conversation as plain text, the one rendering that Task.prompt stores and the exports' string
    prompts carry (README, "Conversation tasks"): each turn is its role's name and a colon on a line of
    its own ("User:"), then its content without trailing whitespace; a blank line between turns."""
    return "\n\n".join(f"{MESSAGE_ROLES.get(m['role'], m['role'])}:\n{m['content'].rstrip()}" for m in messages)


_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)")


def markdown_parts(text: str) -> list[tuple[str | None, str]]:
    """The text cut at its fenced code blocks, in order: (None, prose) and (tag, code), tag "" for an
    untagged block. CommonMark's rules: a fence is 3+ backticks or tildes after at most 3 spaces, closed
    by a line of at least as many of the same character; an unclosed block runs to the end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    parts: list[tuple[str | None, str]] = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.fullmatch(lines[i])
        if opening is None or (opening[2][0] == "`" and "`" in opening[3]):
            prose.append(lines[i])
            i += 1
            continue
        indent, fence, info = len(opening[1]), opening[2], opening[3].split()
        closing = re.compile(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*")
        body: list[str] = []
        i += 1
        while i < len(lines) and not closing.fullmatch(lines[i]):
            body.append(lines[i][min(indent, len(lines[i]) - len(lines[i].lstrip(" "))) :])
            i += 1
        i += 1  # past the closing fence
        if "".join(prose).strip():
            parts.append((None, "\n".join(prose)))
        prose = []
        parts.append((info[0].lower() if info else "", "\n".join(body)))
    if "".join(prose).strip():
        parts.append((None, "\n".join(prose)))
    return parts


@lru_cache(maxsize=256)
def is_language_tag(tag: str, language: str) -> bool:
    """Whether a fence's tag names `language`: untagged, the name itself, or an alias of it ("py", "js")."""
    if tag in ("", language):
        return True
    try:
        return find_lexer_class_by_name(tag) is find_lexer_class_by_name(language)
    except ClassNotFound:
        return False


def fenced_program(text: str, language: str) -> str | None:
    """The program of a prose answer: its fenced blocks in `language` (is_language_tag), joined in order
    with blank lines; "" when no block is in that language, None when the text has no fenced block."""
    blocks = [(tag, code) for tag, code in markdown_parts(text) if tag is not None]
    if not blocks:
        return None
    code = [body.strip("\n") for tag, body in blocks if is_language_tag(tag, language) and body.strip()]
    return "\n\n".join(code) + "\n" if code else ""


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
    # The queue offers higher priorities first (then the fullest task, then the oldest); leads set it.
    priority = models.SmallIntegerField(default=0)
    # Set when a lead retires the task (e.g. after an annotator's flag): the queue never offers it again.
    retired_at = models.DateTimeField(null=True, blank=True)
    # The conversation turns as the pages show them, rendered once at import (tasks/rendering.py):
    # {"language", "source" (a digest of the turns), "turns": [HTML, ...]}; pages trust it only at
    # render_version == rendering.RENDER_VERSION and for these very turns, else render afresh
    # (`manage.py rerender` brings old rows up to date).
    rendered = models.JSONField(default=dict, blank=True, editable=False)
    render_version = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "external_id"], name="task_external_id_unique_in_project"),
        ]
        indexes = [
            # the claim: open tasks of a project, highest priority first, then fullest, then oldest
            models.Index(fields=["project", "-priority", "-taken", "id"], name="task_claim_priority_order"),
        ]

    def __str__(self) -> str:
        return f"{self.project.slug}/{self.external_id}"

    @property
    def is_conversation(self) -> bool:
        return bool(self.messages)

    def program_of(self, answer: str) -> str:
        """What the sandbox runs for an answer to this task (a response, or an annotator's ideal one): in a
        conversation task an answer with fenced code is prose, and runs as fenced_program; else whole."""
        fenced = fenced_program(answer, self.language) if self.is_conversation else None
        return answer if fenced is None else fenced


class Response(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="responses")
    label = models.CharField(max_length=1)
    model_name = models.CharField(max_length=200)
    code = models.TextField()
    # The code panel's highlighted lines, rendered once at import (tasks/rendering.py): {"language",
    # "source" (a digest of the code), "lines": [HTML, ...]}, one per source line; trusted as Task.rendered is.
    rendered = models.JSONField(default=dict, blank=True, editable=False)
    render_version = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["task", "label"]
        constraints = [models.UniqueConstraint(fields=["task", "label"], name="response_label_unique_in_task")]

    def __str__(self) -> str:
        return f"{self.task} {self.label}"

    def program(self) -> str:
        """The program of this response, as its tests run it (Task.program_of)."""
        return self.task.program_of(self.code)


class Invite(models.Model):
    """An invitation to join a project with a role: to one email address, or a shareable link that up to
    max_uses people may accept. Only a hash of the token is stored; the link carries the token itself."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(blank=True)  # blank for a link invite
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ANNOTATOR)
    token_hash = models.CharField(max_length=64, unique=True)  # sha256 hex of the token
    max_uses = models.PositiveIntegerField(default=1)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invite to {self.project} as {self.role} ({self.email or 'link'})"


class AuditEvent(models.Model):
    """Who changed which project setting, role or membership, and when (tasks/audit.py records them)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=64)  # e.g. "project.updated", "member.role_changed"
    target = models.CharField(max_length=200, blank=True)  # e.g. the member's username
    changes = models.JSONField(default=dict, blank=True)  # {field: [old, new]}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"], name="auditevent_project_time")]

    def __str__(self) -> str:
        return f"{self.action} on {self.project} by {self.actor_id}"
