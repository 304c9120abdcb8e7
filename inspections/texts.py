"""Texts inspections stores as a key + parameters and words when shown (see ``supervision.infra.wording``)."""

from django.utils.translation import gettext_lazy

from supervision.infra.wording import Message

from .models import AppealStatus, Area, Grade

# Notification titles.
APPEAL_RAISED = Message(
    "chart_appeal.raised", gettext_lazy("Appeal against a chart-audit deduction (%(admission_no)s)")
)
APPEAL_DECIDED = Message(
    "chart_appeal.decided",
    gettext_lazy("Chart-audit appeal decided: %(status)s"),
    choices={"status": AppealStatus},
)

NOTIFICATION_TITLES = [APPEAL_RAISED, APPEAL_DECIDED]

# The heading of a finding drawn from a chart audit; the deductions follow as written.
PROBLEM_CHART = Message(
    "chart_audit.problem_chart",
    gettext_lazy(
        "Problem chart %(admission_no)s (discharged %(date)s), responsible doctor %(doctor)s: "
        "%(score)s points, grade %(grade)s."
    ),
    dates=("date",),
    choices={"grade": Grade},
)

ROUND_SIGNED = Message(
    "inspection_round.signed",
    gettext_lazy("On-site report of the %(date)s round signed by %(signer)s"),
    dates=("date",),
)

ROUND_TOMORROW = Message(
    "inspection_round.tomorrow",
    gettext_lazy("Round scheduled tomorrow: %(department)s (%(date)s)"),
    dates=("date",),
)

# One failed item's line in the finding a round files: the item's text is the checklist's own
# words (a parameter); the measurement is worded for the reader.
WAIT_TIME = Message(
    "inspection.finding.wait_time",
    gettext_lazy("%(item)s: waiting %(minutes)s minutes (target ≤ %(target)s)"),
)
HAND_HYGIENE = Message(
    "inspection.finding.hand_hygiene",
    gettext_lazy(
        "%(item)s: %(washes)s hand washes in %(opportunities)s opportunities (target ≥ %(target)s%%)"
    ),
)
# A line followed by the inspector's own note ("。" in Chinese).
WITH_NOTE = Message("inspection.finding.note", gettext_lazy("%(head)s. %(note)s"))

# History notes: a chart's score and grade ("92.5 分 · 甲级"); a round's items filed without a finding.
SCORE = Message("chart_audit.score", gettext_lazy("%(score)s points · %(grade)s"), choices={"grade": Grade})
SKIPPED = Message("inspection_round.skipped", gettext_lazy("Skipped: %(items)s"))

# Where a round's finding was made when the round names no place of its own: the round's area
# (Finding.location_key), shown by its label in the reader's language.
AREA = Message("inspection.area", "%(area)s", choices={"area": Area})
