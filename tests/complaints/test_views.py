"""Pages: roles (allowed, 403), scoping (404), query counts, intake, privacy, public form and lookup."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from complaints import services
from complaints.models import Complaint, ComplaintStatus
from supervision.models import RevealLog
from tests.factories import category, moment

from .factories import make_complaint

pytestmark = pytest.mark.django_db
LIST = reverse("complaints:list")


def detail(c):
    return reverse("complaints:detail", args=[c.pk])


def action(c, name):
    return reverse("complaints:action", args=[c.pk, name])


@pytest.fixture
def assigned_to_neike(supervisor, neike):
    c = make_complaint(received_by=supervisor, department=neike, content="内科护士态度差")
    services.complaint_accept(complaint=c, actor=supervisor)
    return services.complaint_assign(complaint=c, actor=supervisor, departments=[neike])


# --- roles and scoping ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supervisor", "administrator", "caller", "head_neike"])
def test_list_is_open_to_staff_roles(persona, request, client_for):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(LIST).status_code == 200


def test_volunteer_gets_403_everywhere(volunteer, client_for, assigned_to_neike):
    client = client_for(volunteer)
    for url in (
        LIST,
        reverse("complaints:create"),
        detail(assigned_to_neike),
        reverse("complaints:figures"),
        reverse("complaints:calendar"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(action(assigned_to_neike, "accept")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_head_sees_only_complaints_assigned_to_their_department(
    client_for, head_neike, head_waike, supervisor, assigned_to_neike, waike
):
    other = make_complaint(received_by=supervisor, department=waike, content="外科收费不清")
    page = client_for(head_neike).get(LIST).content.decode()
    assert assigned_to_neike.number in page and other.number not in page
    assert client_for(head_neike).get(detail(assigned_to_neike)).status_code == 200
    assert client_for(head_neike).get(detail(other)).status_code == 404
    assert client_for(head_waike).get(detail(assigned_to_neike)).status_code == 404
    assert (
        client_for(head_waike).post(action(assigned_to_neike, "reply"), {"reply-reply": "x"}).status_code
        == 404
    )


def test_head_does_not_see_a_complaint_about_their_department_before_assignment(
    client_for, head_neike, supervisor, neike
):
    c = make_complaint(received_by=supervisor, department=neike)
    assert client_for(head_neike).get(detail(c)).status_code == 404


def test_followup_staff_see_only_what_they_own(client_for, caller, supervisor):
    mine = make_complaint(received_by=caller)
    theirs = make_complaint(received_by=supervisor)
    client = client_for(caller)
    page = client.get(LIST).content.decode()
    assert mine.number in page and theirs.number not in page
    assert client.get(detail(mine)).status_code == 200
    assert client.get(detail(theirs)).status_code == 404


def test_figures_page_roles(client_for, supervisor, administrator, head_neike, caller):
    assert client_for(supervisor).get(reverse("complaints:figures")).status_code == 200
    assert (
        client_for(administrator)
        .get(reverse("complaints:figures") + "?start=2026-01-01&end=2026-12-31")
        .status_code
        == 200
    )
    assert client_for(head_neike).get(reverse("complaints:figures")).status_code == 403
    assert client_for(caller).get(reverse("complaints:figures")).status_code == 403


def test_calendar_page_shows_exceptions_and_warns_about_incomplete_year(client_for, head_neike):
    page = client_for(head_neike).get(reverse("complaints:calendar") + "?year=2026").content.decode()
    assert "春节" in page and "2026年5月9日" in page
    page = client_for(head_neike).get(reverse("complaints:calendar") + "?year=2027").content.decode()
    assert "alert-warning" in page
    page = client_for(head_neike).get(reverse("complaints:calendar") + "?year=2031").content.decode()
    assert "alert-danger" in page


# --- query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supervisor", "head_neike"])
def test_list_query_count_does_not_grow_with_rows(
    persona,
    request,
    client_for,
    supervisor,
    neike,
    waike,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    user = request.getfixturevalue(persona)
    client = client_for(user)

    def add(n):
        for i in range(n):
            c = make_complaint(received_by=supervisor, department=neike, content=f"投诉{i}")
            services.complaint_accept(complaint=c, actor=supervisor)
            services.complaint_assign(complaint=c, actor=supervisor, departments=[neike, waike])

    add(2)
    client.get(LIST)
    with CaptureQueriesContext(connection) as first:
        assert client.get(LIST).status_code == 200
    add(6)
    with django_assert_max_num_queries(len(first) + 1):
        assert client.get(LIST + "?status=assigned").status_code == 200
    with django_assert_num_queries(len(first)):
        assert client.get(LIST).status_code == 200


def test_detail_query_count_does_not_grow_with_history(
    client_for, supervisor, administrator, caller, neike, waike, django_assert_num_queries
):
    from tests.factories import DepartmentFactory

    c = make_complaint(received_by=supervisor, department=neike)
    services.complaint_accept(complaint=c, actor=supervisor)
    services.complaint_assign(complaint=c, actor=supervisor, departments=[neike])
    client = client_for(supervisor)
    client.get(detail(c))
    with CaptureQueriesContext(connection) as first:
        client.get(detail(c))
    # More departments, owners and history rows; same state.
    services.complaint_assign(complaint=c, actor=supervisor, departments=[waike, DepartmentFactory()])
    services.complaint_handover(complaint=c, actor=supervisor, to_user=caller)
    services.complaint_handover(complaint=c, actor=supervisor, to_user=administrator)
    services.complaint_flag_dispute(complaint=c, actor=supervisor, dispute=True, amount=100)
    with django_assert_num_queries(len(first)):
        client.get(detail(c))


# --- intake and actions ---------------------------------------------------------------------------


def test_followup_staff_records_a_complaint_and_owns_it(client_for, caller, neike):
    response = client_for(caller).post(
        reverse("complaints:create"),
        {
            "channel": "hotline",
            **moment("received_at", "2026-11-20 09:30"),
            "department": neike.pk,
            "complainant_name": "王五",
            "complainant_phone": "13912345678",
            "content": "夜间呼叫铃无人应答",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(complaint)
    assert complaint.owner == caller and complaint.received_by == caller
    assert complaint.owner_changes.count() == 1


def test_referral_without_number_is_refused_and_input_kept(client_for, supervisor):
    response = client_for(supervisor).post(
        reverse("complaints:create"),
        {
            "channel": "citizen_12345",
            **moment("received_at", "2026-11-20 09:30"),
            "content": "12345转办：停车难",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "12345转办：停车难" in page and "转办单号" in page
    assert not Complaint.objects.exists()


def test_referral_with_number_and_due_date(client_for, supervisor):
    client_for(supervisor).post(
        reverse("complaints:create"),
        {
            "channel": "citizen_12345",
            **moment("received_at", "2026-11-20 09:30"),
            "content": "12345转办：停车难",
            "referral_no": "GD2026112000123",
            "referral_due": "2026-11-25",
        },
    )
    complaint = Complaint.objects.get()
    assert complaint.referral_no == "GD2026112000123"
    assert str(complaint.answer_due) == "2026-11-25"


def test_accepted_complaint_offers_its_own_department_first_in_the_assign_form(client_for, supervisor, neike):
    c = make_complaint(received_by=supervisor, department=neike)
    services.complaint_accept(complaint=c, actor=supervisor)
    response = client_for(supervisor).get(detail(c))
    buttons = response.context["actions"]
    form = next(b.form for b in buttons if b.name == "assign")
    assert form.initial["departments"] == [neike.pk]
    assert f'<option value="{neike.pk}" selected>' in response.content.decode()
    assert buttons[0].name == "assign"  # the next step is the first button


def test_accept_via_post_and_get_is_refused(client_for, supervisor):
    c = make_complaint(received_by=supervisor)
    client = client_for(supervisor)
    assert client.get(action(c, "accept")).status_code == 405
    assert client.post(action(c, "accept"), {"accept-comment": "受理"}).status_code == 302
    c.refresh_from_db()
    assert c.status == ComplaintStatus.ACCEPTED


def test_refused_action_shows_message_and_changes_nothing(client_for, caller, supervisor):
    c = make_complaint(received_by=supervisor)
    services.complaint_handover(complaint=c, actor=supervisor, to_user=caller)
    response = client_for(caller).post(action(c, "accept"), follow=True)
    assert "需要角色" in response.content.decode() or "不能" in response.content.decode()
    c.refresh_from_db()
    assert c.status == ComplaintStatus.RECEIVED


def test_invalid_action_form_is_shown_again_with_errors(client_for, supervisor):
    c = make_complaint(received_by=supervisor)
    response = client_for(supervisor).post(action(c, "not_accept"), {"not_accept-reason": ""})
    assert response.status_code == 400
    c.refresh_from_db()
    assert c.status == ComplaintStatus.RECEIVED


def test_actions_shown_only_when_allowed(client_for, supervisor, head_neike, assigned_to_neike):
    sup_page = client_for(supervisor).get(detail(assigned_to_neike)).content.decode()
    head_page = client_for(head_neike).get(detail(assigned_to_neike)).content.decode()
    assert action(assigned_to_neike, "reply") in head_page
    assert action(assigned_to_neike, "reply") not in sup_page
    assert action(assigned_to_neike, "dispute") in sup_page
    assert action(assigned_to_neike, "dispute") not in head_page


def test_head_writes_the_investigation_reply(client_for, head_neike, neike, assigned_to_neike):
    response = client_for(head_neike).post(
        action(assigned_to_neike, "reply"), {"reply-department": neike.pk, "reply-reply": "已约谈当事护士"}
    )
    assert response.status_code == 302
    assigned_to_neike.refresh_from_db()
    assert assigned_to_neike.status == ComplaintStatus.INVESTIGATED
    assert assigned_to_neike.assignments.get().reply == "已约谈当事护士"


def test_valid_determination_links_to_the_finding_both_ways(
    client_for, supervisor, head_neike, neike, assigned_to_neike
):
    services.complaint_reply(complaint=assigned_to_neike, actor=head_neike, department=neike, reply="属实")
    client = client_for(supervisor)
    client.post(
        action(assigned_to_neike, "determine"),
        {
            "determine-determination": "valid",
            "determine-categories": [category("attitude").pk],
            "determine-severity": "moderate",
        },
    )
    assigned_to_neike.refresh_from_db()
    finding = assigned_to_neike.finding
    assert finding is not None
    assert finding.number in client.get(detail(assigned_to_neike)).content.decode()
    finding_page = client.get(finding.get_absolute_url()).content.decode()
    # The core links back to the source object under its own label (the complaint's number).
    assert detail(assigned_to_neike) in finding_page
    assert escape(str(assigned_to_neike)) in finding_page


def test_determination_form_says_an_order_follows_and_the_message_names_it(
    client_for, supervisor, head_neike, neike, assigned_to_neike
):
    services.complaint_reply(complaint=assigned_to_neike, actor=head_neike, department=neike, reply="属实")
    client = client_for(supervisor)
    page = client.get(detail(assigned_to_neike)).content.decode()
    assert "将向该科室下达整改单" in page
    response = client.post(
        action(assigned_to_neike, "determine"),
        {
            "determine-determination": "valid",
            "determine-categories": [category("attitude").pk],
            "determine-severity": "moderate",
        },
        follow=True,
    )
    order = Complaint.objects.get(pk=assigned_to_neike.pk).finding.order
    page = response.content.decode()
    assert f'<a href="{order.get_absolute_url()}">{order.number}</a>' in page
    assert "已完成认定，并已向" in page


def test_not_valid_determination_keeps_the_plain_message(
    client_for, supervisor, head_neike, neike, assigned_to_neike
):
    services.complaint_reply(complaint=assigned_to_neike, actor=head_neike, department=neike, reply="不属实")
    response = client_for(supervisor).post(
        action(assigned_to_neike, "determine"),
        {"determine-determination": "not_valid", "determine-severity": "moderate"},
        follow=True,
    )
    assert response.status_code == 200
    alert = response.content.decode().split('role="alert"')[1].split("</div>")[0]
    assert "完成" in alert and "整改单" not in alert


# --- privacy ----------------------------------------------------------------------------------------


def test_contact_is_masked_and_reveal_is_logged(client_for, supervisor, head_neike, assigned_to_neike):
    page = client_for(head_neike).get(detail(assigned_to_neike)).content.decode()
    assert "13800138000" not in page and "138****8000" in page
    assert reverse("complaints:reveal", args=[assigned_to_neike.pk]) not in page
    client_for(head_neike).post(reverse("complaints:reveal", args=[assigned_to_neike.pk]))
    assert not RevealLog.objects.exists()
    page = client_for(supervisor).get(detail(assigned_to_neike)).content.decode()
    assert "13800138000" not in page
    revealed = (
        client_for(supervisor)
        .post(reverse("complaints:reveal", args=[assigned_to_neike.pk]))
        .content.decode()
    )
    assert "13800138000" in revealed
    log = RevealLog.objects.get()
    assert log.user == supervisor and log.field == "complainant_phone"


# --- public web form ----------------------------------------------------------------------------------


PUBLIC = reverse("complaints:public_form")
LOOKUP = reverse("complaints:public_lookup")


def public_data(form_token, **kw):
    data = {
        "complainant_name": "赵六",
        "complainant_phone": "13700001111",
        "content": "挂号窗口排队一小时",
        "website": "",
        "form_token": form_token,
    }
    data.update(kw)
    return data


def test_public_form_needs_no_login_and_gives_a_tracking_number(client, form_token):
    assert client.get(PUBLIC).status_code == 200
    response = client.post(PUBLIC, public_data(form_token), follow=True)
    complaint = Complaint.objects.get()
    assert complaint.channel == "web" and complaint.owner is None and complaint.received_by is None
    assert complaint.tracking_code in response.content.decode()


def test_public_form_neutralises_html(client, form_token, client_for, supervisor):
    script = '<script>alert("x")</script><b>粗体</b>'
    client.post(PUBLIC, public_data(form_token, content=script))
    complaint = Complaint.objects.get()
    assert complaint.content == script  # stored as typed: plain text
    page = client_for(supervisor).get(detail(complaint)).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_public_form_honeypot_and_too_fast_are_refused(client, form_token):
    assert client.post(PUBLIC, public_data(form_token, website="http://spam")).status_code == 400
    fresh = client.get(PUBLIC).context["form"].initial["form_token"]
    assert client.post(PUBLIC, public_data(fresh)).status_code == 400
    assert not Complaint.objects.exists()


def test_public_form_refuses_huge_text_and_keeps_it(client, form_token):
    text = "很长" * 1500
    response = client.post(PUBLIC, public_data(form_token, content=text))
    assert response.status_code == 400 and text in response.content.decode()
    assert not Complaint.objects.exists()


def test_public_form_is_rate_limited_and_keeps_input(client, form_token):
    for i in range(5):
        client.post(PUBLIC, public_data(form_token, content=f"第{i}条"))
    response = client.post(PUBLIC, public_data(form_token, content="第六条投诉内容"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "第六条投诉内容" in page and "提交次数过多" in page
    assert Complaint.objects.count() == 5


def test_public_submission_notifies_supervisors_after_commit(
    client, form_token, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PUBLIC, public_data(form_token))
    assert supervisor.notifications.filter(dedupe_key__startswith="complaint_new:").count() == 1


# --- public lookup -----------------------------------------------------------------------------------


@pytest.fixture
def web_complaint(db):
    return services.complaint_intake(
        channel="web",
        received_by=None,
        content="药房发错药",
        complainant_name="钱七",
        complainant_phone="13600002222",
    )


def test_lookup_shows_the_status_only(client, web_complaint, supervisor):
    services.complaint_accept(complaint=web_complaint, actor=supervisor)
    typed = web_complaint.tracking_code.replace("-", " ").lower()  # as people type it
    response = client.post(LOOKUP, {"tracking_code": typed, "phone": "136-0000-2222"})
    page = response.content.decode()
    assert response.status_code == 200 and "已受理" in page
    for secret in ("钱七", "药房发错药", web_complaint.number, "13600002222", supervisor.full_name):
        assert secret not in page


def test_lookup_wrong_phone_and_wrong_number_answer_alike(client, web_complaint):
    other = services.complaint_intake(
        channel="web", received_by=None, content="别人的投诉", complainant_phone="13500003333"
    )
    wrong_phone = client.post(LOOKUP, {"tracking_code": web_complaint.tracking_code, "phone": "13500003333"})
    wrong_code = client.post(LOOKUP, {"tracking_code": "AAAAA-BBBBB", "phone": "13600002222"})
    for response in (wrong_phone, wrong_code):
        page = response.content.decode()
        assert response.status_code == 200
        assert "没有与该查询编号和电话号码相符的投诉" in page
        assert "lookup-status" not in page and other.tracking_code not in page and "别人的投诉" not in page


def test_lookup_is_rate_limited(client, web_complaint):
    for _ in range(10):
        client.post(LOOKUP, {"tracking_code": "AAAAA-BBBBB", "phone": "13600002222"})
    response = client.post(LOOKUP, {"tracking_code": web_complaint.tracking_code, "phone": "13600002222"})
    assert response.status_code == 429 and "lookup-status" not in response.content.decode()


def test_dashboard_shows_complaint_panel(client_for, supervisor, volunteer):
    make_complaint(received_by=supervisor)
    assert "complaints/?overdue=true" in client_for(supervisor).get("/").content.decode()
    assert "complaints/?overdue=true" not in client_for(volunteer).get("/").content.decode()


def test_htmx_list_request_gets_the_table_only(client_for, supervisor):
    make_complaint(received_by=supervisor)
    response = client_for(supervisor).get(LIST + "?channel=hotline", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page and "<table" in page


def test_admin_calendar_pages_load(client_for, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client = client_for(administrator)
    assert client.get(reverse("admin:complaints_calendarday_changelist")).status_code == 200
    assert client.get(reverse("admin:complaints_calendaryear_changelist")).status_code == 200
    assert client.get(reverse("admin:complaints_complaint_changelist")).status_code == 200


def test_list_filter_by_overdue_and_mine(client_for, supervisor, administrator):
    from .factories import at

    old = make_complaint(received_by=supervisor, received_at=at("2026-03-02"), content="很久以前的投诉")
    new = make_complaint(received_by=administrator, content="刚登记的投诉")
    client = client_for(supervisor)
    page = client.get(LIST + "?overdue=true").content.decode()
    assert old.number in page and new.number not in page
    page = client.get(LIST + "?mine=true").content.decode()
    assert old.number in page and new.number not in page


@pytest.mark.parametrize(
    "state", ["received", "accepted", "assigned", "investigated", "answered", "closed", "not_accepted"]
)
def test_detail_renders_in_every_state_for_handler_and_head(
    state, client_for, supervisor, administrator, caller, head_neike, head_waike, volunteer, neike, waike
):
    from .test_workflow import build

    people = {
        "supervisor": supervisor,
        "administrator": administrator,
        "caller": caller,
        "head_neike": head_neike,
        "head_waike": head_waike,
        "volunteer": volunteer,
    }
    c = build(state, people, neike)
    page = client_for(supervisor).get(detail(c))
    assert page.status_code == 200 and c.number in page.content.decode()
    assert client_for(caller).get(detail(c)).status_code == 200  # the recorder still owns it
    expected = 200 if state not in ("received", "accepted", "not_accepted") else 404
    assert client_for(head_neike).get(detail(c)).status_code == expected


def test_complaint_labels_are_not_taken_from_other_catalogues(client_for, supervisor):
    """'Closed' means 已销号 for a rectification order in the core catalogue; a complaint is 已结案."""
    c = make_complaint(received_by=supervisor)
    services.complaint_accept(complaint=c, actor=supervisor)
    services.complaint_determine(complaint=c, actor=supervisor, determination="not_valid")
    services.complaint_answer(complaint=c, actor=supervisor, method="phone", text="已答复")
    page = client_for(supervisor).get(detail(c)).content.decode()
    assert ">结案<" in page  # the close button
    services.complaint_close(complaint=c, actor=supervisor, satisfaction="satisfied")
    page = client_for(supervisor).get(LIST).content.decode()
    assert "已结案" in page and "已销号" not in page


def test_public_form_renders_the_honeypot_once_and_hidden(client):
    page = client.get(PUBLIC).content.decode()
    assert page.count('name="website"') == 1 and page.count('name="form_token"') == 1
    assert page.index('class="hp-field"') < page.index('name="website"')


def test_figures_page_explains_its_formulas_on_the_page_itself(client_for, supervisor):
    # Not "see the documentation": the reader of the page has no access to the repository's docs.
    html = client_for(supervisor).get(reverse("complaints:figures")).content.decode()
    assert "指标计算方法" in html and "按时答复率：在答复时限内答复的" in html
    assert "documentation" not in html and "文档" not in html


@pytest.mark.parametrize("name", ["complaints:public_form", "complaints:public_lookup"])
def test_public_pages_carry_the_hospital_name_not_the_internal_one(client, settings, name):
    settings.HOSPITAL_NAME = "示范人民医院"
    page = client.get(reverse(name)).content.decode()
    assert '<span class="navbar-brand" id="public-brand">示范人民医院</span>' in page
    assert "督察" not in page


def test_lookup_shows_the_answer_once_it_is_given(client, web_complaint, supervisor):
    services.complaint_accept(complaint=web_complaint, actor=supervisor)
    query = {"tracking_code": web_complaint.tracking_code, "phone": "13600002222"}
    before = client.post(LOOKUP, query).content.decode()
    assert "lookup-answer" not in before and "答复后将在此显示" in before
    services.complaint_answer(
        complaint=web_complaint, actor=supervisor, method="phone", text="已核实，药房已向您致歉并更换药品"
    )
    after = client.post(LOOKUP, query).content.decode()
    assert "lookup-answer" in after and "已核实，药房已向您致歉并更换药品" in after
    assert "电话" in after and supervisor.full_name not in after
