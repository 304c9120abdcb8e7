from django.core.management.base import BaseCommand, CommandError

from api.his import discharges_pull


class Command(BaseCommand):
    help = "Pull discharged stays from the HIS database now (HIS_DATABASE_URL, the admin's HIS pull query)."

    def handle(self, *args, **options):
        report = discharges_pull()
        if report.file_error:
            raise CommandError(report.file_error)
        for error in report.errors[:50]:
            self.stderr.write(f"{error.row} {error.column}: {error.message}")
        if not report.ok:
            raise CommandError(f"{len(report.errors)} row errors; nothing was imported.")
        self.stdout.write(
            f"{report.total_rows} rows: {report.created} new, {report.updated} updated, {report.unchanged} unchanged"
        )
