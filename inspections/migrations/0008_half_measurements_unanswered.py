"""Draft rounds: a hand-hygiene answer saved with only one of its two counts was marked failed as if the
blank were 0. It becomes unanswered (the review page lists it with what was typed) so that no finding is
filed with a number nobody entered. Submitted rounds are history and stay as they were."""

from django.db import migrations
from django.db.models import Q


def forwards(apps, schema_editor):
    Answer = apps.get_model("inspections", "Answer")
    half = Q(hh_opportunities__isnull=True, hh_washes__isnull=False) | Q(
        hh_opportunities__isnull=False, hh_washes__isnull=True
    ) | Q(hh_opportunities=0)
    (
        Answer.objects.filter(item__kind="hand_hygiene", round__status="draft")
        .filter(half)
        .exclude(result__in=["", "na"])
        .update(result="")
    )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0007_notification_titles_to_keys")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
