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


@pytest.mark.parametrize("model", SINGLETONS)
def test_get_reads_the_row_as_the_orm_does_in_one_query(model, django_assert_num_queries):
    from django.forms.models import model_to_dict

    model.get()
    model.objects.filter(pk=1).update(**_changed(model))
    with django_assert_num_queries(1):
        read = model.get()  # SiteConfig on the cursor (plain columns), the others through the ORM
    stored = model.objects.get(pk=1)
    assert model_to_dict(read) == model_to_dict(stored) and not read._state.adding
    read.save()  # an instance like any other: saving it keeps the one row
    assert model.objects.count() == 1


def _changed(model) -> dict:
    """One integer field of ``model`` set away from its default."""
    field = next(f for f in model._meta.concrete_fields if f.get_internal_type().startswith("Positive"))
    return {field.attname: field.get_default() + 1}
