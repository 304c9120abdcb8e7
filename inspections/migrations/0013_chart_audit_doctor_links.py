"""A chart audit's responsible doctor is a roster link (issue 16 item 5): audits drawn before the
doctor was on the roster, or before the draw matched names, get the link by the same rule as the
draw — the one active staff member of that name in the audit's department, a doctor first when
several share it; no one or several of that name: no guess, the name as written is kept (it always
is, in ``doctor_name``). A problem chart's finding then names the doctor as staff involved, so it
counts on their record."""

from django.db import migrations


def link_doctors(apps, schema_editor):
    ChartAudit = apps.get_model("inspections", "ChartAudit")
    Staff = apps.get_model("supervision", "Staff")
    Attribution = apps.get_model("supervision", "Attribution")
    cache = {}
    for audit in ChartAudit.objects.filter(doctor__isnull=True).exclude(doctor_name="").iterator():
        name = audit.doctor_name.strip()
        key = (audit.department_id, name)
        if key not in cache:
            matches = list(
                Staff.objects.filter(department_id=audit.department_id, name=name, active=True).order_by(
                    "employee_no"
                )[:3]
            )
            doctors = [s for s in matches if s.position == "doctor"]
            if len(doctors) == 1:
                cache[key] = doctors[0].pk
            elif not doctors and len(matches) == 1:
                cache[key] = matches[0].pk
            else:
                cache[key] = None
        if cache[key]:
            ChartAudit.objects.filter(pk=audit.pk).update(doctor_id=cache[key])
    linked = ChartAudit.objects.filter(doctor__isnull=False, finding__isnull=False).values_list(
        "finding_id", "doctor_id"
    )
    have = set(Attribution.objects.values_list("finding_id", "staff_id"))
    Attribution.objects.bulk_create(
        [Attribution(finding_id=f, staff_id=s) for f, s in linked if (f, s) not in have], batch_size=500
    )


class Migration(migrations.Migration):

    dependencies = [
        ("inspections", "0012_scheduled_rounds"),
        ("supervision", "0019_attribution_disputes_patient_told"),
    ]

    operations = [migrations.RunPython(link_doctors, migrations.RunPython.noop)]
