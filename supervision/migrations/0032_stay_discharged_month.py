# The stay's month of discharge as a stored generated column, and in the index the follow-up figures
# read (docs/performance.md → API figures, stop 21). On PostgreSQL the ADD COLUMN rewrites the stays
# table under an exclusive lock (~12 s at 1,000,000 stays, measured); the index is dropped first so
# that the rewrite does not rebuild it, and built once over the final rows. Run
# ``VACUUM ANALYZE supervision_dischargestay`` afterwards (the index-only scan needs the visibility map).

import supervision.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0031_order_found_at'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='dischargestay',
            name='stay_followup_outcome',
        ),
        migrations.AddField(
            model_name='dischargestay',
            name='discharged_month',
            field=models.GeneratedField(db_persist=True, expression=supervision.models.FirstOfMonth('discharged_on'), output_field=models.DateField(), verbose_name='month of discharge'),
        ),
        migrations.AddIndex(
            model_name='dischargestay',
            index=models.Index(fields=['discharged_on', 'department', 'discharged_month', 'followup_due', 'followup_attempted', 'followup_reached'], name='stay_followup_outcome'),
        ),
    ]
