"""The demo data loads through the services and leaves something on every page."""

from __future__ import annotations

import random

from django.utils import timezone

from inspections import demo, services
from inspections.models import Appeal, ChartAudit, ChartSample, InspectionRound, RoundStatus
from supervision import demo as core_demo
from supervision.models import Finding, FindingSource


def test_demo_seed_creates_rounds_findings_samples_and_audits(db):
    rng = random.Random(7)
    today = timezone.localdate()
    context = core_demo.seed(rng, today)
    demo.seed(rng=rng, today=today, context=context)
    assert InspectionRound.objects.filter(status=RoundStatus.SUBMITTED).count() > 20
    assert InspectionRound.objects.filter(status=RoundStatus.DRAFT).exists()
    assert Finding.objects.filter(source=FindingSource.INSPECTION, source_type__model="answer").exists()
    assert ChartSample.objects.count() == 2
    assert ChartAudit.objects.filter(is_problem=True).exists()
    assert Appeal.objects.exists()
    for sample in ChartSample.objects.all():
        assert services.chart_sample_verify(sample=sample)


def test_every_page_renders_with_demo_data(db, client):
    from django.urls import reverse

    rng = random.Random(11)
    today = timezone.localdate()
    context = core_demo.seed(rng, today)
    demo.seed(rng=rng, today=today, context=context)
    users = context["users"]
    submitted = InspectionRound.objects.filter(status=RoundStatus.SUBMITTED, failed__gt=0).first()
    draft = InspectionRound.objects.filter(status=RoundStatus.DRAFT).first()
    appealed = Appeal.objects.select_related("deduction__audit").first().deduction.audit
    pending = ChartAudit.objects.filter(status="pending").first()
    urls = [
        reverse("inspections:round_list"),
        submitted.get_absolute_url(),
        draft.get_absolute_url(),
        reverse("inspections:round_submit", args=[draft.pk]),
        reverse("inspections:coverage"),
        reverse("inspections:plan"),
        reverse("inspections:figures") + "?start=2000-01-01",
        reverse("inspections:audit_list"),
        appealed.get_absolute_url(),
        pending.get_absolute_url(),
        reverse("inspections:sample_list"),
        reverse("inspections:appeal_list"),
        reverse("dashboard"),
    ]
    client.force_login(users["supervisor"])
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.force_login(users["head-neike"])
    assert client.get(reverse("inspections:figures")).status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200
    client.force_login(users["admin"])
    assert client.get(reverse("dashboard")).status_code == 200
