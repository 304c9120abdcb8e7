"""A partial index of the decided attributions by person: a head's "disputes answered" (on "needs me now"
and the dashboard) read from their department's people's decided attributions instead of a scan of every
attribution kept (docs/performance.md → "Dashboards (stop 22)"). Small: only upheld and withdrawn rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0032_stay_discharged_month"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="attribution",
            index=models.Index(
                condition=models.Q(("status__in", ["upheld", "withdrawn"])),
                fields=["staff"],
                name="attribution_decided",
            ),
        ),
    ]
