"""A report's history notes were stored worded in the requester's language ("已申请",
"Requested again"); they become message keys, worded when shown. Anything else is kept as written.
The wordings are frozen here as they were."""

from django.db import migrations

NOTES = {
    "report.requested": ["已申请", "Requested"],
    "report.requested_again": ["重新申请", "Requested again"],
}


def forwards(apps, schema_editor):
    for model in ("ReportEvent", "SummaryEvent"):
        Event = apps.get_model("reports", model)
        for key, wordings in NOTES.items():
            Event.objects.filter(comment_key="", comment__in=wordings).update(comment_key=key)


class Migration(migrations.Migration):
    dependencies = [("reports", "0007_written_summary")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
