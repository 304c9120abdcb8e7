"""Inspection rounds: scoring, findings from failed items, merge/skip, double submission, photos."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image

from inspections import services
from inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistTemplate,
    Disposition,
    InspectionRound,
    ItemKind,
    RoundStatus,
    TemplateStatus,
    Transition,
)
from inspections.services import AlreadySubmitted, Choice
from supervision.errors import ActionNotAllowed
from supervision.infra.uploads import clean_upload
from supervision.models import Attachment, Category, Finding, FindingSource, RectificationOrder

from .factories import answer_all, make_template, photo_upload, start_round


def test_score_leaves_not_applicable_items_out_of_the_denominator(supervisor, neike):
    template = make_template(items=[("attitude", ItemKind.CHECK)] * 5)
    rnd = start_round(actor=supervisor, department=neike, template=template)
    answer_all(rnd, supervisor, ["pass", "pass", "pass", "fail", "na"])
    rnd = services.round_submit(rnd=rnd, actor=supervisor)
    # 3 passed of 4 applicable: 75.0, not 3 of 5 (60).
    assert (rnd.passed, rnd.failed, rnd.not_applicable) == (3, 1, 1)
    assert rnd.score == Decimal("75.0")
    assert rnd.status == RoundStatus.SUBMITTED


def test_round_with_only_not_applicable_items_has_no_score(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    answer_all(rnd, supervisor, ["na", "na", "na"])
    rnd = services.round_submit(rnd=rnd, actor=supervisor)
    assert rnd.score is None


def test_each_failed_item_becomes_a_finding_with_an_order(supervisor, neike):
    template = make_template(
        items=[("attitude", ItemKind.CHECK), ("hygiene", ItemKind.CHECK), ("norms", ItemKind.CHECK)]
    )
    rnd = start_round(actor=supervisor, department=neike, template=template)
    answers = answer_all(rnd, supervisor, ["fail", "fail", "pass"], note="护士未佩戴工牌")
    services.round_submit(rnd=rnd, actor=supervisor)
    findings = Finding.objects.filter(source=FindingSource.INSPECTION).order_by("id")
    assert findings.count() == 2
    assert {f.category.code for f in findings} == {"attitude", "hygiene"}
    assert all(f.department == neike for f in findings)
    assert RectificationOrder.objects.filter(finding__in=findings).count() == 2
    first = findings[0]
    assert first.source_object == Answer.objects.get(pk=answers[0].pk)
    assert "护士未佩戴工牌" in first.description
    assert Answer.objects.get(pk=answers[0].pk).finding == first


def test_supervisor_merges_failed_items_into_one_finding(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    a1, a2, a3 = answer_all(rnd, supervisor, ["fail", "fail", "fail"])
    services.round_submit(
        rnd=rnd,
        actor=supervisor,
        choices={
            a2.pk: Choice(mode=Disposition.MERGE, merge_into=a1.pk),
            a3.pk: Choice(mode=Disposition.MERGE, merge_into=a1.pk),
        },
    )
    assert Finding.objects.count() == 1
    finding = Finding.objects.get()
    assert finding.description.count("检查项") == 3
    assert set(Answer.objects.filter(round=rnd).values_list("finding_id", flat=True)) == {finding.pk}
    assert Answer.objects.get(pk=a2.pk).disposition == Disposition.MERGE


def test_skipping_a_failed_item_needs_a_reason_and_is_recorded(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    a1, _a2, _a3 = answer_all(rnd, supervisor, ["fail", "fail", "pass"])
    with pytest.raises(ActionNotAllowed):
        services.round_submit(
            rnd=rnd, actor=supervisor, choices={a1.pk: Choice(mode=Disposition.SKIP, reason=" ")}
        )
    assert Finding.objects.count() == 0
    assert InspectionRound.objects.get(pk=rnd.pk).status == RoundStatus.DRAFT
    services.round_submit(
        rnd=rnd, actor=supervisor, choices={a1.pk: Choice(mode=Disposition.SKIP, reason="当场已整改")}
    )
    assert Finding.objects.count() == 1
    skipped = Answer.objects.get(pk=a1.pk)
    assert (
        skipped.disposition == Disposition.SKIP
        and skipped.skip_reason == "当场已整改"
        and skipped.finding is None
    )
    log = Transition.objects.get(action="submit", object_id=rnd.pk)
    assert "当场已整改" in log.comment_text and log.actor == supervisor


def test_merge_into_a_skipped_item_is_refused(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    a1, a2, _ = answer_all(rnd, supervisor, ["fail", "fail", "pass"])
    with pytest.raises(ActionNotAllowed):
        services.round_submit(
            rnd=rnd,
            actor=supervisor,
            choices={
                a1.pk: Choice(mode=Disposition.SKIP, reason="x"),
                a2.pk: Choice(mode=Disposition.MERGE, merge_into=a1.pk),
            },
        )
    assert Finding.objects.count() == 0


def test_round_submitted_twice_is_stored_once(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    answer_all(rnd, supervisor, ["fail", "fail", "pass"])
    services.round_submit(rnd=rnd, actor=supervisor)
    with pytest.raises(AlreadySubmitted):
        services.round_submit(rnd=rnd, actor=supervisor)
    assert Finding.objects.count() == 2
    assert Transition.objects.filter(action="submit").count() == 1


def test_answers_cannot_change_after_submission(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    answer_all(rnd, supervisor, ["pass", "pass", "pass"])
    services.round_submit(rnd=rnd, actor=supervisor)
    item = rnd.template.items.first()
    with pytest.raises(ActionNotAllowed):
        services.answer_save(rnd=rnd, item=item, actor=supervisor, result="fail")
    assert Answer.objects.get(round=rnd, item=item).result == "pass"


def test_unanswered_items_block_submission(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    item = rnd.template.items.first()
    services.answer_save(rnd=rnd, item=item, actor=supervisor, result="pass")
    with pytest.raises(ActionNotAllowed):
        services.round_submit(rnd=rnd, actor=supervisor)
    assert InspectionRound.objects.get(pk=rnd.pk).status == RoundStatus.DRAFT


def test_only_supervisors_run_rounds(head_neike, neike):
    with pytest.raises(ActionNotAllowed):
        start_round(actor=head_neike, department=neike)


def test_waiting_time_over_target_fails_the_item(supervisor, guahao, config):
    template = make_template(
        items=[("waiting", ItemKind.WAIT_TIME), ("attitude", ItemKind.CHECK)], area="registration"
    )
    rnd = start_round(actor=supervisor, department=guahao, template=template)
    wait, _check = template.items.order_by("sort_order")
    answer = services.answer_save(
        rnd=rnd, item=wait, actor=supervisor, result="pass", wait_minutes=Decimal("18")
    )
    assert answer.result == "fail"  # the measurement decides, not the tap
    answer = services.answer_save(rnd=rnd, item=wait, actor=supervisor, wait_minutes=Decimal("10"))
    assert answer.result == "pass"  # ≤ 10 is within the target
    config.wait_target_minutes = 8
    config.save()
    answer = services.answer_save(rnd=rnd, item=wait, actor=supervisor, wait_minutes=Decimal("10"))
    assert answer.result == "fail"


def test_hand_hygiene_compliance_below_target_fails(supervisor, neike, config):
    template = make_template(items=[("quality_safety", ItemKind.HAND_HYGIENE)])
    rnd = start_round(actor=supervisor, department=neike, template=template)
    item = template.items.get()
    assert (
        services.answer_save(rnd=rnd, item=item, actor=supervisor, hh_opportunities=10, hh_washes=7).result
        == "fail"
    )
    assert (
        services.answer_save(rnd=rnd, item=item, actor=supervisor, hh_opportunities=10, hh_washes=8).result
        == "pass"
    )
    with pytest.raises(ActionNotAllowed):
        services.answer_save(rnd=rnd, item=item, actor=supervisor, hh_opportunities=5, hh_washes=6)


def test_failed_item_photos_go_to_the_finding_without_location_data(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    a1, _a2, _a3 = answer_all(rnd, supervisor, ["fail", "pass", "pass"])
    upload = clean_upload(photo_upload(with_gps=True), allow_pdf=False)
    services.photo_add(answer=a1, upload=upload, actor=supervisor)
    services.round_submit(rnd=rnd, actor=supervisor)
    attachment = Attachment.objects.get()
    assert attachment.finding == Answer.objects.get(pk=a1.pk).finding
    with attachment.file.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        assert not image.getexif().get(0x8825)


def test_template_in_use_is_immutable_and_editing_makes_a_new_version(supervisor, administrator, neike):
    template = make_template()
    start_round(actor=supervisor, department=neike, template=template)
    item = template.items.first()
    item.text = "改过的"
    with pytest.raises(ActionNotAllowed):
        services.checklist_items_change(template=template, save=[item])
    with pytest.raises(ActionNotAllowed):
        services.checklist_items_change(template=template, delete=[template.items.last()])
    assert template.items.count() == 3
    new = services.template_new_version(template=template, actor=administrator)
    assert new.version == 2 and new.status == TemplateStatus.DRAFT
    assert new.items.count() == template.items.count()
    edited = new.items.first()
    edited.text = "新版检查项"
    with pytest.raises(ActionNotAllowed):  # an item of another version is refused, not moved
        services.checklist_items_change(template=template, save=[edited])
    services.checklist_items_change(template=new, save=[edited])
    services.template_publish(template=new, actor=administrator)
    template.refresh_from_db()
    assert template.status == TemplateStatus.RETIRED
    assert ChecklistItem.objects.get(pk=item.pk).text == "检查项 1"


def test_seeded_templates_cover_every_area(db):
    areas = set(
        ChecklistTemplate.objects.filter(status=TemplateStatus.PUBLISHED).values_list("area", flat=True)
    )
    assert areas == {
        "outpatient",
        "ward",
        "emergency",
        "registration",
        "billing",
        "pharmacy",
        "guidance",
        "appointment",
        "report_printing",
        "support",
    }
    assert ChecklistItem.objects.filter(template__code="registration", kind=ItemKind.WAIT_TIME).exists()
    assert ChecklistItem.objects.filter(template__code="ward", kind=ItemKind.HAND_HYGIENE).exists()
    assert not ChecklistItem.objects.filter(category=Category.objects.get(code="other")).exists()


def test_a_round_started_by_mistake_is_discarded_with_a_reason(supervisor, neike):
    rnd = start_round(actor=supervisor, department=neike)
    answer_all(rnd, supervisor, ["fail", "pass", "pass"])
    with pytest.raises(ActionNotAllowed):
        services.round_discard(rnd=rnd, actor=supervisor, reason="")
    services.round_discard(rnd=rnd, actor=supervisor, reason="科室选错")
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.DISCARDED and Finding.objects.count() == 0
    assert Transition.objects.get(action="discard").comment == "科室选错"
    with pytest.raises(ActionNotAllowed):
        services.round_submit(rnd=rnd, actor=supervisor)
    assert Finding.objects.count() == 0


def test_round_needs_a_published_checklist_a_known_type_and_an_active_department(supervisor, neike):
    draft = make_template(code="draft-only", published=False)
    published = make_template()
    with pytest.raises(ActionNotAllowed):
        start_round(actor=supervisor, department=neike, template=draft)
    with pytest.raises(ActionNotAllowed):
        start_round(actor=supervisor, department=neike, template=published, round_type="picnic")
    neike.active = False
    neike.save()
    with pytest.raises(ActionNotAllowed):
        start_round(actor=supervisor, department=neike, template=published)
    assert InspectionRound.objects.count() == 0
