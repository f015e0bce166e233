"""The Celery application and its broker (folders for the embedded transport, a health check).
Jobs live in each app's jobs.py, so that "task" always means a comparison task."""

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotation.settings")

app = Celery("annotation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")
app.autodiscover_tasks(["annotation.webhooks"], related_name="jobs")  # a room, not an installed app

from annotation.ops import logs  # noqa: E402, F401 - connects a log line per job to Celery's signals


def ensure_folders() -> None:
    """Create the embedded (file-system) broker's folders; a no-op for Redis. Every process makes them
    when Django starts (annotation/apps.py), a worker included (Celery's Django fixup sets Django up)."""
    options: dict[str, object] = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in options:
            settings.VAR_DIR.joinpath(str(options[key])).mkdir(parents=True, exist_ok=True)
    if settings.CELERY_RESULT_BACKEND.startswith("file://"):
        settings.VAR_DIR.joinpath(settings.CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(
            parents=True, exist_ok=True
        )


def check_broker(timeout: int = 3) -> None:
    """Raise if the broker cannot be reached within `timeout` seconds."""
    ensure_folders()
    with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
        connection.ensure_connection(max_retries=1, timeout=timeout)
