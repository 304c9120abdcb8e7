"""Reply templates and answer letters: placeholders, their values from a complaint, the letter's PDF.

A template's placeholders are ``{name}`` in braces, from the fixed list ``PLACEHOLDERS``; an unknown
one, or a brace left open, is refused when the template is saved (``placeholders_check``), so a
letter never goes out with ``{nmae}`` in it. Filling is plain substitution (no attribute access, no
format specification: a template is text an office edits, not code). ``{{`` and ``}}`` print a brace.
"""

from __future__ import annotations

import base64
import io
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.infra.wording import join_list
from supervision.models import SiteConfig

from .models import Complaint

# name → what it stands for (shown beside the template editor).
PLACEHOLDERS = {
    "name": gettext_lazy("the complainant's name"),
    "number": gettext_lazy("the complaint's number"),
    "received_on": gettext_lazy("the date the complaint was received"),
    "today": gettext_lazy("the date of the letter"),
    "department": gettext_lazy("the department concerned"),
    "found": gettext_lazy(
        "what was found (the reason for not accepting, the determination and its note, the departments' replies)"
    ),
    "done": gettext_lazy("what was done (the rectification's actions, or the answer recorded)"),
    "hospital": gettext_lazy("the hospital's name"),
}

# {name}, or a doubled brace; anything else with a brace is an error.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def placeholders_check(body: str) -> None:
    """Raise ValidationError naming every unknown placeholder (and a stray brace)."""
    unknown, stray = [], False
    for match in _TOKEN.finditer(body):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            stray = True
        elif name.strip() not in PLACEHOLDERS:
            unknown.append("{" + name + "}")
    errors = []
    if unknown:
        errors.append(
            _("Unknown placeholder %(unknown)s; the placeholders are %(known)s.")
            % {
                "unknown": join_list(dict.fromkeys(unknown)),
                "known": join_list("{" + k + "}" for k in PLACEHOLDERS),
            }
        )
    if stray:
        errors.append(_("A brace is not closed: write a placeholder as {name}, a brace itself as {{ or }}."))
    if errors:
        raise ValidationError(errors)


def fill(body: str, values: dict[str, str]) -> str:
    """The template's text with its placeholders replaced (the body must have passed the check)."""

    def one(match):
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        return values.get(name.strip(), token) if name is not None else token

    return _TOKEN.sub(one, body)


def placeholder_values(complaint: Complaint) -> dict[str, str]:
    """The values of the placeholders for one complaint (read with its assignments and finding),
    worded in the site's language: the letter is for the complainant, not for the clerk."""
    with translation.override(settings.LANGUAGE_CODE):
        return _placeholder_values(complaint)


def _placeholder_values(complaint: Complaint) -> dict[str, str]:
    # The refusal's reason by its name in the list, then the office's note if it wrote one (the
    # complaint keeps the note, or the reason's name when there was none).
    found = []
    if complaint.not_accepted_ground_id:
        found.append(complaint.not_accepted_ground.name)
    if complaint.not_accepted_reason and complaint.not_accepted_reason not in found:
        found.append(complaint.not_accepted_reason)
    if complaint.determination:
        found.append(str(complaint.get_determination_display()))
    if complaint.determination_note:
        found.append(complaint.determination_note)
    found += [a.reply for a in complaint.assignments.all() if a.reply]
    done = []
    order = getattr(complaint.finding, "order", None) if complaint.finding_id else None
    if order is not None:
        # What each corrective action did (its result), or what it planned while not yet done.
        done = [a.result or a.description for a in order.actions.all()]
    if not done and complaint.answer_text:
        done = [complaint.answer_text]
    return {
        "name": complaint.complainant_name,
        "number": complaint.number,
        "received_on": date_format(complaint.received_on, "DATE_FORMAT"),
        "today": date_format(timezone.localdate(), "DATE_FORMAT"),
        "department": complaint.department.name if complaint.department_id else "",
        "found": "\n".join(found),
        "done": "\n".join(done),
        "hospital": settings.HOSPITAL_NAME,
    }


def qr_data_uri(url: str) -> str:
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(out)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def letter_pdf(*, complaint: Complaint, body: str, verdict_url: str = "", when=None) -> bytes:
    """The printable letter: the hospital's header (settings.HOSPITAL_NAME and SiteConfig's letter
    fields), the complaint's number, the text, and the verdict link with its QR code if given."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    config = SiteConfig.get()
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "complaints/letter_pdf.html",
            {
                "hospital": settings.HOSPITAL_NAME,
                "office": config.letter_office,
                "address": config.letter_address,
                "phone": config.letter_phone,
                "complaint": complaint,
                "paragraphs": body.split("\n"),
                "verdict_url": verdict_url,
                "qr": qr_data_uri(verdict_url) if verdict_url else "",
                "date": when or timezone.localdate(),
            },
        )
    # Nothing is fetched but the inline QR picture (data: only).
    return HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
