"""The Django admin shows patients' numbers only masked (the pages that reveal them log it)."""

from django.urls import reverse

from followups.models import PatientFlag
from tests.factories import DischargeStayFactory


def _site_admin(user):
    # The demo's administrator also runs the Django admin (is_staff + superuser).
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def test_discharged_stay_admin_shows_phones_masked(client_for, administrator, neike):
    stay = DischargeStayFactory(department=neike, phone="13800138000", alt_phone="13900139000")
    client = client_for(_site_admin(administrator))
    for url in (
        reverse("admin:supervision_dischargestay_change", args=[stay.pk]),
        reverse("admin:supervision_dischargestay_changelist"),
    ):
        page = client.get(url).content.decode()
        assert "13800138000" not in page and "13900139000" not in page, url
    assert (
        "138****8000"
        in client.get(reverse("admin:supervision_dischargestay_change", args=[stay.pk])).content.decode()
    )


def test_patient_flag_admin_shows_the_name_and_phone_key_masked(client_for, administrator):
    flag = PatientFlag.objects.create(patient_key="张伟|13800138000", opted_out=True)
    client = client_for(_site_admin(administrator))
    for url in (
        reverse("admin:followups_patientflag_changelist"),
        reverse("admin:followups_patientflag_change", args=[flag.pk]),
    ):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200
        assert "13800138000" not in page, url
        assert "138****8000" in page, url
    found = client.get(reverse("admin:followups_patientflag_changelist"), {"q": "张伟|13800138000"})
    assert "138****8000" in found.content.decode()
