"""Write a month's per-person sheet (个人绩效) to a file, for a scheduled hand-over to the
hospital's performance system: ``manage.py people_sheet --month 2026-11 --output 个人绩效-2026-11.xlsx``.

The same workbook the office downloads (``supervision.people.sheet_workbook``); the month defaults
to the last one. Not logged as a person's view: it runs as a job, not as someone reading records.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from supervision.forms import SheetForm
from supervision.people import sheet_workbook


class Command(BaseCommand):
    help = "Write the monthly per-person sheet (个人绩效) for the performance system."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--output", required=True, help="the .xlsx file to write")

    def handle(self, *args, month=None, output, **options):
        if not month:
            last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
            month = f"{last:%Y-%m}"
        form = SheetForm({"month": month})
        if not form.is_valid():
            raise CommandError("; ".join(form.errors["month"]))
        path = Path(output)
        path.write_bytes(sheet_workbook(month=form.cleaned_data["month"]))
        self.stdout.write(f"{path} ({form.cleaned_data['month']:%Y-%m})")
