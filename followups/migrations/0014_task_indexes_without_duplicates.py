"""The task table's indexes whose columns begin another index's go: the foreign keys' own indexes on
stay, department, assigned_to and claimed_by (served by the unique (stay, point) constraint and by
fu_task_dept_status, fu_task_mine and fu_task_claimed), and patient_key's LIKE-pattern twin (no query
looks a key up by prefix). Every task written — a thousand each morning, and every open task whose
window passed — wrote them too (docs/performance.md → "The task table's indexes (stop 19)")."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0013_stay_followup_outcome_fill"),
        ("supervision", "0030_stay_followup_outcome_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="followuptask",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="followup_tasks",
                to=settings.AUTH_USER_MODEL,
                verbose_name="assigned to",
            ),
        ),
        migrations.AlterField(
            model_name="followuptask",
            name="claimed_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="followuptask",
            name="department",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="followup_tasks",
                to="supervision.department",
                verbose_name="department",
            ),
        ),
        migrations.AlterField(
            model_name="followuptask",
            name="patient_key",
            field=models.CharField(blank=True, max_length=96),
        ),
        migrations.AlterField(
            model_name="followuptask",
            name="stay",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="followup_tasks",
                to="supervision.dischargestay",
                verbose_name="stay",
            ),
        ),
        migrations.AddIndex(
            model_name="followuptask",
            index=models.Index(fields=["patient_key"], name="fu_task_patient_key"),
        ),
    ]
