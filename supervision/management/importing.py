"""Shared body of the import_* management commands."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from supervision.importing import IMPORTERS, import_file


class ImportCommand(BaseCommand):
    kind = ""

    @property
    def help(self):
        headers = "、".join(IMPORTERS[self.kind].headers())
        return f"Import {self.kind} from .xlsx or .csv (columns: {headers}). All-or-nothing; re-import is idempotent."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": file})
        with file.open("rb") as handle:
            report = import_file(self.kind, source=handle, file_name=file.name, actor=None)
        if not report.ok:
            if report.file_error:
                self.stderr.write(report.file_error)
            for error in report.errors:
                self.stderr.write(f"{_('Row')} {error.row} {error.column}: {error.message}")
            raise CommandError(_("Nothing was imported."))
        self.stdout.write(
            _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {"new": report.created, "updated": report.updated, "unchanged": report.unchanged}
        )
