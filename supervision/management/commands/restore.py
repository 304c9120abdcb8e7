"""Restore a backup made by `manage.py backup` (stop the web server and worker first)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from supervision.infra.backup import backup_restore


class Command(BaseCommand):
    help = "Restore the database and media from DIR (made by `manage.py backup`). Replaces current data."

    def add_arguments(self, parser):
        parser.add_argument("dir", type=Path)
        parser.add_argument("--yes", action="store_true", help="confirm that current data is replaced")

    def handle(self, *args, dir: Path, yes: bool, **options):
        if not yes:
            raise CommandError("Restoring replaces all current data; run again with --yes to confirm.")
        if not (dir / "manifest.json").is_file():
            raise CommandError(f"{dir} is not a Ducha backup (no manifest.json).")
        try:
            manifest = backup_restore(source=dir)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Restored the backup of {manifest['created_at']}: {manifest['counts']}")
        )
