"""Each questionnaire returned keeps, per dimension, the scale answers the figures count and the satisfied
ones (a valid form's; 0 for one that is not valid, whose answers count nowhere): the figures by dimension
add up the period's forms instead of counting every scale answer (docs/performance.md → API figures,
stop 19).

The forms already kept are counted from their answers as the figures counted them (scale answers with
``counted``, the form's validity), which never change after a form is written: one statement for every
form (at five years of a large hospital: 93,000 forms, 1,470,000 answers)."""

from django.db import migrations, models

# The dimensions as they were when this was written (surveys.models.Dimension) and the lowest satisfied
# score (surveys.models.SATISFIED_MIN: 满意 = 4).
DIMENSIONS = ("environment", "skill", "attitude", "logistics", "cost", "waiting", "overall")
SATISFIED_MIN = 4


def count_kept_forms(apps, schema_editor):
    counts = ", ".join(
        f"SUM(CASE WHEN dimension = '{d}' THEN 1 ELSE 0 END) AS counted_{d}, "
        f"SUM(CASE WHEN dimension = '{d}' AND scale_value >= {SATISFIED_MIN} THEN 1 ELSE 0 END) "
        f"AS satisfied_{d}"
        for d in DIMENSIONS
    )
    assign = ", ".join(
        f"counted_{d} = a.counted_{d}, satisfied_{d} = a.satisfied_{d}" for d in DIMENSIONS
    )
    # UPDATE … FROM: PostgreSQL, and SQLite since 3.33. Constant SQL (no input).
    schema_editor.execute(
        f"UPDATE surveys_surveyresponse SET {assign} FROM ("  # noqa: S608  # nosec B608: constant SQL, no input
        f"SELECT response_id, {counts} FROM surveys_answer WHERE scale_value IS NOT NULL AND counted "
        "GROUP BY response_id) AS a WHERE surveys_surveyresponse.id = a.response_id"
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0007_stored_texts_to_keys")]

    operations = [
        *(
            migrations.AddField(
                model_name="surveyresponse",
                name=f"{kind}_{d}",
                field=models.PositiveSmallIntegerField(default=0),
            )
            for d in DIMENSIONS
            for kind in ("counted", "satisfied")
        ),
        migrations.RunPython(count_kept_forms, migrations.RunPython.noop),
    ]
