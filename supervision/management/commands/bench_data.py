"""Generate the benchmark hospital year (see benchmarks/data.py and docs/benchmarks.md)."""

import json
import sys
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from benchmarks import data


class Command(BaseCommand):
    help = "Generate a hospital year for the benchmarks (small ≈ 1 %, medium ≈ 10 %, large = 100 %)."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(data.SIZES), default="small")
        parser.add_argument("--seed", type=int, default=20261123)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="drop every table of this database first (only for a database whose name contains 'bench')",
        )

    def handle(self, *args, size, seed, reset, **options):
        name = str(connection.settings_dict["NAME"])
        if reset:
            if "bench" not in name:
                raise CommandError(
                    f"--reset only wipes a database whose name contains 'bench' (this is {name})."
                )
            self._wipe()
            call_command("migrate", verbosity=0)
        elif data.has_bench_data():
            raise CommandError(
                "This database already holds bench data; run again with --reset to regenerate."
            )
        elif _has_any_data():
            raise CommandError(
                "This database holds data; bench data goes into an empty database (or use --reset)."
            )
        result = data.generate(size=size, seed=seed, out=self.stdout.write)
        result["size"] = size
        result["seed"] = seed
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))

    def _wipe(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            else:
                tables = connection.introspection.table_names(cursor)
                cursor.execute("PRAGMA foreign_keys=OFF")
                for table in tables:
                    cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
                cursor.execute("PRAGMA foreign_keys=ON")


def _has_any_data() -> bool:
    from supervision.models import Department, User

    return User.objects.exists() or Department.objects.exists()
