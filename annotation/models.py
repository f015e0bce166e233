"""The annotator's work: assignments and the queue, judgments and their revisions, the annotator's
tests and their runs against every response, and activity (time on platform)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sandbox.models import Execution
from tasks.models import Response, Task


class Assignment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"  # claimed, leased to the annotator
        SUBMITTED = "submitted"
        SKIPPED = "skipped"
        EXPIRED = "expired"  # the lease ran out unused; the task went back to the pool
        RETURNED = "returned"  # sent back by a reviewer: first in the annotator's queue

    # Statuses that take one of the task's `overlap` places.
    HOLDING = (Status.ACTIVE, Status.SUBMITTED, Status.RETURNED)

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    response_order = models.JSONField(default=list)  # response labels in the order this annotator sees them
    skip_reason = models.TextField(blank=True)
    active_seconds = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "annotator"], name="one_assignment_per_task_annotator")]
        indexes = [
            # claim: the annotator's active/returned work, and counting a task's places
            models.Index(fields=["annotator", "status"], name="assignment_annotator_status"),
            models.Index(fields=["task", "status"], name="assignment_task_status"),
            # every claim first expires active leases past their time
            models.Index(fields=["status", "lease_expires_at"], name="assignment_status_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.task} for {self.annotator} ({self.status})"

    def display_label(self, label: str) -> str:
        """The letter this annotator sees for a response (their shuffled order, A first)."""
        return "ABCDEFGH"[self.response_order.index(label)]


class Judgment(models.Model):
    """The annotator's answer, saved as a draft while they work and submitted once."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="judgment")
    # Canonical response labels (tasks.Response.label), best group first; labels in one group tie.
    ranking = models.JSONField(default=list)
    strength = models.SmallIntegerField(null=True, blank=True)  # pairwise: -3 (first much better) .. 3
    ratings = models.JSONField(default=dict)  # {label: {dimension: score}}
    comments = models.JSONField(default=dict)  # {label: text}
    # Line-level review: [{"id", "label", "start", "end", "category", "severity", "text"}]; "id" is
    # made by the page and stays stable across saves, so reviewers' replies (CommentReply) keep their comment.
    line_comments = models.JSONField(default=list)
    rationale = models.TextField(blank=True)
    all_unacceptable = models.BooleanField(default=False)
    ideal_solution = models.TextField(blank=True)
    tests_code = models.TextField(blank=True)  # the annotator's test file as last edited
    evidence_conflict = models.BooleanField(default=False)  # ranked above a response that passed more tests
    evidence_note = models.TextField(blank=True)
    # The number of the newest JudgmentRevision (0 before the first): kept with the row, so a save reads
    # the revision it is checked against (a draft's base_revision) without counting the history.
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"judgment of {self.assignment}"


class CommentReply(models.Model):
    """A reviewer's (or the annotator's) reply in the thread of one line comment of a judgment."""

    judgment = models.ForeignKey(Judgment, on_delete=models.CASCADE, related_name="comment_replies")
    comment_id = models.CharField(max_length=64)  # Judgment.line_comments[*]["id"]
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_replies")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["judgment", "comment_id", "created_at", "id"]
        indexes = [models.Index(fields=["judgment", "comment_id"], name="commentreply_thread")]

    def __str__(self) -> str:
        return f"reply by {self.author_id} to {self.comment_id} of {self.judgment_id}"


class JudgmentRevision(models.Model):
    """Every save of a judgment, kept: drafts and the submission."""

    judgment = models.ForeignKey(Judgment, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    submitted = models.BooleanField(default=False)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["judgment", "number"], name="revision_number_unique")]
        ordering = ["judgment", "number"]

    def __str__(self) -> str:
        return f"revision {self.number} of {self.judgment_id}"


class TestCase(models.Model):
    """A snapshot of the annotator's test file, as it was when they ran it."""

    __test__ = False  # not a pytest class

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="test_cases")
    code = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"tests of {self.assignment_id} at {self.created_at:%Y-%m-%d %H:%M}"


class TestRun(models.Model):
    """One click of "Run tests": the test file against every response (and the ideal solution)."""

    __test__ = False  # not a pytest class

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="test_runs")
    test_case = models.ForeignKey(TestCase, on_delete=models.PROTECT, related_name="runs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.assignment_id}"


class TestResult(models.Model):
    """The run's test file against one response: the sandbox's verdict, test by test."""

    __test__ = False  # not a pytest class

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        PASSED = "passed"
        FAILED = "failed"
        ERROR = "error"
        TIMEOUT = "timeout"
        OOM = "oom"
        OUTPUT_LIMIT = "output_limit"
        UNAVAILABLE = "unavailable"

    PENDING = (Status.QUEUED, Status.RUNNING)

    test_run = models.ForeignKey(TestRun, on_delete=models.CASCADE, related_name="results")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, null=True, blank=True, related_name="test_results")
    is_ideal = models.BooleanField(default=False)  # run against the annotator's ideal solution
    execution = models.ForeignKey(Execution, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    tests = models.JSONField(default=list)  # [{name, outcome, duration_ms, message}]
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    stdout = models.TextField(blank=True)
    stderr = models.TextField(blank=True)
    message = models.TextField(blank=True)
    truncated = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(default=0)
    image_id = models.CharField(max_length=100, blank=True)
    # "isolated": the response ran apart from the tests and what judged them; "in-process": the test
    # file asked to share the response's process, so the response could have reached its verdict.
    trust = models.CharField(max_length=16, default="in-process")
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"run {self.test_run_id} on {'ideal' if self.is_ideal else self.response_id}: {self.status}"


class ActivityInterval(models.Model):
    """A stretch of active time, built from heartbeats; what annotators are paid for."""

    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity")
    assignment = models.ForeignKey(Assignment, on_delete=models.SET_NULL, null=True, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()

    class Meta:
        indexes = [
            # heartbeat: the annotator's latest interval; totals: intervals in a time range
            models.Index(fields=["annotator", "ended_at"], name="activity_annotator_end"),
        ]

    def __str__(self) -> str:
        return f"{self.annotator_id} active {self.started_at:%H:%M:%S}-{self.ended_at:%H:%M:%S}"


class HeartbeatTab(models.Model):
    """The last heartbeat sequence number seen from one browser tab, to drop duplicates and stragglers."""

    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    tab = models.CharField(max_length=64)
    last_seq = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["annotator", "tab"], name="heartbeat_tab_unique")]

    def __str__(self) -> str:
        return f"{self.annotator_id} tab {self.tab}"


