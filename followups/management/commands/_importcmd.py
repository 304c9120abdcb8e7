"""Shared body of the follow-up import commands."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class ImportCommand(BaseCommand):
    run = None  # set by subclasses

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx or .csv file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        with path.open("rb") as handle:

            def progress(done, phase):
                self.stderr.write(f"{phase}: {done}")

            report = type(self).run(source=handle, file_name=path.name, actor=None, progress=progress)
        if not report.ok:
            if report.file_error:
                self.stderr.write(report.file_error)
            for error in report.errors[:200]:
                self.stderr.write(f"第 {error.row} 行 {error.column}: {error.message}")
            raise CommandError(f"nothing imported: {len(report.errors) + bool(report.file_error)} errors")
        self.stdout.write(
            f"rows {report.total_rows}: {report.created} new, {report.updated} updated, {report.unchanged} unchanged"
        )
