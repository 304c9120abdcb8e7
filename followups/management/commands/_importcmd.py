"""Shared body of the follow-up import commands: the core's import command body, with progress."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from supervision.management.importing import import_from_path


class ImportCommand(BaseCommand):
    run = None  # set by subclasses

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx or .csv file")

    def handle(self, *args, **options):
        import_from_path(self, Path(options["file"]), type(self).run, progress=True)
