# Index-only migration (benchmarks, issue 8): the call list orders every task by due date, newest first.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="followuptask",
            index=models.Index(fields=["due_on", "id"], name="fu_task_due_id"),
        ),
    ]
