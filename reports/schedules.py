"""Beat jobs of the reports app (installed after migrate; administrators change them in the admin)."""

from supervision.schedules import Job

DEFAULT_SCHEDULES = [
    Job("月报 monthly report", "reports.build_last_month", minute="0", hour="2", day_of_month="1"),
    Job(
        "年度工作总结 annual summary",
        "reports.build_last_year",
        minute="0",
        hour="3",
        day_of_month="1",
        month_of_year="1",
    ),
    # Monday 09:30, after the escalation ladder's morning run (supervision's 超期升级 at 09:00).
    Job(
        "院周会通报 weekly meeting list",
        "reports.build_weekly_meeting",
        minute="30",
        hour="9",
        day_of_week="1",
    ),
    Job("报表补偿 report sweep", "reports.sweep", interval_minutes=10),
]
