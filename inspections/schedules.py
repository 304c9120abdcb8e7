"""Beat jobs of inspections (installed after migrate; administrators may change them in the admin)."""

from supervision.schedules import Job

DEFAULT_SCHEDULES = [
    Job(
        "病历抽样 monthly chart sample",
        "inspections.draw_chart_sample",
        minute="30",
        hour="1",
        day_of_month="1",
    ),
    Job(
        "督察排班提醒 scheduled-round reminders", "inspections.remind_scheduled_rounds", minute="0", hour="16"
    ),
]
