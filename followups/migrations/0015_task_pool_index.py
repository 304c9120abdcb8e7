"""A partial index for the pool of unassigned tasks to do, oldest first (followups.selectors.pool_tasks)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0014_task_indexes_without_duplicates"),
        ("supervision", "0031_order_found_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="followuptask",
            index=models.Index(
                condition=models.Q(("assigned_to__isnull", True), ("status", "pending")),
                fields=["due_on", "id"],
                name="fu_task_pool",
            ),
        ),
    ]
