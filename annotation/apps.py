from django.apps import AppConfig
from django.db.models.signals import post_delete


class AnnotationConfig(AppConfig):
    name = "annotation"
    verbose_name = "Annotation"

    def ready(self) -> None:
        from annotation.work import queue
        from tasks.models import Membership

        # tasks/ knows nothing of assignments: a membership deleted anywhere gives its open work back here.
        post_delete.connect(queue.member_left, sender=Membership, dispatch_uid="annotation.member_left")
