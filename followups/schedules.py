from supervision.schedules import Job

DEFAULT_SCHEDULES = [
    Job("回访队列 follow-up call queue", "followups.build_call_queue", minute="30", hour="7"),
    Job("导入补偿 import sweep", "followups.sweep_imports", interval_minutes=5),
]
