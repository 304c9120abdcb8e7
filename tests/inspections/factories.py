"""Factories and helpers of the inspections tests."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from inspections import services
from inspections.models import ChecklistItem, ChecklistTemplate, ItemKind, TemplateStatus
from supervision.models import Category


def make_template(*, code="t-test", area="ward", items=(("attitude", ItemKind.CHECK),) * 3, published=True):
    template = ChecklistTemplate.objects.create(
        code=code,
        version=1,
        name=f"测试表 {code}",
        area=area,
        status=TemplateStatus.DRAFT,
    )
    for i, (category_code, kind) in enumerate(items, 1):
        ChecklistItem.objects.create(
            template=template,
            category=Category.objects.get(code=category_code),
            text=f"检查项 {i}",
            kind=kind,
            sort_order=i,
        )
    if published:
        ChecklistTemplate.objects.filter(pk=template.pk).update(
            status=TemplateStatus.PUBLISHED, published_at=timezone.now()
        )
        template.refresh_from_db()
    return template


def start_round(*, actor, department, template=None, round_type="routine", started_at=None):
    template = template or make_template()
    return services.round_start(
        template=template,
        department=department,
        round_type=round_type,
        actor=actor,
        started_at=started_at,
    )


def answer_all(rnd, actor, results: list[str], **kw):
    """Answer the round's items in order with ``results`` ('pass'/'fail'/'na')."""
    items = list(rnd.template.items.order_by("sort_order"))
    answers = []
    for item, result in zip(items, results, strict=True):
        answers.append(services.answer_save(rnd=rnd, item=item, actor=actor, result=result, **kw))
    return answers


def jpeg_bytes(*, with_gps: bool = False) -> bytes:
    image = Image.new("RGB", (32, 24), (200, 30, 30))
    out = io.BytesIO()
    if with_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}  # GPSInfo
        exif[0x010F] = "PhoneMaker"
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def photo_upload(name="现场.jpg", **kw) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kw), content_type="image/jpeg")
