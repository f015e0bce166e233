"""Export jobs: a dataset file written by a worker, with its manifest."""

from django.conf import settings
from django.db import models

from tasks.models import Project


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    class Mode(models.TextChoices):
        JUDGMENT = "judgment", "One row set per judgment"
        CONSENSUS = "consensus", "One consensus per task"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="exports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    format = models.CharField(max_length=32)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.JUDGMENT)
    filters = models.JSONField(default=dict, blank=True)
    gzip = models.BooleanField(default=False)
    since = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Judgments submitted up to this moment are in the export; an incremental export starts after it.
    cutoff = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)  # judgments read so far
    total = models.PositiveIntegerField(default=0)  # judgments to read
    row_count = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=500, blank=True)  # path under MEDIA_ROOT
    sha256 = models.CharField(max_length=64, blank=True)
    manifest = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.project} ({self.format}, {self.status})"

    @property
    def output(self) -> str:
        """jsonl, parquet or hf (a dataset folder, zipped); stored with the filters."""
        return str((self.filters or {}).get("output", "jsonl"))

    @property
    def filename(self) -> str:
        ending = {"parquet": ".parquet", "hf": ".zip"}.get(self.output, ".jsonl.gz" if self.gzip else ".jsonl")
        return f"{self.project.slug}-{self.format}-{self.pk}{ending}"

    @property
    def content_type(self) -> str:
        if self.output == "parquet":
            return "application/vnd.apache.parquet"
        if self.output == "hf":
            return "application/zip"
        return "application/gzip" if self.gzip else "application/jsonl"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else int(100 * self.progress / self.total) if self.total else 0
