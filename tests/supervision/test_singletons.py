"""The three parameter tables (system, inspection, report) share one singleton base."""

from __future__ import annotations

import pytest

from inspections.models import InspectionSettings
from reports.models import ReportConfig
from supervision.models import SiteConfig

pytestmark = pytest.mark.django_db

SINGLETONS = [SiteConfig, InspectionSettings, ReportConfig]


@pytest.mark.parametrize("model", SINGLETONS)
def test_get_returns_the_one_row_with_its_defaults_and_saving_a_new_instance_edits_it(model):
    model.objects.all().delete()
    first = model.get()
    assert first.pk == 1 and model.get() == first
    model().save()  # e.g. the admin's add form: still the one row
    assert list(model.objects.values_list("pk", flat=True)) == [1]


@pytest.mark.parametrize("model", SINGLETONS)
def test_the_admin_edits_the_row_but_never_adds_a_second_or_deletes_it(model, admin_client):
    from django.contrib import admin

    model.get()
    model_admin = admin.site.get_model_admin(model)
    request = admin_client.get("/admin/").wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, model.get())
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/1/change/"
    assert admin_client.get(url).status_code == 200
