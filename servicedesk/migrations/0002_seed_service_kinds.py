from django.db import migrations

# The small services a customer-service centre's summary names; administrators add more in the admin.
KINDS = ["轮椅", "平车", "打印", "复印", "失物招领", "充电", "缝补", "雨伞", "热水", "老花镜", "针线", "寄存"]


def seed(apps, schema_editor):
    ServiceKind = apps.get_model("servicedesk", "ServiceKind")
    for order, name in enumerate(KINDS, 1):
        ServiceKind.objects.get_or_create(name=name, defaults={"sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
