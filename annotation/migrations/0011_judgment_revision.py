from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce


def number_of_newest(apps, schema_editor):  # type: ignore[no-untyped-def]
    Judgment = apps.get_model("annotation", "Judgment")
    JudgmentRevision = apps.get_model("annotation", "JudgmentRevision")
    newest = (
        JudgmentRevision.objects.filter(judgment=OuterRef("pk"))
        .values("judgment")
        .annotate(n=Max("number"))
        .values("n")
    )
    Judgment.objects.update(revision=Coalesce(Subquery(newest), 0))


class Migration(migrations.Migration):
    dependencies = [("annotation", "0010_webhooks")]

    operations = [
        migrations.AddField(model_name="judgment", name="revision", field=models.PositiveIntegerField(default=0)),
        migrations.RunPython(number_of_newest, migrations.RunPython.noop),
    ]
