"""Reply templates and answer letters (issue 25 item 4): placeholders validated when a template is
saved, the letter's text frozen on the record with its PDF (hospital header, verdict QR), and the
pages' roles, scope and query counts."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from complaints import letters, services
from complaints.models import Complaint, ComplaintLetter, ComplaintStatus, ReplyTemplate, VerdictLink
from supervision.models import SiteConfig

from .factories import answered, investigated

pytestmark = pytest.mark.django_db
BODY = "{name}您好：\n您于{received_on}反映的问题（{number}）已核实。\n调查结果：{found}\n处理：{done}\n{hospital}"


@pytest.fixture
def need_poppler():
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils (pdftotext) must be installed: .ci/system-deps installs it")


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.fixture
def template(supervisor):
    return services.reply_template_save(actor=supervisor, name="属实答复", kind="valid", body=BODY)


# --- placeholders -----------------------------------------------------------------------------------


def test_an_unknown_placeholder_is_refused_with_its_name_and_the_known_ones(supervisor):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.reply_template_save(
            actor=supervisor, name="x", kind="general", body="{nmae}您好 {name} {dept}"
        )
    message = " ".join(caught.value.message_dict["body"])
    assert "{nmae}" in message and "{dept}" in message and "{received_on}" in message
    assert "{name}," not in message.split(";")[0]  # a known one is not called unknown
    assert not ReplyTemplate.objects.exists()


@pytest.mark.parametrize("body", ["{name", "name}", "{{name}", "{na{me}"])
def test_an_unclosed_brace_is_refused(body):
    with pytest.raises(ValidationError):
        letters.placeholders_check(body)


def test_doubled_braces_print_a_brace_and_placeholders_are_filled():
    letters.placeholders_check("{{编号}} {number}")
    assert letters.fill("{{编号}} { number }", {"number": "TS1"}) == "{编号} TS1"


def test_the_template_page_shows_the_error_and_keeps_the_text(client_for, supervisor):
    response = client_for(supervisor).post(
        reverse("complaints:template_create"), {"name": "新模板", "kind": "general", "body": "您好 {nmae}"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "{nmae}" in page and "未知占位符" in page
    assert "您好 {nmae}" in page


def test_the_office_edits_a_template(client_for, administrator, template):
    url = reverse("complaints:template_edit", args=[template.pk])
    response = client_for(administrator).post(
        url, {"name": "属实答复", "kind": "valid", "body": "{name}：已处理"}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "{name}：已处理" and template.updated_by == administrator


@pytest.mark.parametrize("persona", ["head_neike", "caller", "volunteer"])
def test_templates_are_the_offices(persona, request, client_for, template):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("complaints:template_list")).status_code == 403
    assert client.post(reverse("complaints:template_edit", args=[template.pk]), {}).status_code == 403


def test_the_template_list_query_count_does_not_grow(
    client_for, supervisor, template, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(supervisor)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("complaints:template_list"))
    for i in range(6):
        services.reply_template_save(actor=supervisor, name=f"模板{i}", kind="general", body="{name}")
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("complaints:template_list"))


# --- the letter -----------------------------------------------------------------------------------------


@pytest.fixture
def done(supervisor, neike, head_neike):
    return answered(supervisor=supervisor, department=neike, head=head_neike, complainant_name="张三丰")


def test_the_form_is_prefilled_from_the_template(client_for, supervisor, done, template):
    url = reverse("complaints:letter_new", args=[done.pk]) + f"?template={template.pk}"
    page = client_for(supervisor).get(url).content.decode()
    assert (
        "张三丰您好" in page and done.number in page and "已核实，已批评教育" in page and "{name}" not in page
    )


def test_the_letter_pdf_has_the_header_the_text_and_the_verdict_qr(
    client_for, supervisor, done, template, need_poppler, tmp_path, settings
):
    settings.HOSPITAL_NAME = "示范人民医院"
    config = SiteConfig.get()
    config.letter_office, config.letter_address, config.letter_phone = (
        "医务部投诉管理办公室",
        "和平路1号",
        "010-12345678",
    )
    config.save()
    body = letters.fill(template.body, letters.placeholder_values(done))
    response = client_for(supervisor).post(
        reverse("complaints:letter_new", args=[done.pk]), {"body": body, "template": template.pk}
    )
    assert response.status_code == 302
    letter = ComplaintLetter.objects.get()
    assert letter.template == template and letter.body == body
    assert letter.verdict_link is not None and VerdictLink.objects.count() == 1
    pdf = client_for(supervisor).get(letter.get_absolute_url())
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "letter.pdf"
    path.write_bytes(b"".join(pdf.streaming_content))
    text = pdf_text(path)
    for expected in (
        "示范人民医院",
        "医务部投诉管理办公室",
        "和平路1号",
        "010-12345678",
        done.number,
        "张三丰您好",
        "已核实，已批评教育",
    ):
        assert expected in text, expected
    assert "/complaints/public/verdict/" in text.replace("\n", "").replace(" ", "")
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert len(images.strip().splitlines()) == 3  # two heading lines, then one picture: the QR code


def test_the_letter_is_frozen_when_the_template_changes(supervisor, done, template):
    letter = services.complaint_letter_create(
        complaint=done,
        actor=supervisor,
        body=letters.fill(template.body, letters.placeholder_values(done)),
        template=template,
    )
    with letter.pdf.open("rb") as handle:
        before = handle.read()
    services.reply_template_save(
        actor=supervisor, template=template, name="属实答复", kind="valid", body="全新的文字 {name}"
    )
    letter.refresh_from_db()
    with letter.pdf.open("rb") as handle:
        assert handle.read() == before
    assert "全新的文字" not in letter.body and "张三丰您好" in letter.body


def test_a_letter_before_the_answer_has_no_verdict_code_unless_it_is_the_answer(
    supervisor, neike, head_neike
):
    c = investigated(supervisor=supervisor, department=neike, head=head_neike)
    plain = services.complaint_letter_create(complaint=c, actor=supervisor, body="您好")
    assert plain.verdict_link is None
    as_answer = services.complaint_letter_create(
        complaint=c, actor=supervisor, body="您好，答复如下", record_answer=True
    )
    c.refresh_from_db()
    assert (
        c.status == ComplaintStatus.ANSWERED
        and c.answer_method == "letter"
        and c.answer_text == "您好，答复如下"
    )
    assert as_answer.verdict_link is not None


@pytest.mark.parametrize("persona", ["head_neike", "caller", "volunteer"])
def test_letters_are_the_offices(persona, request, client_for, supervisor, done):
    letter = services.complaint_letter_create(complaint=done, actor=supervisor, body="您好")
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("complaints:letter_new", args=[done.pk])).status_code == 403
    assert client.post(reverse("complaints:letter_new", args=[done.pk]), {"body": "x"}).status_code == 403
    assert client.get(letter.get_absolute_url()).status_code == 403
    assert ComplaintLetter.objects.count() == 1


def test_an_empty_letter_is_refused_and_nothing_kept(client_for, supervisor, done):
    response = client_for(supervisor).post(reverse("complaints:letter_new", args=[done.pk]), {"body": "  "})
    assert response.status_code == 400 and not ComplaintLetter.objects.exists()


def test_the_letter_page_query_count_does_not_grow_with_templates(
    client_for, supervisor, done, template, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(supervisor)
    url = reverse("complaints:letter_new", args=[done.pk]) + f"?template={template.pk}"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        services.reply_template_save(actor=supervisor, name=f"模板{i}", kind="general", body="{name}")
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_a_not_accepted_complaint_fills_found_with_the_reason(supervisor, neike):
    from .factories import make_complaint

    c = make_complaint(received_by=supervisor, department=neike, complainant_name="李四")
    # The state set directly: how a complaint comes to be not accepted is not this test's subject.
    Complaint.objects.filter(pk=c.pk).update(status="not_accepted", not_accepted_reason="已进入诉讼程序")
    c.refresh_from_db()
    text = letters.fill("{name}：{found}", letters.placeholder_values(c))
    assert text == "李四：已进入诉讼程序"


def test_found_names_the_reason_from_the_list_and_then_the_note(supervisor, neike):
    from complaints.models import NotAcceptedReason

    from .factories import make_complaint, not_accept

    reason = NotAcceptedReason.objects.get(code="court_or_mediation")
    with_note = not_accept(
        make_complaint(received_by=supervisor, department=neike),
        actor=supervisor,
        reason="court_or_mediation",
        note="已于3月起诉",
    )
    without = not_accept(
        make_complaint(received_by=supervisor, department=neike),
        actor=supervisor,
        reason="court_or_mediation",
    )
    assert letters.placeholder_values(with_note)["found"] == f"{reason.name}\n已于3月起诉"
    assert letters.placeholder_values(without)["found"] == reason.name


def test_an_answered_complaints_letter_is_not_offered_as_the_answer_and_cannot_replace_it(
    client_for, supervisor, done
):
    url = reverse("complaints:letter_new", args=[done.pk])
    client = client_for(supervisor)
    assert "record_answer" not in client.get(url).content.decode()
    response = client.post(url, {"body": "再次答复的文字", "record_answer": "on"})
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.answer_text == "已电话反馈" and done.answer_method == "phone"  # the answer given stands
    assert ComplaintLetter.objects.get().body == "再次答复的文字"
