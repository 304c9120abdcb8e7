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
