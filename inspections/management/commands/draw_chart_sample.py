"""Draw (or re-check) the monthly chart-audit sample. Running it twice draws nothing twice."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from inspections import services
from inspections.models import ChartSample


class Command(BaseCommand):
    help = "Draw the chart-audit sample of a discharge month (default: the previous month). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="discharge month as YYYY-MM (default: the previous month)")
        parser.add_argument(
            "--verify", action="store_true", help="repeat the stored draw and report whether it matches"
        )

    def handle(self, *args, month=None, verify=False, **options):
        if month:
            try:
                first = dt.datetime.strptime(month, "%Y-%m").date()
            except ValueError:
                raise CommandError("--month must look like 2026-10") from None
        else:
            first = services.previous_month(timezone.localdate())
        if first >= timezone.localdate().replace(day=1):
            raise CommandError("Only a past month can be drawn: its discharges must be complete.")
        if verify:
            sample = ChartSample.objects.filter(month=first).first()
            if sample is None:
                raise CommandError(f"No sample of {first:%Y-%m} has been drawn.")
            if services.chart_sample_verify(sample=sample):
                self.stdout.write(
                    self.style.SUCCESS(f"{first:%Y-%m}: the draw repeats exactly (seed {sample.seed}).")
                )
                return
            raise CommandError(
                f"{first:%Y-%m}: the repeated draw differs (discharge data changed since the draw)."
            )
        try:
            sample, created = services.chart_sample_draw(month=first)
        except services.NothingToDraw as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{first:%Y-%m}: drew {sample.size} of {sample.population} discharges (seed {sample.seed})."
                )
            )
        else:
            self.stdout.write(
                f"{first:%Y-%m}: already drawn ({sample.size} charts, seed {sample.seed}); nothing changed."
            )
