"""A contact reveal's purpose was stored as words (the complaint handler's in their language, the
follow-up ones in English); it becomes the purpose's message key, worded when shown
(``RevealLog.purpose_text``). Anything else is kept as written and shown as written. The
wordings are frozen here as they were."""

from django.db import migrations

PURPOSES = {
    "reveal.complaint": ["办理投诉", "Handling the complaint"],
    "reveal.followup_call": ["follow-up call"],
    "reveal.followup_spotcheck": ["follow-up spot-check"],
}


def forwards(apps, schema_editor):
    RevealLog = apps.get_model("supervision", "RevealLog")
    for key, wordings in PURPOSES.items():
        RevealLog.objects.filter(purpose__in=wordings).update(purpose=key)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0022_user_email_mode_db_default")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
