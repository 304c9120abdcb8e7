"""Beat jobs of complaints (installed after migrate; administrators may change them in the admin)."""

from supervision.schedules import Job

DEFAULT_SCHEDULES = [
    Job("投诉到期提醒 complaint due-soon reminders", "complaints.remind_due_soon", minute="10", hour="8"),
    Job("投诉超期提醒 complaint overdue notices", "complaints.notify_overdue", minute="40", hour="8"),
    Job("投诉超期升级 complaint escalation", "complaints.escalate", minute="10", hour="9"),
]
