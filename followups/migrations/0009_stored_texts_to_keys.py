"""Follow-up texts stored already worded, in the actor's language, become message keys.

- A task's history notes: a call's outcome ("无人接听" / "No answer"), a readmission, a window
  that passed, a patient who died.
- A patient flag's note ("随访时登记为已故。" / "Asked not to be called again.").

Anything else is kept as written and shown as written (the written text stays as the fallback).
The wordings are frozen here as they were.
"""

from django.db import migrations

OUTCOMES = {
    "reached": ["已接通", "Reached"],
    "wrong_number": ["空号或错号", "Wrong or empty number"],
    "switched_off": ["关机", "Switched off"],
    "no_answer": ["无人接听", "No answer"],
    "refused": ["拒访", "Refused"],
    "scam_hangup": ["疑为诈骗挂断", "Hung up, took it for a scam"],
    "barrier": ["听力或语言障碍", "Hearing or language barrier"],
    "transferred": ["已转外院", "Transferred to another hospital"],
    "readmitted": ["再次入院", "Readmitted"],
    "deceased": ["已故", "Deceased"],
    "other": ["其他", "Other"],
    "letter_done": ["信函随访已完成", "Letter follow-up done"],
    "web_done": ["已完成网上问卷", "Web form completed"],
}
NOTES = {
    "followup_task.readmitted": [
        "再次入院：方案从新的出院日期重新开始。",
        "Readmitted: the plan starts again from the new discharge.",
    ],
    "followup_task.window_passed": ["已超出随访时限。", "The follow-up window passed."],
    "followup_task.deceased": ["患者已故。", "Patient deceased."],
}
FLAGS = {
    "patient_flag.deceased": ["随访时登记为已故。", "Recorded deceased during follow-up."],
    "patient_flag.opted_out": ["患者要求不再回访。", "Asked not to be called again."],
}


def task_notes(apps):
    TaskTransition = apps.get_model("followups", "TaskTransition")
    rows = TaskTransition.objects.filter(comment_key="")
    for key, wordings in NOTES.items():
        rows.filter(comment__in=wordings).update(comment_key=key)
    for outcome, wordings in OUTCOMES.items():
        rows.filter(action__in=["call", "letter"], comment__in=wordings).update(
            comment_key="followup_task.outcome", comment_params={"outcome": outcome}
        )


def flag_notes(apps):
    PatientFlag = apps.get_model("followups", "PatientFlag")
    for key, wordings in FLAGS.items():
        PatientFlag.objects.filter(note__in=wordings).update(note=key)


def forwards(apps, schema_editor):
    task_notes(apps)
    flag_notes(apps)


class Migration(migrations.Migration):
    dependencies = [("followups", "0008_call_coding")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
