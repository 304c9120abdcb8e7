"""Pages of the core: who may see what, 404 across departments, query counts that do not grow."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from supervision.infra.uploads import clean_upload
from supervision.models import Attachment, Finding, OrderStatus, RectificationOrder
from supervision.services import order_acknowledge, order_submit
from tests.factories import make_finding, moment


def _png(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}  # GPS IFD
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def findings(neike, waike, supervisor):
    return {
        "neike": make_finding(department=neike, found_by=supervisor),
        "waike": make_finding(department=waike, found_by=supervisor, category_code="hygiene"),
    }


# --- finding detail and list ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "target", "status"),
    [
        ("supervisor", "neike", 200),
        ("supervisor", "waike", 200),
        ("administrator", "waike", 200),
        ("head_neike", "neike", 200),
        ("head_neike", "waike", 404),
        ("head_waike", "neike", 404),
        ("volunteer", "neike", 404),  # volunteers see only what they submitted
        ("caller", "neike", 404),
    ],
)
def test_finding_detail_is_scoped_to_the_readers_departments(
    client_for, request, findings, persona, target, status
):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("finding_detail", args=[findings[target].pk]))
    assert response.status_code == status


def test_anonymous_is_sent_to_login(client, findings):
    response = client.get(reverse("finding_detail", args=[findings["neike"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_department_head_lists_only_own_department(client_for, findings, head_neike):
    response = client_for(head_neike).get(reverse("finding_list"))
    assert response.status_code == 200
    page = list(response.context["page"])
    assert [f.pk for f in page] == [findings["neike"].pk]


def test_volunteer_sees_own_submissions_only(client_for, findings, volunteer, neike):
    own = make_finding(department=neike, found_by=volunteer, needs_rectification=False)
    response = client_for(volunteer).get(reverse("finding_list"))
    assert [f.pk for f in response.context["page"]] == [own.pk]
    assert client_for(volunteer).get(reverse("finding_detail", args=[own.pk])).status_code == 200


def test_finding_list_filters_by_overdue_and_category(client_for, supervisor, findings):
    RectificationOrder.objects.filter(pk=findings["waike"].order.pk).update(deadline="2020-01-01")
    client = client_for(supervisor)
    rows = client.get(reverse("finding_list"), {"overdue": "true"}).context["page"]
    assert [f.pk for f in rows] == [findings["waike"].pk]
    rows = client.get(reverse("finding_list"), {"category": findings["neike"].category_id}).context["page"]
    assert [f.pk for f in rows] == [findings["neike"].pk]


def test_finding_list_htmx_request_gets_the_table_partial(client_for, supervisor, findings):
    response = client_for(supervisor).get(reverse("finding_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert findings["neike"].number in response.content.decode()


def _make_rows(n, department, user):
    for _ in range(n):
        make_finding(department=department, found_by=user)


@pytest.mark.parametrize("persona", ["supervisor", "administrator", "head_neike", "volunteer"])
def test_finding_list_query_count_does_not_grow_with_rows(
    client_for, request, django_assert_num_queries, neike, supervisor, persona
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    _make_rows(3, neike, supervisor)
    client.get(reverse("finding_list"))  # warm caches (content types, config)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("finding_list"))
    _make_rows(12, neike, supervisor)
    with django_assert_num_queries(len(few)):
        client.get(reverse("finding_list"))


def test_dashboard_says_when_its_department_table_shows_only_the_worst(
    client_for, supervisor, monkeypatch, neike, waike
):
    from supervision import views

    make_finding(department=neike, found_by=supervisor)
    html = client_for(supervisor).get(reverse("dashboard")).content.decode()
    assert "超期和未完成整改单最多的" not in html  # every department with orders is shown: nothing to say
    make_finding(department=waike, found_by=supervisor)
    monkeypatch.setattr(views, "DASHBOARD_DEPARTMENT_ROWS", 1)
    html = client_for(supervisor).get(reverse("dashboard")).content.decode()
    assert "超期和未完成整改单最多的 1 个科室（共 2 个科室有整改单）" in html


@pytest.mark.parametrize(
    "persona", ["supervisor", "administrator", "head_neike", "head_waike", "volunteer", "caller"]
)
def test_dashboard_query_count_does_not_grow_with_rows(
    client_for, request, django_assert_num_queries, neike, waike, supervisor, persona
):
    request.getfixturevalue("head_neike")
    user = request.getfixturevalue(persona)
    client = client_for(user)
    _make_rows(2, neike, supervisor)
    _make_rows(2, waike, supervisor)
    assert client.get(reverse("dashboard")).status_code == 200
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    _make_rows(8, neike, supervisor)
    _make_rows(8, waike, supervisor)
    with django_assert_num_queries(len(few)):
        client.get(reverse("dashboard"))


def test_finding_detail_query_count_does_not_grow_with_history(
    client_for, django_assert_num_queries, supervisor, head_neike, neike
):
    finding = make_finding(department=neike, found_by=supervisor)
    client = client_for(supervisor)
    client.get(reverse("finding_detail", args=[finding.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("finding_detail", args=[finding.pk]))
    order_acknowledge(order=finding.order, actor=head_neike)
    with django_assert_num_queries(len(few)):
        client.get(reverse("finding_detail", args=[finding.pk]))


def test_finding_history_shows_status_labels_and_local_times_not_stored_values(
    client_for, supervisor, head_neike, neike
):
    finding = make_finding(department=neike, found_by=supervisor)
    order_acknowledge(order=finding.order, actor=head_neike)
    order_submit(order=finding.order, actor=head_neike, cause="排班不足", corrective_action="增设导医")
    finding.order.refresh_from_db()
    html = client_for(supervisor).get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert "已签收" in html and "acknowledged" not in html
    local = timezone.localtime(finding.order.submitted_at)
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" in html
    assert "+00:00" not in html


# --- creating findings ----------------------------------------------------------------------


def test_supervisor_creates_finding_with_photo_and_order(client_for, supervisor, neike):
    client = client_for(supervisor)
    data = {
        "department": neike.pk,
        "category": Finding._meta.get_field("category").related_model.objects.get(code="norms").pk,
        "severity": "minor",
        **moment("found_at", "2026-11-20 09:30"),
        "location": "内科病区",
        "description": "护士未佩戴工牌",
        "needs_rectification": "on",
        "deadline": "",
        "files": [SimpleUploadedFile("badge.png", _png(), content_type="image/png")],
    }
    response = client.post(reverse("finding_create"), data)
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.order.status == OrderStatus.ISSUED
    assert finding.attachments.count() == 1


def test_invalid_finding_form_keeps_what_was_typed(client_for, supervisor, neike):
    response = client_for(supervisor).post(
        reverse("finding_create"), {"department": neike.pk, "description": "走廊吸烟，劝阻无效"}
    )
    assert response.status_code == 200
    assert "走廊吸烟，劝阻无效" in response.content.decode()
    assert not Finding.objects.exists()


@pytest.mark.parametrize("persona", ["head_neike", "caller", "administrator"])
def test_only_supervisors_and_volunteers_create_findings(client_for, request, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("finding_create")).status_code == 403


def test_volunteer_submission_creates_no_order(client_for, volunteer, neike):
    from supervision.models import Category

    response = client_for(volunteer).post(
        reverse("finding_create"),
        {
            "department": neike.pk,
            "category": Category.objects.get(code="hygiene").pk,
            "severity": "minor",
            **moment("found_at", "2026-11-20 09:30"),
            "description": "卫生间有异味",
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.source == "volunteer"
    assert not hasattr(finding, "order")


# --- order actions over HTTP ------------------------------------------------------------------


def test_order_actions_are_post_only(client_for, head_neike, findings):
    url = reverse("order_action", args=[findings["neike"].order.pk, "acknowledge"])
    assert client_for(head_neike).get(url).status_code == 405


def test_head_acknowledges_own_order_over_http(client_for, head_neike, findings):
    order = findings["neike"].order
    response = client_for(head_neike).post(reverse("order_action", args=[order.pk, "acknowledge"]))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ACKNOWLEDGED


def test_head_gets_404_for_another_departments_order(client_for, head_neike, findings):
    order = findings["waike"].order
    response = client_for(head_neike).post(reverse("order_action", args=[order.pk, "acknowledge"]))
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED


def test_refused_action_shows_a_message_and_changes_nothing(client_for, supervisor, findings):
    order = findings["neike"].order
    response = client_for(supervisor).post(reverse("order_action", args=[order.pk, "verify"]), follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED


def test_submit_with_missing_fields_keeps_the_typed_text(client_for, head_neike, findings):
    order = findings["neike"].order
    client = client_for(head_neike)
    client.post(reverse("order_action", args=[order.pk, "acknowledge"]))
    response = client.post(
        reverse("order_action", args=[order.pk, "submit"]), {"submit-cause": "排班不合理导致脱岗"}
    )
    assert response.status_code == 400
    assert "排班不合理导致脱岗" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.ACKNOWLEDGED


def test_action_buttons_show_only_when_allowed(client_for, head_neike, supervisor, findings):
    url = reverse("finding_detail", args=[findings["neike"].pk])
    head_page = client_for(head_neike).get(url).content.decode()
    assert reverse("order_action", args=[findings["neike"].order.pk, "acknowledge"]) in head_page
    sup_page = client_for(supervisor).get(url).content.decode()
    assert reverse("order_action", args=[findings["neike"].order.pk, "acknowledge"]) not in sup_page


# --- attachments ----------------------------------------------------------------------------


def _attach(finding, user, data=None):
    from supervision.services import attachment_add

    upload = clean_upload(SimpleUploadedFile("p.png", data or _png(), content_type="image/png"))
    return attachment_add(finding=finding, upload=upload, actor=user)


@pytest.mark.parametrize(
    ("persona", "status"), [("supervisor", 200), ("head_neike", 200), ("head_waike", 404), ("volunteer", 404)]
)
def test_attachment_is_served_only_to_readers_of_the_finding(
    client_for, request, findings, supervisor, persona, status
):
    request.getfixturevalue("head_neike")
    attachment = _attach(findings["neike"], supervisor)
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("attachment_download", args=[attachment.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/png"


def test_uploaded_photo_loses_its_gps_exif():
    cleaned = clean_upload(SimpleUploadedFile("gps.jpg", _jpeg_with_gps(), content_type="image/jpeg"))
    image = Image.open(io.BytesIO(cleaned.data))
    assert cleaned.content_type == "image/jpeg"
    assert not image.getexif()


@pytest.mark.parametrize(
    "payload",
    [b"MZ\x90\x00 this is an exe", b"<html><script>alert(1)</script></html>", b"\x89PNG\r\n\x1a\nbroken"],
)
def test_upload_checked_by_content_not_by_name(payload):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        clean_upload(SimpleUploadedFile("photo.png", payload, content_type="image/png"))


def test_attachment_rows_point_to_generated_names_not_user_names(findings, supervisor):
    attachment = _attach(findings["neike"], supervisor)
    assert "p.png" not in attachment.file.name
    assert Attachment.objects.count() == 1


def test_head_dashboard_lists_the_20_soonest_deadlines_and_links_to_all_open_orders(
    client_for, head_neike, neike, waike, supervisor
):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    for days in range(22):
        make_finding(department=neike, found_by=supervisor, deadline=today + dt.timedelta(days=days + 1))
    make_finding(department=waike, found_by=supervisor, deadline=today)
    response = client_for(head_neike).get(reverse("dashboard"))
    orders = list(response.context["head_orders"])  # the rows' values (views.HEAD_ORDER_ROW_FIELDS)
    assert len(orders) == 20
    assert [o["deadline"] for o in orders] == sorted(o["deadline"] for o in orders)
    assert {o["department_id"] for o in orders} == {neike.pk}  # never another department's
    assert orders[0]["deadline"] == today + dt.timedelta(days=1)
    body = response.content.decode()
    assert "本科室全部 22 张未完成整改单" in body and reverse("finding_list") in body


def test_a_volunteer_sees_an_earlier_occurrence_by_number_not_as_a_link_to_a_404(
    client_for, supervisor, volunteer, neike
):
    earlier = make_finding(department=neike, found_by=supervisor)
    mine = make_finding(department=neike, found_by=volunteer, needs_rectification=False)
    assert mine.recurrence_of_id == earlier.pk
    html = client_for(volunteer).get(reverse("finding_detail", args=[mine.pk])).content.decode()
    assert earlier.number in html
    assert earlier.get_absolute_url() not in html
    html = client_for(supervisor).get(reverse("finding_detail", args=[mine.pk])).content.decode()
    assert f'<a href="{earlier.get_absolute_url()}">{earlier.number}</a>' in html
    html = client_for(supervisor).get(reverse("finding_detail", args=[earlier.pk])).content.decode()
    assert f'<a href="{mine.get_absolute_url()}">{mine.number}</a>' in html


def test_finding_form_marks_each_person_with_their_department_for_narrowing(client_for, volunteer, neike):
    from tests.factories import StaffFactory

    person = StaffFactory(name="王护士", department=neike)
    html = client_for(volunteer).get(reverse("finding_create")).content.decode()
    assert 'data-narrow-by="id_department"' in html
    assert f'value="{person.pk}" data-department="{neike.pk}"' in html


def test_supervisor_turns_a_volunteers_observation_into_an_order(
    client_for, supervisor, volunteer, head_neike, neike
):
    from supervision.models import Notification

    finding = make_finding(department=neike, found_by=volunteer, needs_rectification=False)
    client = client_for(supervisor)
    page = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert "下发整改单" in page and reverse("finding_issue_order", args=[finding.pk]) in page
    response = client.post(
        reverse("finding_issue_order", args=[finding.pk]),
        {"issue-deadline": "", "issue-instructions": "请三日内整改"},
    )
    assert response.status_code == 302
    order = RectificationOrder.objects.get(finding=finding)
    assert order.status == OrderStatus.ISSUED and order.issued_by == supervisor
    assert order.transitions.get().comment == "请三日内整改"
    assert Notification.objects.filter(recipient=head_neike, kind="order_issued").exists()
    # Once: a second post changes nothing and says why.
    response = client.post(reverse("finding_issue_order", args=[finding.pk]), {}, follow=True)
    assert "已有整改单" in response.content.decode()
    assert RectificationOrder.objects.filter(finding=finding).count() == 1


def test_issuing_an_order_refuses_a_past_deadline_and_keeps_what_was_typed(
    client_for, supervisor, volunteer, neike
):
    finding = make_finding(department=neike, found_by=volunteer, needs_rectification=False)
    response = client_for(supervisor).post(
        reverse("finding_issue_order", args=[finding.pk]),
        {"issue-deadline": "2020-01-01", "issue-instructions": "请整改"},
    )
    assert response.status_code == 400  # refused by the form, next to the field, the instructions kept
    body = response.content.decode()
    assert "期限不能早于今天。" in body
    assert "请整改" in body
    assert not RectificationOrder.objects.filter(finding=finding).exists()
    response = client_for(supervisor).post(
        reverse("finding_issue_order", args=[finding.pk]),
        {"issue-deadline": "not a date", "issue-instructions": "请整改"},
    )
    assert response.status_code == 400
    assert "请整改" in response.content.decode()
    assert not RectificationOrder.objects.filter(finding=finding).exists()


def test_only_a_supervisor_sees_the_issue_button(client_for, volunteer, administrator, neike):
    finding = make_finding(department=neike, found_by=volunteer, needs_rectification=False)
    for user in (volunteer, administrator):
        assert (
            "f-issue"
            not in client_for(user).get(reverse("finding_detail", args=[finding.pk])).content.decode()
        )


def test_a_refused_or_missing_page_offers_the_way_back(client_for, head_neike, volunteer):
    missing = client_for(head_neike).get("/findings/999999/")
    assert missing.status_code == 404 and "返回工作台" in missing.content.decode()
    refused = client_for(volunteer).get(reverse("complaints:list"))
    assert refused.status_code == 403 and "返回工作台" in refused.content.decode()


def test_finding_form_says_how_to_choose_several_people(client_for, supervisor):
    page = client_for(supervisor).get(reverse("finding_create")).content.decode()
    assert "可选多人：电脑上按住 Ctrl（Mac 为 ⌘）点选，平板上逐个点选即可。" in page
