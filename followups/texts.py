"""Texts follow-ups stores as a key + parameters and words when shown (see ``supervision.infra.wording``)."""

from django.utils.translation import gettext_lazy

from supervision.infra.wording import Message

from .models import Outcome

# Why a caller or a supervisor saw a patient's full number (RevealLog.purpose).
REVEAL_CALL = Message("reveal.followup_call", gettext_lazy("Follow-up call"))
REVEAL_SPOTCHECK = Message("reveal.followup_spotcheck", gettext_lazy("Follow-up spot-check"))

# History notes the application writes on a follow-up task.
CALL_OUTCOME = Message("followup_task.outcome", "%(outcome)s", choices={"outcome": Outcome})
READMITTED = Message(
    "followup_task.readmitted", gettext_lazy("Readmitted: the plan starts again from the new discharge.")
)
WINDOW_PASSED = Message("followup_task.window_passed", gettext_lazy("The follow-up window passed."))
DECEASED = Message("followup_task.deceased", gettext_lazy("Patient deceased."))

# A patient's flag set during a call (PatientFlag.note).
FLAG_DECEASED = Message("patient_flag.deceased", gettext_lazy("Recorded deceased during follow-up."))
FLAG_OPTED_OUT = Message("patient_flag.opted_out", gettext_lazy("Asked not to be called again."))

# A refused row of the discharge and follow-up history imports (ImportRun.errors, a job's report).
IMPORT_NOT_SEX = Message("import.not_sex", gettext_lazy("“%(value)s” is not a sex (男 / 女 / 未知)."))
IMPORT_NOT_DISCHARGE_METHOD = Message(
    "import.not_discharge_method",
    gettext_lazy(
        "“%(value)s” is not a discharge method (1 医嘱离院, 2 医嘱转院, 3 转社区, 4 非医嘱离院, 5 死亡, 9 其他)."
    ),
)
IMPORT_NOT_AGE = Message("import.not_age", gettext_lazy("“%(value)s” is not an age in years."))
IMPORT_UNKNOWN_DEPARTMENT = Message(
    "import.unknown_department",
    gettext_lazy("Unknown department “%(value)s” (neither a department name nor a code)."),
)
IMPORT_DISCHARGE_BEFORE_ADMISSION = Message(
    "import.discharge_before_admission", gettext_lazy("The discharge date is before the admission date.")
)
IMPORT_DISCHARGE_IN_FUTURE = Message(
    "import.discharge_in_future", gettext_lazy("The discharge date is in the future.")
)
# Dates stay as in the file (2026-03-08): the report points at the spreadsheet's own rows.
IMPORT_REPEATED_STAY = Message(
    "import.repeated_stay",
    gettext_lazy("Row %(row)s repeats the stay %(no)s discharged on %(date)s of row %(first)s."),
)
IMPORT_NOT_OUTCOME = Message(
    "import.not_outcome",
    gettext_lazy(
        "“%(value)s” is not a follow-up result (e.g. 成功, 空号, 关机, 无人接听, 拒访, 死亡, 信函)."
    ),
)
IMPORT_NOT_MODE = Message(
    "import.not_mode", gettext_lazy("“%(value)s” is not a follow-up method (电话 / 信函).")
)
IMPORT_NOT_SATISFACTION = Message(
    "import.not_satisfaction", gettext_lazy("“%(value)s” is not a satisfaction answer (满意 / 不满意).")
)
IMPORT_FOLLOWUP_BEFORE_DISCHARGE = Message(
    "import.followup_before_discharge", gettext_lazy("The follow-up date is before the discharge date.")
)
IMPORT_FOLLOWUP_IN_FUTURE = Message(
    "import.followup_in_future", gettext_lazy("The follow-up date is in the future.")
)
IMPORT_CALLER_AMBIGUOUS = Message(
    "import.caller_ambiguous",
    gettext_lazy(
        "“%(name)s” is the name of several follow-up staff; map it to one of them "
        "(admin: caller name mappings) and import again."
    ),
)
IMPORT_NO_STAY = Message(
    "import.no_stay",
    gettext_lazy("No discharged stay %(no)s on %(date)s; import the discharge records first."),
)
IMPORT_REPEATED_RECORD = Message(
    "import.repeated_record", gettext_lazy("Row %(row)s repeats the record of row %(first)s.")
)
# A background import job that could not finish (ImportJob.report).
IMPORT_INTERRUPTED = Message(
    "import.interrupted",
    gettext_lazy(
        "The import was interrupted %(n)s times (the background worker stopped); nothing was "
        "written. Split the file and import the parts."
    ),
)
