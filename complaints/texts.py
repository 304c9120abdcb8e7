"""Texts complaints stores as a key + parameters and words when shown (see ``supervision.infra.wording``)."""

from django.utils.translation import gettext_lazy

from supervision.infra.wording import Message
from supervision.models import RungTarget

from .models import AnswerMethod, ComplaintChannel, Determination, PauseKind, Satisfaction

# Notification titles.
NEW = Message(
    "complaint.new",
    gettext_lazy("New complaint %(number)s (%(channel)s)"),
    choices={"channel": ComplaintChannel},
)
HANDED_OVER = Message(
    "complaint.handed_over", gettext_lazy("Complaint %(number)s has been handed over to you")
)
ASSIGNED = Message(
    "complaint.assigned",
    gettext_lazy("Complaint %(number)s needs your department's investigation reply by %(due)s"),
    dates=("due",),
)
REPLIED = Message(
    "complaint.replied", gettext_lazy("Complaint %(number)s: investigation reply from %(department)s")
)
DUE_SOON = Message(
    "complaint.due_soon", gettext_lazy("Complaint %(number)s must be answered by %(due)s"), dates=("due",)
)
ACK_DUE = Message(
    "complaint.ack_due",
    gettext_lazy("Complaint %(number)s must be accepted or declined by %(due)s"),
    dates=("due",),
)
OVERDUE = Message(
    "complaint.overdue",
    gettext_lazy("Complaint %(number)s is overdue: it was due on %(due)s"),
    dates=("due",),
)
ESCALATED = Message(
    "complaint.escalated", gettext_lazy("Escalated: complaint %(number)s is %(days)s working days overdue")
)
# The owner's reminder, every working day while the answer is overdue (issue 25 item 7).
STILL_OVERDUE = Message(
    "complaint.still_overdue",
    gettext_lazy("Complaint %(number)s is still not answered: due on %(due)s, %(days)s working days overdue"),
    dates=("due",),
)
# The escalation ladder (supervision.EscalationRung), one title per rung's target.
RUNG_HEAD = Message(
    "complaint.rung_head",
    gettext_lazy("Complaint %(number)s about %(department)s is not answered (%(days)s working days overdue)"),
)
RUNG_VICE_PRESIDENT = Message(
    "complaint.rung_vice_president",
    gettext_lazy(
        "Escalated to you: complaint %(number)s about %(department)s is %(days)s working days overdue"
    ),
)
RUNG_MEETING = Message(
    "complaint.rung_meeting",
    gettext_lazy(
        "For the weekly meeting list: complaint %(number)s about %(department)s is %(days)s working days overdue"
    ),
)

# The titles stored worded before keys (the data migration 0005 reads them back); newer titles were
# always stored as keys.
NOTIFICATION_TITLES = [NEW, HANDED_OVER, ASSIGNED, REPLIED, DUE_SOON, ACK_DUE, OVERDUE, ESCALATED]

# Timeline notes (ComplaintTransition.comment_key): the worded part of a step; a person's own words
# are a parameter, joined by supervision.texts.with_text.
HANDOVER = Message("complaint.note.handover", "→ %(person)s")
DETERMINATION = Message("complaint.note.determination", "%(value)s", choices={"value": Determination})
ANSWER_METHOD = Message("complaint.note.answer_method", "%(value)s", choices={"value": AnswerMethod})
SATISFACTION = Message("complaint.note.satisfaction", "%(value)s", choices={"value": Satisfaction})
DISPUTE = Message("complaint.note.dispute", gettext_lazy("Mediation / dispute"))
DISPUTE_REMOVED = Message("complaint.note.dispute_removed", gettext_lazy("Dispute flag removed"))
PAUSE_KIND = Message("complaint.note.pause_kind", "%(value)s", choices={"value": PauseKind})
RESUMED = Message(
    "complaint.note.resumed",
    gettext_lazy("The clock stood still for %(days)s working days; answer now due on %(due)s"),
    dates=("due",),
)
RUNG_NOTE = Message(
    "complaint.note.rung",
    gettext_lazy("Escalation ladder: %(target)s, %(days)s working days overdue"),
    choices={"target": RungTarget},
)

# Owner changes (OwnerChange.note_key): how the first owner came to own the complaint.
FIRST_CONTACT = Message("complaint.owner.first_contact", gettext_lazy("Recorded at first contact"))
SUBMITTED_ON_WEB = Message("complaint.owner.web", gettext_lazy("Submitted on the web page"))

# The description of the finding a valid complaint becomes; the complaint's content follows as written.
FINDING = Message(
    "complaint.finding",
    gettext_lazy("Complaint %(number)s (%(determination)s): %(content)s"),
    choices={"determination": Determination},
)

# Why a handler saw the complainant's full contact details (RevealLog.purpose).
REVEAL_PURPOSE = Message("reveal.complaint", gettext_lazy("Handling the complaint"))
