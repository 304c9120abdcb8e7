"""Shared body of the import_* management commands (the core's and the channels').

A command words everything — its progress, each refused row and the result — in the language it
runs with: the site's ``LANGUAGE_CODE`` (zh-hans unless the installation says otherwise), made
explicit here so that a language left active by the caller (a test, a shell) does not leak in.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from supervision.importing import IMPORTERS, import_file

MAX_ROWS_LISTED = 200  # a terminal, not a report: the whole list stays in the ImportRun (and the page)


def import_from_path(command: BaseCommand, path: Path, run, *, progress: bool = False) -> None:
    """Run ``run(source=…, file_name=…, actor=None[, progress=…])`` on the file at ``path`` and write
    the result to the command's streams; a refused file raises ``CommandError`` (exit status 1)."""
    with translation.override(settings.LANGUAGE_CODE):
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        options = {}
        if progress:

            def step(done, phase):
                text = _("Writing %(n)s rows…") if phase == "writing" else _("Rows checked: %(n)s")
                command.stderr.write(text % {"n": done})

            options["progress"] = step
        with path.open("rb") as handle:
            report = run(source=handle, file_name=path.name, actor=None, **options)
        if not report.ok:
            if report.file_error:
                command.stderr.write(report.file_error)
            for error in report.errors[:MAX_ROWS_LISTED]:
                where = _("Row %(row)s, %(column)s:") % {"row": error.row, "column": error.column}
                command.stderr.write(f"{where} {error.message}")
            if len(report.errors) > MAX_ROWS_LISTED:
                command.stderr.write(
                    _("… and %(n)s more errors.") % {"n": len(report.errors) - MAX_ROWS_LISTED}
                )
            raise CommandError(_("Nothing was imported."))
        command.stdout.write(
            _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {"new": report.created, "updated": report.updated, "unchanged": report.unchanged}
        )


class ImportCommand(BaseCommand):
    kind = ""

    @property
    def help(self):
        headers = ", ".join(IMPORTERS[self.kind].headers())
        return f"Import {self.kind} from .xlsx or .csv (columns: {headers}). All-or-nothing; re-import is idempotent."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        def run(**kwargs):
            return import_file(self.kind, **kwargs)

        import_from_path(self, file, run)
