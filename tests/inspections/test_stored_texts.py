"""The finding a problem chart becomes is worded for whoever reads it: its heading (chart, discharge
date, doctor, score, grade) in the reader's language and date format; the deductions as written."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

from django.apps import apps
from django.urls import reverse
from django.utils import translation

from inspections import services
from inspections.models import ChartCriterion, CriterionLevel
from supervision.models import Finding, FindingSource, Notification
from tests.factories import DischargeStayFactory, make_finding

MONTH = dt.date(2026, 10, 1)
ZH = "问题病历 NK00001（2026年10月1日 出院），责任医师 张医生：94.0 分，甲级。"
EN = "Problem chart NK00001 (discharged 1 Oct 2026), responsible doctor 张医生: 94.0 points, grade Grade A."


def _problem_chart(neike, supervisor) -> Finding:
    DischargeStayFactory(
        department=neike, admission_no="NK00001", discharged_on=MONTH, attending_doctor="张医生"
    )
    sample, _ = services.chart_sample_draw(month=MONTH)
    criterion = ChartCriterion.objects.create(
        section="病程",
        text="首次病程记录",
        points=Decimal("3"),
        max_points=Decimal("6"),
        level=CriterionLevel.NORMAL,
    )
    with translation.override("zh-hans"):  # the auditor works in Chinese
        services.audit_complete(
            audit=sample.audits.get(), actor=supervisor, defects={criterion.pk: (2, "缺上级意见")}
        )
    return Finding.objects.get(source=FindingSource.CHART_AUDIT)


def test_the_finding_page_words_the_heading_for_the_reader(client_for, neike, supervisor):
    finding = _problem_chart(neike, supervisor)
    assert finding.description_key == "text.lines"
    assert finding.description.startswith(ZH)  # the site's wording, for searching
    client = client_for(supervisor)
    html = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert ZH in html and "病程·首次病程记录 ×2 −6" in html
    supervisor.language = "en"
    supervisor.save()
    html = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert EN in html and "病程·首次病程记录 ×2 −6" in html
    assert "问题病历" not in html


def test_the_order_notice_body_is_worded_for_its_reader(client_for, neike, supervisor, head_neike):
    _problem_chart(neike, supervisor)
    notice = Notification.objects.get(recipient=head_neike)
    assert notice.body == "" and notice.params["_body"]["key"] == "text.lines"
    head_neike.language = "en"
    head_neike.save()
    html = client_for(head_neike).get(reverse("notification_list")).content.decode()
    assert EN in html


def test_the_migration_converts_chinese_and_english_headings_and_keeps_unknown_ones(neike, supervisor):
    def finding(text):
        return make_finding(
            department=neike, found_by=supervisor, source=FindingSource.CHART_AUDIT, description=text
        )

    chinese = finding(
        "问题病历 NK00001（2026-10-01 出院），责任医师 张医生：94.0 分，甲级。\n病程·首次病程记录 ×2 −6"
    )
    english = finding(
        "Problem chart NK00001 (discharged 2026-10-01), responsible doctor 张医生: 94.0 points, grade Grade A."
    )
    unknown = finding("手工记录的病历问题")

    importlib.import_module("supervision.migrations.0009_stored_texts_to_keys").forwards(apps, None)

    for row in (chinese, english, unknown):
        row.refresh_from_db()
    with translation.override("en"):
        assert chinese.description_text == EN + "\n病程·首次病程记录 ×2 −6"
        assert unknown.description_text == "手工记录的病历问题"
    with translation.override("zh-hans"):
        assert english.description_text == ZH
    assert english.description_params["grade"] == "A"
    assert unknown.description_key == ""
