"""A complaint's timeline is worded for whoever reads it: the steps' labels and punctuation follow
the reader's language (满意：谢谢 / Satisfied: 谢谢); a person's own words stay as they wrote them."""

from __future__ import annotations

import importlib
from decimal import Decimal

from django.apps import apps
from django.urls import reverse
from django.utils import translation

from complaints import services
from complaints.models import ComplaintAction, ComplaintTransition, OwnerChange
from tests.complaints.factories import make_complaint


def _walk(supervisor, head_neike, head_waike, neike, waike):
    """Every step that writes a worded note, taken by a supervisor working in Chinese."""
    with translation.override("zh-hans"):
        c = make_complaint(received_by=supervisor)
        c = services.complaint_accept(complaint=c, actor=supervisor)
        c = services.complaint_assign(
            complaint=c, actor=supervisor, departments=[neike, waike], instructions="请核实"
        )
        c = services.complaint_reply(complaint=c, actor=head_neike, department=neike, reply="已批评教育")
        c = services.complaint_reply(complaint=c, actor=head_waike, department=waike, reply="无关")
        c = services.complaint_determine(complaint=c, actor=supervisor, determination="not_valid")
        c = services.complaint_answer(complaint=c, actor=supervisor, method="phone", text="已电话反馈")
        c = services.complaint_close(complaint=c, actor=supervisor, satisfaction="satisfied", comment="谢谢")
        return services.complaint_flag_dispute(
            complaint=c, actor=supervisor, dispute=True, amount=Decimal("5000"), note="已调解"
        )


def _timeline(client, complaint) -> str:
    return client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()


def test_the_timeline_reads_in_chinese_and_in_english(
    client_for, supervisor, head_neike, head_waike, neike, waike
):
    complaint = _walk(supervisor, head_neike, head_waike, neike, waike)
    client = client_for(supervisor)
    html = _timeline(client, complaint)
    for words in ("内科、外科：请核实", "内科：已批评教育", "无效", "电话：已电话反馈", "满意：谢谢"):
        assert words in html
    assert "调解／纠纷：¥5000；已调解" in html
    assert "首诉登记" in html

    supervisor.language = "en"
    supervisor.save()
    html = _timeline(client, complaint)
    for words in (
        "内科, 外科: 请核实",
        "内科: 已批评教育",
        "Not valid",
        "Telephone: 已电话反馈",
        "Satisfied: 谢谢",
    ):
        assert words in html
    assert "Mediation / dispute: ¥5000; 已调解" in html
    assert "Recorded at first contact" in html
    for chinese in ("首诉登记", "满意", "电话：", "调解／纠纷"):
        assert chinese not in html


def test_a_note_is_stored_as_a_key_and_its_parameters(supervisor, head_neike, head_waike, neike, waike):
    complaint = _walk(supervisor, head_neike, head_waike, neike, waike)
    close = complaint.transitions.get(action=ComplaintAction.CLOSE)
    assert (close.comment, close.comment_key) == ("", "text.with_text")
    assert close.comment_params == {
        "head": {"key": "complaint.note.satisfaction", "params": {"value": "satisfied"}},
        "text": "谢谢",
    }
    assert complaint.owner_changes.get().note_key == "complaint.owner.first_contact"


