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
