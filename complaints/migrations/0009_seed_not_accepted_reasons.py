"""Seed the reasons a complaint is not accepted (不予受理), from the hospital's 首诉负责制 rules.

Administrators keep the list in the admin afterwards (rename, add, deactivate); this runs once.
"""

from django.db import migrations

REASONS = [
    ("anonymous", "匿名投诉且无法答复", 10),
    ("court_or_mediation", "已进入诉讼或调解程序", 20),
    ("repeated", "重复投诉且无新的事实和理由", 30),
    ("outside_remit", "不属于本院处理范围", 40),
]


def seed(apps, schema_editor):
    Reason = apps.get_model("complaints", "NotAcceptedReason")
    for code, name, order in REASONS:
        Reason.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0008_pause_reasons_ladder")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
