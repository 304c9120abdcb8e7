# The index of the follow-up counts, built after the follow-up channel filled the flags (followups
# 0013 runs before this one): one build over the final rows instead of an index kept up to date
# through the fill's update of every stay.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0029_stay_followup_outcome'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='dischargestay',
            index=models.Index(fields=['discharged_on', 'department', 'followup_due', 'followup_attempted', 'followup_reached'], name='stay_followup_outcome'),
        ),
    ]
