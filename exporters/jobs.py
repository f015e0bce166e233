"""Celery jobs of the exporters: write one export."""

from celery import Task, shared_task

from exporters import services
from exporters.models import ExportJob


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_export(self: Task, job_id: int) -> None:
    """Write the dataset file of one export job (does nothing for a job already run)."""
    job = ExportJob.objects.filter(pk=job_id).select_related("project", "since").first()
    if job is not None:
        redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
        services.run_export(job=job, takeover=redelivered)
