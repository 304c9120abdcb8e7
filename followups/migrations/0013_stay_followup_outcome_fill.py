"""Fill the stays' follow-up outcome flags (``DischargeStay.followup_due`` / ``_attempted`` /
``_reached``, added by ``supervision 0029``) from their tasks, before ``supervision 0030`` indexes them.

One ``UPDATE … FROM`` over the tasks grouped per stay sets the three flags together: each stay with a
task is written once (one new row version, not three), stays without one keep their default (false),
and no row passes through Python — at 1,000,000 stays this is the migration's whole cost
(docs/performance.md → "Follow-up figures (stop 19)"). The same SQL on SQLite (3.33+ has UPDATE FROM).
"""

from django.db import migrations


def fill(apps, schema_editor):
    stays = apps.get_model("supervision", "DischargeStay")._meta.db_table
    tasks = apps.get_model("followups", "FollowupTask")._meta.db_table
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(stays)} SET followup_due = TRUE,"  # noqa: S608  # nosec B608: table names from the models
            " followup_attempted = t.attempted, followup_reached = t.reached"
            " FROM (SELECT stay_id,"
            " MAX(CASE WHEN attempt_count > 0 THEN 1 ELSE 0 END) = 1 AS attempted,"
            " MAX(CASE WHEN contacted THEN 1 ELSE 0 END) = 1 AS reached"
            f" FROM {quote(tasks)} GROUP BY stay_id) AS t"
            f" WHERE {quote(stays)}.id = t.stay_id"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0012_import_job_reports_to_keys"),
        ("supervision", "0029_stay_followup_outcome"),
    ]
    run_before = [("supervision", "0030_stay_followup_outcome_index")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
