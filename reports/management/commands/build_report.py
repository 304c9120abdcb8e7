"""manage.py build_report --kind monthly --period 2026-10 --format pdf --out FILE

Builds one report synchronously (no Celery) from the same builders as the web and beat reports.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from reports.builders import build_content
from reports.models import ReportFormat, ReportKind
from reports.periods import parse_period, written_period
from reports.services import render_to, write_atomically
from supervision.models import Department


class Command(BaseCommand):
    help = (
        "Build a monthly, annual or date-range report as PDF or Excel into a file; the written summary "
        "of a year, half-year or quarter also as Word (docx)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=ReportKind.values, required=True)
        parser.add_argument("--period", help="2026-10 for --kind monthly, 2026 for --kind annual")
        parser.add_argument("--from", dest="start", help="first day (YYYY-MM-DD) for --kind range")
        parser.add_argument("--to", dest="end", help="last day (YYYY-MM-DD) for --kind range")
        parser.add_argument("--department", action="append", default=[], help="department code (repeatable)")
        parser.add_argument("--format", choices=ReportFormat.values, default=ReportFormat.PDF)
        parser.add_argument("--out", required=True, help="output file")

    def handle(self, *args, **options):
        kind = options["kind"]
        try:
            start, end = parse_period(kind, options["period"], options["start"], options["end"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == ReportFormat.DOCX and written_period(start, end) is None:
            raise CommandError(_("Word is made for the written summary of a year, a half-year or a quarter."))
        codes = options["department"]
        departments = list(Department.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {d.code for d in departments})
        if missing:
            raise CommandError(f"unknown department code(s): {', '.join(missing)}")
        began = time.perf_counter()
        out = Path(options["out"]).resolve()
        with translation.override(settings.LANGUAGE_CODE):
            content = build_content(
                kind=kind,
                start=start,
                end=end,
                department_ids=[d.pk for d in departments] or None,
                with_data=options["format"] == "xlsx",
            )
            size = write_atomically(out, lambda handle: render_to(content, options["format"], handle))
        self.stdout.write(f"{out} ({size:,} bytes, {content.title}, {time.perf_counter() - began:.2f} s)")
