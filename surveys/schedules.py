"""Beat jobs of the surveys app (installed after migrate; never overwritten)."""

from supervision.schedules import Job

DEFAULT_SCHEDULES = [
    Job(
        "满意度调查批次到期关闭 close ended survey campaigns",
        "surveys.close_ended_campaigns",
        minute="10",
        hour="0",
    ),
    Job("表扬姓名匹配 match praised names to the roster", "surveys.match_praise", minute="20", hour="2"),
]
