"""A round's finding whose round named no place was given the round's area as its location,
worded in the inspector's language ("病房" / "Ward"); it becomes the area's key
(``Finding.location_key`` "inspection.area" + the area's value), shown in the reader's language.
The written label stays in ``location`` (what is searched). Any other location — typed by a
person, a department's own name — is kept as written. The wordings are frozen here as they were.
"""

from django.db import migrations

AREAS = {
    "outpatient": ["门诊", "Outpatient hall"],
    "ward": ["病房", "Ward"],
    "emergency": ["急诊", "Emergency"],
    "registration": ["挂号处", "Registration window"],
    "billing": ["收费处", "Billing window"],
    "pharmacy": ["药房", "Pharmacy window"],
    "guidance": ["导医咨询台", "Guidance and consultation desk"],
    "appointment": ["预约窗口", "Appointment window"],
    "report_printing": ["报告打印处", "Report printing"],
    "support": ["后勤保障部门", "Support unit"],
}


def area_locations(apps):
    Finding = apps.get_model("supervision", "Finding")
    rows = Finding.objects.filter(source="inspection", location_key="")
    converted = 0
    for area, wordings in AREAS.items():
        converted += rows.filter(location__in=wordings).update(
            location_key="inspection.area", location_params={"area": area}
        )
    return converted


def forwards(apps, schema_editor):
    area_locations(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0016_photo_client_id"),
        ("supervision", "0025_finding_location_key"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
