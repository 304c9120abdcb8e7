"""Demo data of the reports app: last month's reports, queued for the Celery worker to build.

Called by ``manage.py seed_demo`` after every channel app has loaded its records (reports is the
last app), so the reports cover the demo hospital's data. Nothing is rendered here: the rows are
queued and the worker (``make run`` starts one) builds them within seconds.
"""

from __future__ import annotations

import datetime as dt
import random

from supervision.models import Department

from .models import ReportFormat, ReportKind
from .periods import last_month
from .services import report_request


def seed(*, rng: random.Random, today: dt.date, context: dict) -> None:
    start, end = last_month(today)
    for fmt in (ReportFormat.PDF, ReportFormat.XLSX):
        report_request(kind=ReportKind.MONTHLY, start=start, end=end, fmt=fmt)
    # the department version the demo head of 内科 can download
    neike = Department.objects.filter(code="NK").first() or Department.objects.filter(name="内科").first()
    if neike is not None:
        report_request(
            kind=ReportKind.MONTHLY, start=start, end=end, fmt=ReportFormat.PDF, departments=[neike]
        )
