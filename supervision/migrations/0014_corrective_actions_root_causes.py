"""Root-cause analysis and several corrective actions per order; where a supervisor's finding was made.

Seeds the cause categories; turns each order's one corrective-action text into its first action
(done when it was submitted, by the head who submitted it); puts each piece of order evidence in the
submission round it was uploaded in. The order's old text column stays, so its history still reads.
"""


import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


CAUSE_CATEGORIES = [
    ("staff", "人员"),
    ("policy", "制度"),
    ("process", "流程"),
    ("equipment", "设备设施"),
    ("environment", "环境"),
    ("communication", "沟通"),
    ("other", "其他"),
]


def seed_cause_categories(apps, schema_editor):
    CauseCategory = apps.get_model("supervision", "CauseCategory")
    for order, (code, name) in enumerate(CAUSE_CATEGORIES, 1):
        CauseCategory.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})


def _returns_before(returns: list, moment) -> int:
    return sum(1 for at in returns if moment is None or at <= moment)


def actions_from_texts(apps, schema_editor):
    Order = apps.get_model("supervision", "RectificationOrder")
    OrderTransition = apps.get_model("supervision", "OrderTransition")
    CorrectiveAction = apps.get_model("supervision", "CorrectiveAction")
    ActionTransition = apps.get_model("supervision", "CorrectiveActionTransition")
    Attachment = apps.get_model("supervision", "Attachment")
    returns: dict[int, list] = {}
    submits: dict[int, object] = {}
    for t in OrderTransition.objects.filter(action__in=("return", "submit")).order_by("at", "id"):
        if t.action == "return":
            returns.setdefault(t.order_id, []).append(t.at)
        else:
            submits[t.order_id] = t  # the last submission
    for order in Order.objects.exclude(corrective_action="").iterator(chunk_size=500):
        submit = submits.get(order.pk)
        at = order.submitted_at or (submit.at if submit else order.issued_at)
        action = CorrectiveAction.objects.create(
            order=order,
            description=order.corrective_action,
            due_date=order.deadline,
            status="done",
            done_at=at,
            round=_returns_before(returns.get(order.pk, []), at) + 1,
            created_by_id=submit.actor_id if submit else None,
            created_at=at,
        )
        ActionTransition.objects.create(
            corrective_action=action,
            at=at,
            action="add",
            from_status="",
            to_status="done",
            actor_id=submit.actor_id if submit else None,
        )
    for attachment in Attachment.objects.filter(order__isnull=False).iterator(chunk_size=500):
        attachment.round = _returns_before(returns.get(attachment.order_id, []), attachment.uploaded_at) + 1
        attachment.save(update_fields=["round"])


def texts_from_actions(apps, schema_editor):
    """Backwards: the actions go with their table; the order's own text column never changed."""


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0013_seed_ladder'),
    ]

    operations = [
        migrations.CreateModel(
            name='CauseCategory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=32, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=64, unique=True, verbose_name='name')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('sort_order', models.PositiveIntegerField(default=0, verbose_name='order')),
            ],
            options={
                'verbose_name': 'cause category',
                'verbose_name_plural': 'cause categories',
                'ordering': ['sort_order', 'code'],
            },
        ),
        migrations.AddField(
            model_name='attachment',
            name='round',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='submission round'),
        ),
        migrations.AddField(
            model_name='finding',
            name='origin',
            field=models.CharField(blank=True, choices=[('round', 'On-site round'), ('walk_by', 'Walk-by'), ('meeting', 'Meeting'), ('other', 'Other')], max_length=16, verbose_name='found during'),
        ),
        migrations.AddField(
            model_name='historicalfinding',
            name='origin',
            field=models.CharField(blank=True, choices=[('round', 'On-site round'), ('walk_by', 'Walk-by'), ('meeting', 'Meeting'), ('other', 'Other')], max_length=16, verbose_name='found during'),
        ),
        migrations.AddField(
            model_name='historicalrectificationorder',
            name='why_chain',
            field=models.JSONField(blank=True, default=list, verbose_name='why-chain'),
        ),
        migrations.AddField(
            model_name='rectificationorder',
            name='why_chain',
            field=models.JSONField(blank=True, default=list, verbose_name='why-chain'),
        ),
        migrations.AddField(
            model_name='rectificationorder',
            name='cause_categories',
            field=models.ManyToManyField(blank=True, related_name='orders', to='supervision.causecategory', verbose_name='cause categories'),
        ),
        migrations.CreateModel(
            name='CorrectiveAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('description', models.TextField(max_length=2000, verbose_name='action')),
                ('due_date', models.DateField(verbose_name='due date')),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('in_progress', 'In progress'), ('done', 'Done')], default='planned', max_length=16, verbose_name='status')),
                ('result', models.TextField(blank=True, max_length=2000, verbose_name='what was done')),
                ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done at')),
                ('round', models.PositiveSmallIntegerField(default=1, verbose_name='submission round')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='supervision.rectificationorder', verbose_name='order')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='corrective_actions', to='supervision.staff', verbose_name='owner')),
            ],
            options={
                'verbose_name': 'corrective action',
                'verbose_name_plural': 'corrective actions',
                'ordering': ['order', 'id'],
            },
        ),
        migrations.AddField(
            model_name='attachment',
            name='corrective_action',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='supervision.correctiveaction'),
        ),
        migrations.CreateModel(
            name='CorrectiveActionTransition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                ('action', models.CharField(blank=True, max_length=32, verbose_name='action')),
                ('from_status', models.CharField(blank=True, max_length=16, verbose_name='from')),
                ('to_status', models.CharField(max_length=16, verbose_name='to')),
                ('comment', models.TextField(blank=True, max_length=4000, verbose_name='comment')),
                ('comment_key', models.CharField(blank=True, max_length=64)),
                ('comment_params', models.JSONField(blank=True, default=dict)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('corrective_action', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='transitions', to='supervision.correctiveaction')),
            ],
            options={
                'verbose_name': 'corrective action transition',
                'verbose_name_plural': 'corrective action transitions',
                'ordering': ['at', 'id'],
                'abstract': False,
            },
        ),
        migrations.RunPython(seed_cause_categories, migrations.RunPython.noop),
        migrations.RunPython(actions_from_texts, texts_from_actions),
    ]
