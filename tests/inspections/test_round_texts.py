"""What a round and a chart audit write is worded for whoever reads it: a measured item's line in
the finding ("10 个手卫生时机中洗手 6 次" / "6 hand washes in 10 opportunities"), a chart's score in
its history, the items a round filed without a finding; the checklist's and the inspector's own
words as written. The texts stored worded before are converted, every row kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from inspections import services
from inspections.models import ChartCriterion, CriterionLevel, Disposition, ItemKind, Transition
from inspections.services import Choice
from supervision.models import Finding, FindingSource
from tests.factories import DischargeStayFactory, make_finding

from .factories import make_template, start_round

HH_ZH = "检查项 1：10 个手卫生时机中洗手 6 次（目标 ≥ 80%）。洗手液空了"
HH_EN = "检查项 1: 6 hand washes in 10 opportunities (target ≥ 80%). 洗手液空了"


@pytest.fixture
def measured_round(supervisor, neike, config):
    """A ward round: hand hygiene 6 of 10 with the inspector's note, a wait of 45 minutes, a
    failed check item skipped with a reason."""
    template = make_template(
        items=[
            ("quality_safety", ItemKind.HAND_HYGIENE),
            ("waiting", ItemKind.WAIT_TIME),
            ("attitude", ItemKind.CHECK),
        ]
    )
    rnd = start_round(actor=supervisor, department=neike, template=template)
    hh, wait, check = template.items.order_by("sort_order")
    services.answer_save(
        rnd=rnd, item=hh, actor=supervisor, hh_opportunities=10, hh_washes=6, note="洗手液空了"
    )
    services.answer_save(rnd=rnd, item=wait, actor=supervisor, wait_minutes=Decimal("45.0"))
    skipped = services.answer_save(rnd=rnd, item=check, actor=supervisor, result="fail")
    return rnd, skipped


def _submit(rnd, skipped, supervisor, language="en"):
    # The inspector works in English: what is stored does not depend on it.
    with translation.override(language):
        services.round_submit(
            rnd=rnd,
            actor=supervisor,
            choices={skipped.pk: Choice(mode=Disposition.SKIP, reason="当场已纠正")},
        )


def test_a_measured_finding_is_worded_in_chinese_and_in_english(measured_round, supervisor):
    rnd, skipped = measured_round
    _submit(rnd, skipped, supervisor)
    hygiene, wait = Finding.objects.order_by("id")
    assert hygiene.description_key == "inspection.finding.note"
    # The site's wording is stored for searching, whatever the inspector's language.
    assert hygiene.description == HH_ZH
    with translation.override("zh-hans"):
        assert hygiene.description_text == HH_ZH
        assert wait.description_text.startswith("检查项 2：等候 45 分钟（标准 ≤ ")
    with translation.override("en"):
        assert hygiene.description_text == HH_EN
        assert wait.description_text.startswith("检查项 2: waiting 45 minutes (target ≤ ")
        assert "None" not in wait.description_text and "E+" not in wait.description_text


def test_the_finding_page_shows_the_reader_s_language(measured_round, supervisor, client_for):
    rnd, skipped = measured_round
    _submit(rnd, skipped, supervisor, language="zh-hans")
    finding = Finding.objects.order_by("id").first()
    client = client_for(supervisor)
    assert HH_ZH in client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    supervisor.language = "en"
    supervisor.save()
    page = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert HH_EN in page and "手卫生时机" not in page


def test_merged_items_are_one_line_each_in_the_reader_s_language(supervisor, neike, config):
    template = make_template(items=[("quality_safety", ItemKind.HAND_HYGIENE), ("attitude", ItemKind.CHECK)])
    rnd = start_round(actor=supervisor, department=neike, template=template)
    hh, check = template.items.order_by("sort_order")
    lead = services.answer_save(rnd=rnd, item=hh, actor=supervisor, hh_opportunities=10, hh_washes=6)
    other = services.answer_save(rnd=rnd, item=check, actor=supervisor, result="fail")
    services.round_submit(
        rnd=rnd, actor=supervisor, choices={other.pk: Choice(mode=Disposition.MERGE, merge_into=lead.pk)}
    )
    finding = Finding.objects.get()
    with translation.override("en"):
        assert finding.description_text == (
            "检查项 1: 6 hand washes in 10 opportunities (target ≥ 80%)\n检查项 2"
        )
    assert finding.description == "检查项 1：10 个手卫生时机中洗手 6 次（目标 ≥ 80%）\n检查项 2"


def test_the_round_history_words_the_skipped_items_for_the_reader(measured_round, supervisor, client_for):
    rnd, skipped = measured_round
    _submit(rnd, skipped, supervisor)
    note = Transition.objects.get(action="submit", object_id=rnd.pk)
    assert note.comment == "" and note.comment_key == "inspection_round.skipped"
    with translation.override("zh-hans"):
        assert note.comment_text == "不立问题：检查项 3：当场已纠正"
    with translation.override("en"):
        assert note.comment_text == "Skipped: 检查项 3: 当场已纠正"
    supervisor.language = "en"
    supervisor.save()
    page = client_for(supervisor).get(rnd.get_absolute_url()).content.decode()
    assert "Skipped: 检查项 3: 当场已纠正" in page


def test_a_chart_s_score_in_its_history_is_worded_for_the_reader(neike, supervisor, client_for):
    DischargeStayFactory(department=neike, admission_no="NK00009", discharged_on=dt.date(2026, 10, 2))
    sample, _ = services.chart_sample_draw(month=dt.date(2026, 10, 1))
    criterion = ChartCriterion.objects.create(
        section="病程",
        text="首次病程记录",
        points=Decimal("3"),
        max_points=Decimal("6"),
        level=CriterionLevel.NORMAL,
    )
    audit = sample.audits.get()
    services.audit_complete(audit=audit, actor=supervisor, defects={criterion.pk: (1, "")})
    note = Transition.objects.get(action="audit")
    with translation.override("zh-hans"):
        assert note.comment_text == "97.0 分 · 甲级"
    with translation.override("en"):
        assert note.comment_text == "97.0 points · Grade A"
    supervisor.language = "en"
    supervisor.save()
    page = client_for(supervisor).get(reverse("inspections:audit_detail", args=[audit.pk])).content.decode()
    assert "97.0 points · Grade A" in page


def test_the_weekly_meeting_report_reads_the_finding_in_the_hospital_s_language(
    measured_round, supervisor, neike
):
    """Reports are documents in the hospital's language: the finding reads as the site words it."""
    from reports.builders import build_content
    from reports.models import ReportKind
    from reports.periods import week_bounds
    from supervision import services as core
    from supervision.models import RectificationOrder

    rnd, skipped = measured_round
    _submit(rnd, skipped, supervisor)
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    finding = Finding.objects.order_by("id").first()
    RectificationOrder.objects.filter(finding=finding).update(deadline=monday - dt.timedelta(days=30))
    core.orders_climb_ladder(today=monday)
    start, end = week_bounds(monday)
    with translation.override("en"):  # whoever asked for it
        content = build_content(kind=ReportKind.WEEKLY_MEETING, start=start, end=end, today=monday)
    rows = [row for section in content.sections for table in section.tables for row in table.rows]
    assert any("10 个手卫生时机中洗手 6 次" in str(cell) for row in rows for cell in row)


