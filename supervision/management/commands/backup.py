"""Back up the database and media into a folder (see docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from supervision.infra.backup import backup_create


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) and the media folder into DIR."

    def add_arguments(self, parser):
        parser.add_argument("dir", type=Path)

    def handle(self, *args, dir: Path, **options):
        manifest = backup_create(target=dir)
        self.stdout.write(self.style.SUCCESS(f"Backup written to {dir}: {manifest['counts']}"))
