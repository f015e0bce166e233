from django.apps import AppConfig
from django.db.models.signals import post_delete


class AnnotationConfig(AppConfig):
    name = "annotation"
    verbose_name = "Annotation"

    def ready(self) -> None:
        from annotation.celery import ensure_folders
        from annotation.work import queue
        from tasks.models import Membership

        # The embedded broker's folders, in every process that may send a job (not only a worker's): a
        # server started without `make run`, or one test on a fresh clone, failed its first job with
        # FileNotFoundError. A no-op for Redis.
        ensure_folders()

        # tasks/ knows nothing of assignments: a membership deleted anywhere gives its open work back here.
        post_delete.connect(queue.member_left, sender=Membership, dispatch_uid="annotation.member_left")
