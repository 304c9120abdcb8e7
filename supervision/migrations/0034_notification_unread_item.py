"""A partial index of a recipient's unread notices by page: the navbar badge's "unread notice about this page"
probe on every page and read-on-open, which PostgreSQL answered with a scan of the whole notification table
when many notices, read or not, carry the page's item (a year of alert notices on /alerts/). Small: unread rows
only; built in well under a second for a few hundred thousand notices."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0033_attribution_decided_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True)),
                fields=["recipient", "item"],
                name="notification_unread_item",
            ),
        ),
    ]