def test_the_migration_converts_chinese_and_english_notes_and_keeps_unknown_ones(supervisor):
    complaint = make_complaint(received_by=supervisor)
    old = {
        "assign": "内科、外科：请核实",
        "reply": "Neurology：checked",
        "determine": "Partly valid：服务态度 → WT2026-000012",
        "answer": "电话：已电话反馈",
        "close": "Satisfied",
        "dispute": "调解／纠纷：¥5000；已调解",
        "handover": "→ 李四：交接",
        "accept": "先受理",  # a person's own words: nothing to convert
    }
    rows = {
        action: ComplaintTransition.objects.create(
            complaint=complaint, action=action, to_status=complaint.status, comment=text
        )
        for action, text in old.items()
    }
    unknown = ComplaintTransition.objects.create(
        complaint=complaint, action="close", to_status=complaint.status, comment="非常满意！"
    )
    owner = OwnerChange.objects.create(complaint=complaint, note="Submitted on the web page")

    importlib.import_module("complaints.migrations.0005_stored_texts_to_keys").forwards(apps, None)

    for row in [*rows.values(), unknown, owner]:
        row.refresh_from_db()
    with translation.override("en"):
        assert rows["assign"].comment_text == "内科, 外科: 请核实"
        assert rows["determine"].comment_text == "Partly valid: 服务态度 → WT2026-000012"
        assert rows["answer"].comment_text == "Telephone: 已电话反馈"
        assert rows["dispute"].comment_text == "Mediation / dispute: ¥5000; 已调解"
        assert rows["handover"].comment_text == "→ 李四: 交接"
    with translation.override("zh-hans"):
        assert rows["reply"].comment_text == "Neurology：checked"
        assert rows["close"].comment_text == "满意"
        assert owner.note_text == "网站提交"
        assert rows["determine"].comment_text == "部分有效：服务态度 → WT2026-000012"
    assert rows["accept"].comment_key == "" and rows["accept"].comment_text == "先受理"
    assert unknown.comment_key == "" and unknown.comment_text == "非常满意！"


def test_the_finding_of_a_valid_complaint_is_worded_for_the_reader(supervisor, head_neike, neike):
    from supervision.models import Finding
    from tests.factories import category

    complaint = make_complaint(received_by=supervisor, department=neike, content="护士态度生硬")
    with translation.override("zh-hans"):
        services.complaint_accept(complaint=complaint, actor=supervisor)
        services.complaint_assign(complaint=complaint, actor=supervisor, departments=[neike])
        services.complaint_reply(complaint=complaint, actor=head_neike, department=neike, reply="属实")
        services.complaint_determine(
            complaint=complaint,
            actor=supervisor,
            determination="partly_valid",
            categories=[category("attitude")],
            note="护士解释不耐心",
        )
    finding = Finding.objects.get()
    with translation.override("zh-hans"):
        assert (
            finding.description_text == f"投诉 {complaint.number}（部分有效）：护士态度生硬\n护士解释不耐心"
        )
    with translation.override("en"):
        assert (
            finding.description_text
            == f"Complaint {complaint.number} (Partly valid): 护士态度生硬\n护士解释不耐心"
        )


def test_the_migration_converts_a_complaints_finding_description(supervisor, neike):
    from supervision.models import FindingSource
    from tests.factories import make_finding

    old = make_finding(
        department=neike,
        found_by=supervisor,
        source=FindingSource.COMPLAINT,
        description="投诉 TS2026-000004（有效）：候诊太久\n已致歉",
    )
    importlib.import_module("supervision.migrations.0009_stored_texts_to_keys").forwards(apps, None)
    old.refresh_from_db()
    assert old.description_params == {
        "number": "TS2026-000004",
        "determination": "valid",
        "content": "候诊太久\n已致歉",
    }
    with translation.override("en"):
        assert old.description_text == "Complaint TS2026-000004 (Valid): 候诊太久\n已致歉"


def test_the_admin_shows_the_worded_notes_not_their_keys(
    admin_client, supervisor, head_neike, head_waike, neike, waike
):
    complaint = _walk(supervisor, head_neike, head_waike, neike, waike)
    html = admin_client.get(
        reverse("admin:complaints_complaint_change", args=[complaint.pk])
    ).content.decode()
    assert "满意：谢谢" in html and "首诉登记" in html
    assert "complaint.note.satisfaction" not in html


def test_a_reveal_s_purpose_is_worded_for_whoever_reads_the_log(supervisor):
    from supervision.models import RevealLog

    complaint = make_complaint(received_by=supervisor, complainant_phone="13800138000")
    with translation.override("en"):  # the handler's language does not decide what is stored
        services.complaint_contact_reveal(complaint=complaint, user=supervisor)
    log = RevealLog.objects.get()
    assert log.purpose == "reveal.complaint"
    with translation.override("zh-hans"):
        assert log.purpose_text == "办理投诉"
    with translation.override("en"):
        assert log.purpose_text == "Handling the complaint"
