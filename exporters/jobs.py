"""Celery jobs of the exporters: write one export."""

from annotation.celery import app
from exporters import services
from exporters.models import ExportJob


@app.task(acks_late=True, ignore_result=True)
def run_export(job_id: int) -> None:
    """Write the dataset file of one export job (does nothing for a job already run)."""
    job = ExportJob.objects.filter(pk=job_id).select_related("project", "since").first()
    if job is not None:
        services.run_export(job=job)
