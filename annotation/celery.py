"""The Celery application. Jobs live in each app's jobs.py, so that "task" always means a comparison task."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotation.settings")

app = Celery("annotation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")


@worker_init.connect
def _make_broker_folders(**_: object) -> None:
    """The file-system broker needs its folders before the first poll."""
    from annotation import broker

    broker.ensure_folders()
