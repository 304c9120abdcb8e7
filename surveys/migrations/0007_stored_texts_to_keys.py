"""A campaign the schedule closed had the note "period ended" (in English whatever the site's
language); it becomes a message key, worded when shown. Any other note is kept as written."""

from django.db import migrations


def forwards(apps, schema_editor):
    CampaignTransition = apps.get_model("surveys", "CampaignTransition")
    CampaignTransition.objects.filter(comment_key="", comment="period ended").update(
        comment_key="campaign.period_ended"
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0006_alert_thresholds")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
