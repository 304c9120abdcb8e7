"""Journey: the entrance desk on a phone during a queue — a consultation logged in two taps and taken
back, a coordination turned into a complaint the desk person owns, and the knowledge base searched by
pinyin initials and with a wrong character."""

from __future__ import annotations

import datetime as dt

from complaints.models import Complaint
from servicedesk.models import DeskEntry, EntryKind, KnowledgeKind, ServiceCentre
from servicedesk.services import knowledge_save
from supervision.models import Department, DepartmentKind, Role
from tests.factories import UserFactory

from .conftest import journey_marks

pytestmark = journey_marks()

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_desk_logs_in_two_taps_undoes_turns_a_coordination_into_a_complaint_and_searches(
    session_for, shots, roles_groups, supervisor, neike
):
    digestive = Department.objects.create(code="XHNK", name="消化内科", kind=DepartmentKind.CLINICAL)
    desk = UserFactory(username="desk", full_name="孙客服", roles=[Role.DESK])
    ServiceCentre.objects.create(name="门诊客服中心", location="门诊楼一楼大厅").members.add(desk)
    knowledge_save(
        actor=supervisor,
        kind=KnowledgeKind.DEPARTMENT,
        title="消化内科",
        department=digestive,
        location="门诊楼3层",
        hours="周一至周日 8:00-17:30",
        body="胃肠、肝胆疾病；胃镜请先到3层预约。",
        review_due=dt.date.today() + dt.timedelta(days=180),
    )

    page = session_for(desk, **PHONE)
    page.goto("/servicedesk/")
    shots(page, "desk-log-on-a-phone")

    # Two taps: the department, then what was done.
    page.select_option("select[name=department]", str(digestive.pk))
    with page.expect_navigation():
        page.click(f"button[name=tap][value={EntryKind.CONSULTATION}]")
    assert "已登记" in page.inner_text(".alert-success")
    entry = DeskEntry.objects.get()
    assert (entry.kind, entry.department, entry.recorded_by) == (EntryKind.CONSULTATION, digestive, desk)
    assert "消化内科" in page.inner_text("#desk-saved")
    shots(page, "consultation-logged")

    # A wrong tap is taken back within the minute.
    with page.expect_navigation():
        page.click("#desk-saved button.btn-outline-danger")
    assert not DeskEntry.objects.exists()
    assert "尚无登记" in page.inner_text("#desk-saved")
    shots(page, "entry-undone")

    # A coordination at the desk that the patient wants to pursue becomes a complaint the desk owns.
    page.select_option("select[name=department]", str(neike.pk))
    page.fill("input[name=topic]", "候诊时间过长，与护士发生争执")
    with page.expect_navigation():
        page.click(f"button[name=tap][value={EntryKind.COORDINATION}]")
    # A coordination needs what happened: refused with the reason, the details opened, nothing lost.
    assert not DeskEntry.objects.exists()
    assert "请写明经过" in page.inner_text("#desk-entry")
    assert page.input_value("input[name=topic]") == "候诊时间过长，与护士发生争执"
    shots(page, "coordination-refused-without-what-happened")
    page.fill("textarea[name=note]", "患者候诊两小时，情绪激动；已安抚并联系护士长。")
    with page.expect_navigation():
        page.click(f"button[name=tap][value={EntryKind.COORDINATION}]")
    coordination = DeskEntry.objects.get()
    with page.expect_navigation():
        page.click(".alert-success a")
    assert page.url.endswith(coordination.get_absolute_url())
    shots(page, "coordination-entry")
    with page.expect_navigation():
        page.click("form[action$='/complaint/'] button")
    complaint = Complaint.objects.get()
    assert (complaint.department, complaint.received_by) == (neike, desk)
    assert complaint.number in page.inner_text(".alert-success")
    shots(page, "complaint-recorded")

    # The knowledge base: pinyin initials, then a character typed wrong.
    page.goto("/servicedesk/knowledge/")
    page.fill("input[name=q]", "xhnk")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("text=门诊楼3层")
    shots(page, "kb-pinyin-initials")
    page.fill("input[name=q]", "消化内料")
    page.press("input[name=q]", "Enter")
    page.wait_for_function("document.querySelector('input[name=q]').value === '消化内料'")
    page.wait_for_selector("text=门诊楼3层")
    shots(page, "kb-one-wrong-character")