class Review(models.Model):
    """A reviewer's verdict on a submitted judgment; every cycle is kept."""

    class Verdict(models.TextChoices):
        ACCEPT = "accept", "Accept"
        REJECT = "reject", "Reject"
        SEND_BACK = "send_back", "Send back"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_given")
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    feedback = models.TextField(blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # the judgment's quality, 1 to 5
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.verdict} of {self.assignment_id} by {self.reviewer_id}"


class TimesheetAdjustment(models.Model):
    """A lead's correction of an annotator's week, with a reason; kept apart from the measured time."""

    project = models.ForeignKey("tasks.Project", on_delete=models.CASCADE, related_name="timesheet_adjustments")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timesheet_adjustments"
    )
    week_start = models.DateField()  # a Monday
    seconds = models.IntegerField()  # may be negative
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["week_start", "annotator", "created_at"]

    def __str__(self) -> str:
        return f"{self.seconds:+d} s for {self.annotator_id} in week {self.week_start}"


class Qualification(models.Model):
    """An annotator's assessment on a project: the gold tasks within a time limit, scored automatically."""

    class Level(models.TextChoices):
        PENDING = "pending"  # under way
        FAILED = "failed"
        QUALIFIED = "qualified"
        EXPERT = "expert"

    project = models.ForeignKey("tasks.Project", on_delete=models.CASCADE, related_name="qualifications")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualifications")
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.PENDING)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "annotator"], name="one_qualification_per_project")]

    def __str__(self) -> str:
        return f"{self.annotator_id} on {self.project_id}: {self.level}"


class TaskFlag(models.Model):
    """An annotator's report that a task cannot be judged as it stands, instead of a judgment. The task
    is held out of the queue while a flag of it is open; the lead re-releases it (after fixing it) or
    retires it for good."""

    class Reason(models.TextChoices):
        UNDERSPECIFIED = "underspecified", "The prompt is underspecified"
        CONTRADICTORY = "contradictory", "The prompt is contradictory"
        TRUNCATED = "truncated", "A response is truncated"
        IDENTICAL = "identical", "The responses are identical"
        MISSING_KNOWLEDGE = "missing_knowledge", "It needs knowledge the task does not give"
        OTHER = "other", "Other (say what in the note)"

    class Resolution(models.TextChoices):
        RELEASED = "released"
        RETIRED = "retired"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="flags")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="flags")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_flags")
    reason = models.CharField(max_length=32, choices=Reason.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)

    class Meta:
        indexes = [models.Index(fields=["task", "resolved_at"], name="taskflag_task_open")]

    def __str__(self) -> str:
        return f"{self.task} flagged {self.reason} by {self.annotator}"


class WebhookEndpoint(models.Model):
    """A URL a project's lead registered to be told of the events it subscribes to, signed with its secret."""

    project = models.ForeignKey("tasks.Project", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)  # event names, e.g. ["judgment.submitted", "export.finished"]
    secret = models.CharField(max_length=80)  # the HMAC key; stored as is, since signing needs it
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        # emit(): the active endpoints of one project, on every state change that has an event
        indexes = [models.Index(fields=["project", "active"], name="webhook_endpoint_project")]

    def __str__(self) -> str:
        return f"{self.url} ({self.project_id})"


class WebhookDelivery(models.Model):
    """One event for one endpoint, retried until it is delivered or its window closes. A redelivery is a
    new row with the same event_id and payload, so receivers deduplicate on the id."""

    class Status(models.TextChoices):
        PENDING = "pending"  # not tried yet
        DELIVERED = "delivered"  # a 2xx answer
        FAILED = "failed", "failed, will retry"  # another attempt is due at next_attempt_at
        GAVE_UP = "gave_up", "gave up"  # failed until its window closed (or its endpoint was deactivated)

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64)
    event_id = models.UUIDField()  # the X-Webhook-Id: the same for every attempt and redelivery
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # None once delivered or given up
    created_at = models.DateTimeField(auto_now_add=True)  # the retry window starts here
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the sweep: deliveries still to try whose next attempt is due
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            # the endpoint's log, newest first
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} to {self.endpoint_id}: {self.status}"


class WebhookAttempt(models.Model):
    """One POST of a delivery and what came back, so the log shows every try, not only the last."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    response_body = models.TextField(blank=True)  # the head only (WEBHOOK_LOG_BODY_CHARS)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="one_webhook_attempt_per_number")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.response_code or self.error}"
