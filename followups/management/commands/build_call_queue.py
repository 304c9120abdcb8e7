import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followups.services import call_queue_build


class Command(BaseCommand):
    help = "Build the follow-up call queue of a day from the policies (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--no-assign", action="store_true", help="leave the new tasks in the pool")

    def handle(self, *args, **options):
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        result = call_queue_build(day=day, assign=not options["no_assign"])
        self.stdout.write(
            f"{result.day}: {result.draws} draws, {result.considered} stays considered, {result.excluded} excluded, "
            f"{result.created} tasks created, {result.assigned} assigned, {result.expired} expired"
        )
