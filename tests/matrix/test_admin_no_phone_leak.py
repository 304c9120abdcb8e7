"""Issue 15 item 3: the Django admin showed a patient's full phone (a follow-up task's name|phone key).

Every model registered in the admin is opened — its list and the change (or view) page of each
of its objects in the matrix world — as a site administrator; no page may hold a full phone
number of a patient or complainant. A model added to the admin later is walked too.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from followups.models import FollowupTask, PatientFlag
from supervision.models import DischargeStay
from tests.matrix.test_no_phone_leak import _phones, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

OBJECTS_PER_MODEL = 3


def test_no_admin_page_shows_a_full_phone_number(world, client, administrator):  # noqa: F811
    stay = DischargeStay.objects.exclude(phone="").first()
    PatientFlag.objects.create(patient_key=f"{stay.patient_name}|{stay.phone}", opted_out=True)
    assert FollowupTask.objects.exclude(patient_key="").exists()  # the page that leaked
    phones = _phones()
    assert phones
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    opened = 0
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls = [reverse("admin:{}_{}_changelist".format(*info))]
        for pk in model_admin.get_queryset(_request(administrator)).values_list("pk", flat=True)[
            :OBJECTS_PER_MODEL
        ]:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            leaked = [p for p in phones if p in page]
            assert not leaked, f"{url} shows {leaked}"
            opened += 1
    assert opened > len(admin.site._registry)  # change pages were opened, not only lists


def test_the_follow_up_task_admin_shows_the_patient_masked(client, administrator):
    from tests.followups.factories import make_task

    task = make_task(stay_kw={"patient_name": "张伟", "phone": "13800138000"})
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    page = client.get(reverse("admin:followups_followuptask_change", args=[task.pk])).content.decode()
    assert "13800138000" not in page and "张伟|" not in page
    assert "张* 138****8000" in page


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request
