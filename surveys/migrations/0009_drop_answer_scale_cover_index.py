"""The answers' covering index by date, dimension and department goes: since surveys 0008 the figures per
dimension read each form's stored counts, and no query reads scale answers by date (docs/performance.md →
"API figures (stop 19)"). Each scale answer written wrote it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0008_dimension_counts"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="answer",
            name="answer_scale_cover_idx",
        ),
    ]
