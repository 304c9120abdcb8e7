"""Follow-up letters as a PDF (WeasyPrint): one page per patient, the address block where a window
envelope shows it, and for a web time point the patient's personal link to the questionnaire."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def letters_html(letters: list[dict]) -> str:
    """``letters``: dicts with ``task`` (its stay and department loaded) and, for a web time
    point, ``link`` (the full URL) and ``expires_at``."""
    # Printed for the patients: in the hospital's language, whatever the sender's page language.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "followups/letters_pdf.html", {"letters": letters, "hospital": settings.HOSPITAL_NAME}
        )


def letters_pdf(letters: list[dict]) -> bytes:
    from weasyprint import HTML

    return HTML(string=letters_html(letters), base_url=None).write_pdf()
