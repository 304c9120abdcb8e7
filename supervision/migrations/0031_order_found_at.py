"""A rectification order keeps its finding's moment (``found_at``, indexed), copied when it is issued: the
figures of the orders of a period's findings read them by this index instead of joining every order ever
issued to the period's findings (docs/performance.md → API figures, stop 19). The orders already kept get
their finding's moment (findings are never edited); one statement."""

from django.db import migrations, models


def copy_found_at(apps, schema_editor):
    # UPDATE … FROM: PostgreSQL, and SQLite since 3.33. Constant SQL.
    schema_editor.execute(
        "UPDATE supervision_rectificationorder SET found_at = f.found_at FROM supervision_finding AS f "
        "WHERE f.id = supervision_rectificationorder.finding_id"
    )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0030_stay_followup_outcome_index")]

    operations = [
        migrations.AddField(
            model_name="rectificationorder",
            name="found_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="found at"),
        ),
        migrations.RunPython(copy_found_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="rectificationorder",
            name="found_at",
            field=models.DateTimeField(db_index=True, editable=False, verbose_name="found at"),
        ),
    ]
