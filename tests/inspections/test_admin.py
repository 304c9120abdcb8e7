"""Admin: checklist versions are edited by copying, never in place; settings are validated."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspections.models import ChecklistTemplate, InspectionSettings, TemplateStatus
from supervision.models import Role
from tests.factories import UserFactory


@pytest.fixture
def staff_admin(db):
    user = UserFactory(username="root", roles=[Role.ADMINISTRATOR])
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_admin_actions_make_and_publish_a_new_version(client, staff_admin):
    client.force_login(staff_admin)
    ward = ChecklistTemplate.objects.get(code="ward", status=TemplateStatus.PUBLISHED)
    url = reverse("admin:inspections_checklisttemplate_changelist")
    assert client.get(url).status_code == 200
    client.post(url, {"action": "new_version", "_selected_action": [ward.pk]})
    draft = ChecklistTemplate.objects.get(code="ward", version=2)
    assert draft.status == TemplateStatus.DRAFT and draft.items.count() == ward.items.count()
    client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    ward.refresh_from_db()
    draft.refresh_from_db()
    assert (ward.status, draft.status) == (TemplateStatus.RETIRED, TemplateStatus.PUBLISHED)


def test_published_version_is_read_only_in_the_admin(client, staff_admin):
    client.force_login(staff_admin)
    ward = ChecklistTemplate.objects.get(code="ward", status=TemplateStatus.PUBLISHED)
    page = client.get(reverse("admin:inspections_checklisttemplate_change", args=[ward.pk])).content.decode()
    assert 'name="items-0-text"' not in page


def test_grade_thresholds_must_be_in_order(db):
    config = InspectionSettings.get()
    config.grade_b_min = 95
    with pytest.raises(ValidationError):
        config.full_clean()


def _change_form_data(template, items, **overrides):
    data = {
        "code": template.code,
        "name": template.name,
        "area": template.area,
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        data.update(
            {
                f"items-{i}-id": str(item.pk),
                f"items-{i}-template": str(template.pk),
                f"items-{i}-sort_order": str(item.sort_order),
                f"items-{i}-category": str(item.category_id),
                f"items-{i}-text": item.text,
                f"items-{i}-guidance": item.guidance,
                f"items-{i}-kind": item.kind,
            }
        )
    data.update(overrides)
    return data


def test_admin_edits_a_draft_versions_items_through_the_service(client, staff_admin, monkeypatch):
    from inspections import services

    client.force_login(staff_admin)
    ward = ChecklistTemplate.objects.get(code="ward", status=TemplateStatus.PUBLISHED)
    draft = services.template_new_version(template=ward, actor=staff_admin)
    items = list(draft.items.order_by("sort_order", "id"))
    calls = []
    real = services.checklist_items_change
    monkeypatch.setattr(services, "checklist_items_change", lambda **kw: calls.append(kw) or real(**kw))
    url = reverse("admin:inspections_checklisttemplate_change", args=[draft.pk])
    response = client.post(url, _change_form_data(draft, items, **{"items-0-text": "新版检查项"}))
    assert response.status_code == 302
    assert draft.items.get(pk=items[0].pk).text == "新版检查项"
    assert len(calls) == 1 and calls[0]["template"].pk == draft.pk
    assert ward.items.filter(text="新版检查项").count() == 0
