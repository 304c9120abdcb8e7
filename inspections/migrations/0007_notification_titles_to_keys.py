"""This app's notification titles stored already worded (Chinese or English) become a message key +
parameters; a title that matches none of them is kept as written and still shown as written."""

from django.db import migrations


def forwards(apps, schema_editor):
    from inspections import texts
    from supervision.texts import convert_notification_titles

    convert_notification_titles(apps, texts.NOTIFICATION_TITLES)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0006_stored_text_keys"), ("supervision", "0009_stored_texts_to_keys")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
