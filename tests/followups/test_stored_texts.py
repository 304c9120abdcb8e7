"""What follow-ups write on their own is worded for whoever reads it: a call's outcome and the
system's notes in a task's history, a patient flag's note, the purpose of a number's reveal. Texts
stored worded before are converted by the migrations, every row kept."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from followups import services
from followups.models import Outcome, PatientFlag, TaskTransition
from supervision.models import RevealLog
from tests.factories import DischargeStayFactory

from .factories import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(neike, caller):
    return make_task(
        stay=DischargeStayFactory(department=neike, patient_name="张伟", phone="13800138000"),
        assigned_to=caller,
    )


def _record(task, caller, outcome, **kw):
    services.task_claim(task=task, actor=caller)
    with translation.override("en"):  # the caller works in English: nothing stored depends on it
        services.call_record(task=task, actor=caller, data=services.CallInput(outcome=outcome, **kw))


def _worded(text_property, obj, language):
    with translation.override(language):
        return getattr(obj, text_property)


def test_a_call_s_outcome_in_the_history_is_worded_for_the_reader(task, caller, client_for):
    _record(task, caller, Outcome.NO_ANSWER)
    note = TaskTransition.objects.get(task=task, action="call")
    assert note.comment == "" and note.comment_params == {"outcome": "no_answer"}
    assert _worded("comment_text", note, "zh-hans") == "无人接听"
    assert _worded("comment_text", note, "en") == "No answer"
    caller.language = "en"
    caller.save()
    page = client_for(caller).get(reverse("followups:task_detail", args=[task.pk])).content.decode()
    assert "No answer" in page and "无人接听" not in page


def test_a_flag_set_during_a_call_has_its_note_worded(task, caller):
    _record(task, caller, Outcome.REFUSED, opted_out=True)
    flag = PatientFlag.objects.get()
    assert flag.note == "patient_flag.opted_out"
    assert _worded("note_text", flag, "zh-hans") == "患者要求不再回访。"
    assert _worded("note_text", flag, "en") == "Asked not to be called again."


def test_the_reveal_s_purpose_is_stored_as_a_key_and_worded_for_the_reader(task, caller):
    services.task_claim(task=task, actor=caller)
    task.refresh_from_db()
    services.task_reveal_phone(task=task, actor=caller)
    log = RevealLog.objects.get()
    assert log.purpose == "reveal.followup_call"
    assert _worded("purpose_text", log, "zh-hans") == "出院回访"
    assert _worded("purpose_text", log, "en") == "Follow-up call"


def test_the_migrations_convert_chinese_and_english_texts_and_keep_the_rest(task, caller):
    def note(action, comment):
        return TaskTransition.objects.create(task=task, action=action, to_status="done", comment=comment)

    rows = {
        "zh_outcome": note("call", "无人接听"),
        "en_outcome": note("call", "Hung up, took it for a scam"),
        "window": note("expire", "已超出随访时限。"),
        "deceased": note("cancel", "Patient deceased."),
        "typed": note("release", "下班了，明天再打"),
    }
    flags = {
        "zh": PatientFlag.objects.create(patient_key="a|1", deceased=True, note="随访时登记为已故。"),
        "typed": PatientFlag.objects.create(patient_key="b|2", opted_out=True, note="家属来电要求"),
    }
    stay = task.stay
    logs = {
        purpose: RevealLog.objects.create(
            user=caller, subject=stay, subject_label="x", field="phone", purpose=purpose
        )
        for purpose in ("follow-up call", "办理投诉", "follow-up spot-check", "查房核对")
    }
    before = (TaskTransition.objects.count(), PatientFlag.objects.count(), RevealLog.objects.count())

    importlib.import_module("followups.migrations.0009_stored_texts_to_keys").forwards(apps, None)
    importlib.import_module("supervision.migrations.0023_reveal_purpose_keys").forwards(apps, None)

    assert before == (TaskTransition.objects.count(), PatientFlag.objects.count(), RevealLog.objects.count())
    for row in [*rows.values(), *flags.values(), *logs.values()]:
        row.refresh_from_db()
    assert _worded("comment_text", rows["zh_outcome"], "en") == "No answer"
    assert _worded("comment_text", rows["en_outcome"], "zh-hans") == "疑为诈骗挂断"
    assert _worded("comment_text", rows["window"], "en") == "The follow-up window passed."
    assert _worded("comment_text", rows["deceased"], "zh-hans") == "患者已故。"
    assert (
        rows["typed"].comment_key == "" and _worded("comment_text", rows["typed"], "en") == "下班了，明天再打"
    )
    assert _worded("note_text", flags["zh"], "en") == "Recorded deceased during follow-up."
    assert (
        flags["typed"].note == "家属来电要求" and _worded("note_text", flags["typed"], "en") == "家属来电要求"
    )
    assert _worded("purpose_text", logs["follow-up call"], "zh-hans") == "出院回访"
    assert _worded("purpose_text", logs["办理投诉"], "en") == "Handling the complaint"
    assert _worded("purpose_text", logs["follow-up spot-check"], "zh-hans") == "回访核查"
    assert _worded("purpose_text", logs["查房核对"], "en") == "查房核对"  # unknown: as written
