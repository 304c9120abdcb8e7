"""Mask the phone numbers that stored import error reports quote (issue 15 item 8).

``ImportRun.errors`` is kept for good and shown in the admin; refused rows used to quote a phone
as typed. New runs are masked when the error is made; this converts the rows already stored.
"""

from django.db import migrations


def mask_stored_errors(apps, schema_editor):
    from supervision.infra.imports.pipeline import mask_phones

    ImportRun = apps.get_model("supervision", "ImportRun")
    for run in ImportRun.objects.exclude(errors=[]).only("id", "errors").iterator(chunk_size=200):
        errors = [
            {**e, "message": mask_phones(e["message"])} if isinstance(e, dict) and isinstance(e.get("message"), str) else e
            for e in run.errors
        ]
        if errors != run.errors:
            ImportRun.objects.filter(pk=run.pk).update(errors=errors)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0006_transition_record_base")]

    operations = [migrations.RunPython(mask_stored_errors, migrations.RunPython.noop)]
