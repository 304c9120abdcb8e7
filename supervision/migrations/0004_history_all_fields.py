# Historical rows keep every field: excluded fields made each history record re-read the
# live row (one query per record on the detail page).
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_reveal_log")]

    operations = [
        migrations.AddField(
            model_name="historicalfinding",
            name="number",
            field=models.CharField(db_index=True, default="", editable=False, max_length=20, verbose_name="number"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalfinding",
            name="created_at",
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, editable=False, verbose_name="created at"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalrectificationorder",
            name="number",
            field=models.CharField(db_index=True, default="", editable=False, max_length=20, verbose_name="number"),
            preserve_default=False,
        ),
    ]