# --- the migration ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_converts_chinese_and_english_texts_and_keeps_every_row():
    from tests.migrating import migrate_to, restore

    try:
        old = migrate_to(("inspections", "0014_checklist_item_editor_fields"))
        user = old.get_model("supervision", "User").objects.create(username="old-hand")
        department = old.get_model("supervision", "Department").objects.create(code="OLD", name="旧科室")
        category = old.get_model("supervision", "Category").objects.get(code="quality_safety")
        Finding = old.get_model("supervision", "Finding")
        written = {
            "zh": "手卫生：10 个手卫生时机中洗手 8 次（目标 ≥ 90%）。洗手液空了\n地面湿滑",
            "en": "手卫生：8 hand washes in 10 opportunities (target ≥ 90%)",
            "wait": "挂号：等候 1E+1 分钟（标准 ≤ None 分钟）",
            "plain": "护士未佩戴工牌。口头提醒",
            "typed": "手工记录的问题",
        }
        for i, text in enumerate(written.values()):
            Finding.objects.create(
                number=f"WT2026-9{i:05d}",
                source="inspection",
                category=category,
                department=department,
                description=text,
                found_by=user,
                found_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
            )
        content_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="inspections", model="chartaudit"
        )[0]
        History = old.get_model("inspections", "Transition")
        notes = {
            "audit": "94.0 分 · 甲级",
            "regrade": "82.0 points · Grade B → 100.0 points · Grade A",
            "submit": "不立问题：检查项 3：当场已纠正；检查项 4：无",
            "decide": "核实属实",
        }
        for action, comment in notes.items():
            History.objects.create(
                content_type=content_type,
                object_id=1,
                action=action,
                to_status="completed",
                actor=user,
                comment=comment,
            )
        new = migrate_to(("inspections", "0015_stored_texts_to_keys"))
        findings = {
            key: new.get_model("supervision", "Finding").objects.get(description=text)
            for key, text in written.items()
        }
        history = {r.action: r for r in new.get_model("inspections", "Transition").objects.all()}
    finally:
        restore()
    from supervision.infra.wording import render

    def worded(row, key_field, params_field, text_field, language):
        with translation.override(language):
            return render(
                getattr(row, key_field), getattr(row, params_field), fallback=getattr(row, text_field)
            )

    def finding(key, language):
        return worded(findings[key], "description_key", "description_params", "description", language)

    def note(action, language):
        return worded(history[action], "comment_key", "comment_params", "comment", language)

    assert len(findings) == len(written) and len(history) == len(notes)  # every row kept
    assert (
        finding("zh", "en")
        == "手卫生: 8 hand washes in 10 opportunities (target ≥ 90%). 洗手液空了\n地面湿滑"
    )
    assert finding("zh", "zh-hans") == written["zh"]
    assert finding("en", "zh-hans") == "手卫生：10 个手卫生时机中洗手 8 次（目标 ≥ 90%）"
    assert finding("wait", "en") == "挂号: waiting 10 minutes (target ≤ —)"  # never "None", never 1E+1
    for kept in ("plain", "typed"):
        assert findings[kept].description_key == "" and finding(kept, "en") == written[kept]
    assert note("audit", "en") == "94.0 points · Grade A"
    assert note("regrade", "zh-hans") == "82.0 分 · 乙级 → 100.0 分 · 甲级"
    assert note("submit", "en") == "Skipped: 检查项 3：当场已纠正；检查项 4：无"
    assert history["decide"].comment_key == "" and note("decide", "en") == "核实属实"
    # Converted rows keep the text as written, as the fallback.
    assert findings["zh"].description == written["zh"] and history["audit"].comment == notes["audit"]


def test_a_finding_typed_by_a_person_is_stored_as_typed(neike, supervisor):
    finding = make_finding(
        department=neike,
        found_by=supervisor,
        source=FindingSource.INSPECTION,
        description="10 个时机洗手 8 次",
    )
    assert finding.description_key == "" and finding.description_text == "10 个时机洗手 8 次"


def test_the_order_e_mail_words_the_finding_in_the_recipient_s_language(
    measured_round, supervisor, head_neike, settings
):
    from django.core import mail

    from supervision import services as core

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    head_neike.language = "en"
    head_neike.email_mode = "immediate"  # the e-mail of each notice, not the daily digest
    head_neike.save()
    rnd, skipped = measured_round
    _submit(rnd, skipped, supervisor, language="zh-hans")
    with translation.override("zh-hans"):  # the sweep's own language is irrelevant
        core.notifications_email_pending()
    bodies = [m.body for m in mail.outbox if head_neike.email in m.to]
    assert any(HH_EN in body for body in bodies) and not any("手卫生时机" in body for body in bodies)
