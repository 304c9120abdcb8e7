"""Finding.staff_involved gets a model of its own (Attribution), on the same table: the state
changes, the database does not (Django's "changing a ManyToManyField to use a through model");
every existing link is kept as it is. The status and the history come in the next migration."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0017_siteconfig_letter_header'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Attribution',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('finding', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attributions', to='supervision.finding', verbose_name='finding')),
                        ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attributions', to='supervision.staff', verbose_name='staff member')),
                    ],
                    options={
                        'verbose_name': 'attribution',
                        'verbose_name_plural': 'attributions',
                        'db_table': 'supervision_finding_staff_involved',
                        'ordering': ['finding', 'id'],
                        'unique_together': {('finding', 'staff')},
                    },
                ),
                migrations.AlterField(
                    model_name='finding',
                    name='staff_involved',
                    field=models.ManyToManyField(blank=True, related_name='findings', through='supervision.Attribution', to='supervision.staff', verbose_name='staff involved'),
                ),
            ],
        ),
    ]
