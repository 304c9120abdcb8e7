from django.db import migrations

# The escalation ladder the office works by (issue 16): the deadline day a reminder to the
# department head, three days late the vice-president in charge (分管院长), a week late the
# hospital's weekly meeting list (院周会通报). Serious findings climb faster. Editable in the admin.
LADDER = [
    ("", 0, "head"),
    ("", 3, "vice_president"),
    ("", 7, "weekly_meeting"),
    ("serious", 0, "head"),
    ("serious", 1, "vice_president"),
    ("serious", 3, "weekly_meeting"),
]


def seed(apps, schema_editor):
    EscalationRung = apps.get_model("supervision", "EscalationRung")
    for severity, days, target in LADDER:
        EscalationRung.objects.get_or_create(severity=severity, days_overdue=days, defaults={"target": target})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0012_effectiveness_and_ladder")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
