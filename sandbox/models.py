"""The engine's record of each suite it runs for a caller: input, who holds it, and the result.

It knows nothing of projects or judgments; the caller hears back through a Celery callback.
"""

from django.db import models


class Execution(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"  # result holds the RunResult, whatever its status
        LOST = "lost"  # the workers running it died too many times; result says so

    language = models.CharField(max_length=32)
    solution = models.TextField()
    tests = models.TextField()
    timeout = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)  # host:pid of the process running it
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    queue = models.CharField(max_length=100, blank=True)  # Celery queue of its job; blank: the default
    callback = models.JSONField(null=True, blank=True)  # a Celery signature, called with the result dict
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # the reaper: running executions whose lease has run out
            models.Index(fields=["state", "lease_expires_at"], name="execution_state_lease"),
        ]

    def __str__(self) -> str:
        return f"execution {self.pk} ({self.language}, {self.state})"
