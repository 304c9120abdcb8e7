"""Load the demo hospital once. Running it again changes nothing."""

import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from supervision.channels import channels
from supervision.models import Notification, User


class Command(BaseCommand):
    help = "Load the demo hospital (departments, staff, demo users, months of records). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261123, help="random seed (same seed → same data)")

    def handle(self, *args, seed, **options):
        if User.objects.filter(username="supervisor").exists():
            self.stdout.write("Demo hospital already loaded; nothing changed.")
            return
        rng = random.Random(seed)  # nosec B311 # reproducible demo data, not security
        today = timezone.localdate()
        with transaction.atomic():
            from supervision import demo

            context = demo.seed(rng, today)
            # Channels add their own demo data, in INSTALLED_APPS order (their contract's demo_seed).
            for channel in channels():
                if channel.demo_seed is not None:
                    channel.demo_seed(rng=rng, today=today, context=context)
            demo.work_channel_orders(rng=rng, today=today, context=context)
            demo.close_the_loop_examples(rng=rng, today=today, context=context)
            # A realistic handful unread per user (3–8), not months of history.
            demo.leave_a_handful_unread(rng=rng)
            # Demo history is not news: do not e-mail months of past notifications on first start.
            Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=timezone.now())
        self.stdout.write(self.style.SUCCESS("Demo hospital loaded."))
