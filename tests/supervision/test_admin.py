"""The Django admin works for every registered model, in Chinese."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

MODELS = [(m._meta.app_label, m._meta.model_name) for m in admin.site._registry]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize(("app_label", "model_name"), MODELS)
def test_admin_changelist_and_add_pages_open(client, superuser, app_label, model_name):
    client.force_login(superuser)
    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    model_admin = admin.site._registry[
        next(
            m
            for m in admin.site._registry
            if m._meta.model_name == model_name and m._meta.app_label == app_label
        )
    ]
    if model_admin.has_add_permission(changelist.wsgi_request):
        assert client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 200


def test_admin_speaks_chinese(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:index")).content.decode()
    assert "整改单" in html and "问题台账" in html
