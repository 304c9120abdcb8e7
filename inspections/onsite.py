"""The on-site report of a submitted round (现场督察反馈单): score, failed items with their photos, the
orders that follow, and the ward's sign-off; shown on the tablet before signing and as a one-page PDF.

The PDF is built from the round's stored rows whenever it is asked for (a submitted round does not
change), with photos and the signature embedded as data URIs: WeasyPrint fetches nothing (its URL
fetcher is allowed ``data:`` only)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from PIL import Image

from .models import Answer, AnswerResult, InspectionRound, RoundSignOff

THUMB_PX = 480  # photos are shrunk for a one-page report; the originals stay on the finding
MAX_PHOTOS_PER_ITEM = 2


@dataclass
class FailedItem:
    text: str
    note: str
    finding_number: str = ""
    order_number: str = ""
    deadline: object = None
    photos: list[str] = field(default_factory=list)  # data URIs (PDF) — empty on the page


def failed_items(rnd: InspectionRound, *, with_photos: bool = False) -> list[FailedItem]:
    answers = (
        Answer.objects.filter(round=rnd, result=AnswerResult.FAIL)
        .select_related("item", "finding", "finding__order")
        .prefetch_related("photos")
        .order_by("item__sort_order", "item_id")
    )
    items = []
    for answer in answers:
        finding = answer.finding
        order = getattr(finding, "order", None) if finding else None
        items.append(
            FailedItem(
                text=answer.item.text,
                note=answer.note,
                finding_number=finding.number if finding else "",
                order_number=order.number if order else "",
                deadline=order.deadline if order else None,
                photos=[_thumb(p) for p in list(answer.photos.all())[:MAX_PHOTOS_PER_ITEM]]
                if with_photos
                else [],
            )
        )
    return items


def _thumb(photo) -> str:
    with photo.file.open("rb") as handle, Image.open(handle) as image:
        image.thumbnail((THUMB_PX, THUMB_PX))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def signature_data_uri(sign_off: RoundSignOff | None) -> str:
    if sign_off is None:
        return ""
    with sign_off.signature.open("rb") as handle:
        return "data:image/png;base64," + base64.b64encode(handle.read()).decode()


def data_only_fetcher():
    """WeasyPrint's own fetcher, allowed the ``data:`` scheme only."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def report_pdf(rnd: InspectionRound) -> bytes:
    from weasyprint import HTML

    sign_off = RoundSignOff.objects.filter(round=rnd).first()
    html = render_to_string(
        "inspections/onsite_report_pdf.html",
        {
            "round": rnd,
            "hospital": settings.HOSPITAL_NAME,
            "inspectors": list(rnd.inspectors.all()),
            "items": failed_items(rnd, with_photos=True),
            "sign_off": sign_off,
            "signature": signature_data_uri(sign_off),
        },
    )
    return HTML(string=html, base_url=None, url_fetcher=data_only_fetcher()).write_pdf()
