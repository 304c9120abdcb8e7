"""An order keeps the instructions to the department on itself, for the order card the head reads.

Until now the instructions were only the comment of the order's issue step in the timeline; that comment
is copied onto the order, and the timeline row stays as it was (it is history)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Left


def copy_issue_comments(apps, schema_editor):
    Order = apps.get_model("supervision", "RectificationOrder")
    Transition = apps.get_model("supervision", "OrderTransition")
    # A person's own words only: a comment with a message key is a note the application wrote.
    issue_comments = Transition.objects.filter(action="issue", comment_key="").exclude(comment="")
    first = issue_comments.filter(order=OuterRef("pk")).order_by("at", "pk").values("comment")[:1]
    # One UPDATE, no history row: the order did not change, it only shows what it was issued with.
    Order.objects.filter(instructions="", pk__in=issue_comments.values("order_id")).update(
        instructions=Left(Subquery(first), 2000)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0009_stored_texts_to_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalrectificationorder",
            name="instructions",
            field=models.TextField(blank=True, max_length=2000, verbose_name="instructions to the department"),
        ),
        migrations.AddField(
            model_name="rectificationorder",
            name="instructions",
            field=models.TextField(blank=True, max_length=2000, verbose_name="instructions to the department"),
        ),
        migrations.RunPython(copy_issue_comments, migrations.RunPython.noop),
    ]
