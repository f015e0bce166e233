from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

HOLDING = ("active", "submitted", "returned")


def recount(apps, schema_editor):
    Task = apps.get_model("tasks", "Task")
    Assignment = apps.get_model("annotation", "Assignment")
    held = (
        Assignment.objects.filter(task=OuterRef("pk"), status__in=HOLDING)
        .values("task")
        .annotate(n=Count("id"))
        .values("n")
    )
    Task.objects.update(taken=Coalesce(Subquery(held), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("annotation", "0001_work"),
        ("tasks", "0002_task_taken"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
