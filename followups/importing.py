"""The follow-up app's imports, declared on the core's one pipeline (``supervision.infra.imports``):
discharged stays from the HIS and past follow-up records.

Both are all-or-nothing (every row is validated first; only a file without errors is written,
with ``bulk_create`` / ``bulk_update`` inside one transaction, audited by an ``ImportRun`` of kind
``discharges`` or ``followup_history``) and idempotent: re-importing the same file changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q
from django.utils import timezone

from supervision.infra.imports import Column, ImportReport, ImportSpec, Row, count_rows, run_import
from supervision.infra.imports.cells import Choice, Text, WholeNumber, date, date_time, phone
from supervision.infra.imports.pipeline import bulk_insert, chunks
from supervision.models import Department, DischargeMethod, DischargeStay, Sex

from . import outcomes, parsing, selectors, texts
from .models import (
    OUTCOME_RULES,
    CallAttempt,
    Disposition,
    FollowupTask,
    Outcome,
    PatientFlag,
    Satisfaction,
    TaskMode,
    TaskSource,
    TaskStatus,
)

__all__ = ["count_rows", "discharges_import", "history_import"]

SEX_ALIASES = {"1": Sex.MALE, "2": Sex.FEMALE, "0": Sex.UNKNOWN, "9": Sex.UNKNOWN, "未说明": Sex.UNKNOWN}
parse_sex = Choice(Sex, SEX_ALIASES, message=texts.IMPORT_NOT_SEX)
METHOD_ALIASES = {
    "医嘱离院": DischargeMethod.ORDERED,
    "医嘱转院": DischargeMethod.TRANSFERRED,
    "转院": DischargeMethod.TRANSFERRED,
    "医嘱转社区卫生服务机构/乡镇卫生院": DischargeMethod.COMMUNITY,
    "医嘱转社区": DischargeMethod.COMMUNITY,
    "转社区": DischargeMethod.COMMUNITY,
    "非医嘱离院": DischargeMethod.AGAINST_ADVICE,
    "自动出院": DischargeMethod.AGAINST_ADVICE,
    "死亡": DischargeMethod.DIED,
    "其他": DischargeMethod.OTHER,
}
parse_discharge_method = Choice(
    DischargeMethod,
    METHOD_ALIASES,
    message=texts.IMPORT_NOT_DISCHARGE_METHOD,
)
parse_age = WholeNumber(0, 130, suffix="岁", message=texts.IMPORT_NOT_AGE)

# The stay's data columns compared on re-import (the key is admission_no + discharged_on).
STAY_FIELDS = [
    "patient_name",
    "sex",
    "age",
    "phone",
    "alt_phone",
    "department_id",
    "attending_doctor",
    "responsible_nurse",
    "admitted_on",
    "diagnosis",
    "discharge_method",
    "diagnosis_code",
    "address",
]


class DischargeImport(ImportSpec):
    """Discharged stays (住院号 + 出院日期 identify a stay)."""

    kind = "discharges"
    columns = [
        Column("住院号", "admission_no", Text(32), required=True),
        Column("姓名", "patient_name", Text(64), required=True),
        Column("性别", "sex", parse_sex, default=Sex.UNKNOWN),
        Column("年龄", "age", parse_age),
        Column("联系电话", "phone", phone, default=""),
        Column("备用电话", "alt_phone", phone, default=""),
        Column("科室", "department", Text(64), required=True),
        Column("主治医生", "attending_doctor", Text(64), default=""),
        Column("责任护士", "responsible_nurse", Text(64), default=""),
        Column("入院日期", "admitted_on", date, required=True),
        Column("出院日期", "discharged_on", date, required=True),
        Column("出院诊断", "diagnosis", Text(255), default=""),
        Column("离院方式", "discharge_method", parse_discharge_method, default=DischargeMethod.ORDERED),
        # Optional, for follow-up plans per diagnosis (ICD-10 prefix) and follow-up letters.
        Column("出院诊断编码", "diagnosis_code", Text(16), default=""),
        Column("通讯地址", "address", Text(255), default=""),
    ]
    example = [
        "ZY2026000123",
        "张伟",
        "男",
        56,
        "138-0013-8000",
        "010-65123456",
        "内科",
        "李明",
        "王芳",
        "2026-03-01",
        "2026-03-08",
        "社区获得性肺炎",
        "1",
        "J18.900",
        "北京市东城区和平里街道 12 号",
    ]

    def prepare(self) -> None:
        self.departments: dict[str, int] = {}
        for pk, code, name in Department.objects.values_list("id", "code", "name"):
            self.departments[name] = pk
            self.departments.setdefault(code, pk)
            self.departments.setdefault(code.upper(), pk)
        self.today = timezone.localdate()

    def clean_row(self, row: Row):
        v = row.values
        text = v["department"]
        department_id = self.departments.get(text) or self.departments.get(text.upper())
        if department_id is None:
            row.error("科室", texts.IMPORT_UNKNOWN_DEPARTMENT(value=text))
        admitted_on, discharged_on = v["admitted_on"], v["discharged_on"]
        if discharged_on < admitted_on:
            row.error("出院日期", texts.IMPORT_DISCHARGE_BEFORE_ADMISSION())
        if discharged_on > self.today:
            row.error("出院日期", texts.IMPORT_DISCHARGE_IN_FUTURE())
        key = (v["admission_no"], discharged_on)
        first = row.first_seen(key)
        if first is not None:
            row.error(
                "住院号",
                texts.IMPORT_REPEATED_STAY(row=row.number, no=key[0], date=discharged_on, first=first),
            )
        v["department_id"] = department_id
        return (key, tuple(v[name] for name in STAY_FIELDS))

    def write(self, records, report: ImportReport) -> None:
        parsed = dict(record for _number, record in records)
        creates: list[DischargeStay] = []
        updates: list[DischargeStay] = []
        moved: dict[int, list[int]] = {}  # new department → stay ids whose department changed
        existing: dict[tuple[str, dt.date], tuple] = {}
        for chunk in chunks(sorted({k[0] for k in parsed})):
            for values in DischargeStay.objects.filter(admission_no__in=chunk).values_list(
                "id", "admission_no", "discharged_on", *STAY_FIELDS
            ):
                existing[(values[1], values[2])] = values
        now = timezone.now()
        department = STAY_FIELDS.index("department_id")
        for key, values in parsed.items():
            old = existing.get(key)
            if old is None:
                creates.append(
                    DischargeStay(
                        admission_no=key[0],
                        discharged_on=key[1],
                        imported_at=now,
                        **dict(zip(STAY_FIELDS, values, strict=True)),
                    )
                )
            elif tuple(old[3:]) != values:
                stay = DischargeStay(id=old[0], admission_no=key[0], discharged_on=key[1], imported_at=now)
                for name, value in zip(STAY_FIELDS, values, strict=True):
                    setattr(stay, name, value)
                updates.append(stay)
                if old[3 + department] != values[department]:
                    moved.setdefault(stay.department_id, []).append(stay.id)
            else:
                report.unchanged += 1
        DischargeStay.objects.bulk_create(creates, batch_size=2000)
        if updates:
            DischargeStay.objects.bulk_update(updates, [*STAY_FIELDS, "imported_at"], batch_size=500)
        for department_id, stay_ids in moved.items():
            FollowupTask.objects.filter(stay_id__in=stay_ids).update(department_id=department_id)
        report.created, report.updated = len(creates), len(updates)


# --- history -----------------------------------------------------------------------------------

OUTCOME_WORDS: dict[str, str] = {
    "成功": Outcome.REACHED,
    "已回访": Outcome.REACHED,
    "已接通": Outcome.REACHED,
    "接通": Outcome.REACHED,
    "回访成功": Outcome.REACHED,
    "空号": Outcome.WRONG_NUMBER,
    "错号": Outcome.WRONG_NUMBER,
    "号码错误": Outcome.WRONG_NUMBER,
    "空号或错号": Outcome.WRONG_NUMBER,
    "关机": Outcome.SWITCHED_OFF,
    "停机": Outcome.SWITCHED_OFF,
    "无人接听": Outcome.NO_ANSWER,
    "未接通": Outcome.NO_ANSWER,
    "拒绝": Outcome.REFUSED,
    "拒访": Outcome.REFUSED,
    "拒绝回访": Outcome.REFUSED,
    "疑为诈骗挂断": Outcome.SCAM_HANGUP,
    "误认为诈骗挂断": Outcome.SCAM_HANGUP,
    "挂断": Outcome.SCAM_HANGUP,
    "听力或语言障碍": Outcome.BARRIER,
    "听力障碍": Outcome.BARRIER,
    "语言障碍": Outcome.BARRIER,
    "转院": Outcome.TRANSFERRED,
    "转外院": Outcome.TRANSFERRED,
    "再入院": Outcome.READMITTED,
    "再次入院": Outcome.READMITTED,
    "死亡": Outcome.DECEASED,
    "已故": Outcome.DECEASED,
    "去世": Outcome.DECEASED,
    "其他": Outcome.OTHER,
    "信函": Outcome.LETTER_DONE,
    "信函回访": Outcome.LETTER_DONE,
    "已寄信": Outcome.LETTER_DONE,
}
parse_outcome = Choice(
    Outcome,
    OUTCOME_WORDS,
    message=texts.IMPORT_NOT_OUTCOME,
)
parse_mode = Choice(
    TaskMode,
    {"电话": TaskMode.PHONE, "信函": TaskMode.LETTER, "信件": TaskMode.LETTER},
    message=texts.IMPORT_NOT_MODE,
)
parse_satisfaction = Choice(
    Satisfaction,
    {"满意": Satisfaction.SATISFIED, "不满意": Satisfaction.DISSATISFIED, "未问": Satisfaction.NOT_ASKED},
    message=texts.IMPORT_NOT_SATISFACTION,
)


class HistoryImport(ImportSpec):
    """Past follow-up records; they count in every figure like calls made in Ducha."""

    kind = "followup_history"
    columns = [
        Column("住院号", "admission_no", Text(32), required=True),
        Column("出院日期", "discharged_on", date, required=True),
        Column("回访日期", "called_at", date_time, required=True),
        Column("回访结果", "outcome", parse_outcome, required=True),
        Column("回访人", "caller_name", Text(64), default=""),
        Column("回访方式", "mode", parse_mode, default=TaskMode.PHONE),
        Column("满意度", "satisfaction", parse_satisfaction, default=""),
        Column("备注", "notes", Text(2000, multiline=True), default=""),
    ]
    example = ["ZY2026000123", "2026-03-08", "2026-03-11", "成功", "林回访", "电话", "满意", ""]

    def prepare(self) -> None:
        self.today = timezone.localdate()

    def clean_row(self, row: Row):
        v = row.values
        called_at, discharged_on = v["called_at"], v["discharged_on"]
        if called_at.date() < discharged_on:
            row.error("回访日期", texts.IMPORT_FOLLOWUP_BEFORE_DISCHARGE())
        if called_at.date() > self.today:
            row.error("回访日期", texts.IMPORT_FOLLOWUP_IN_FUTURE())
        if v["outcome"] == Outcome.LETTER_DONE:
            v["mode"] = TaskMode.LETTER
        return v

    def clean_all(self, records, report: ImportReport):
        """The stays referenced must exist; the same record twice in one file is refused."""
        stays: dict[tuple[str, dt.date], tuple] = {}
        for chunk in chunks(sorted({v["admission_no"] for _n, v in records})):
            for values in DischargeStay.objects.filter(admission_no__in=chunk).values_list(
                "admission_no", "discharged_on", "id", "department_id", "patient_name", "phone", "alt_phone"
            ):
                stays[(values[0], values[1])] = values[2:]
        seen: dict[str, int] = {}
        good = []
        # One caller, one person: a name is the Ducha user it means (mapping, else the follow-up
        # staff member of that name); a name several users share must be mapped first.
        callers = selectors.caller_names()
        for number, v in records:
            admission_no, discharged_on = v["admission_no"], v["discharged_on"]
            caller = selectors.normal_name(v["caller_name"])
            if caller and caller in callers and callers[caller] is None:
                report.add_error(number, "回访人", texts.IMPORT_CALLER_AMBIGUOUS(name=v["caller_name"]))
                continue
            v["caller_id"] = callers.get(caller) if caller else None
            stay = stays.get((admission_no, discharged_on))
            if stay is None:
                report.add_error(number, "住院号", texts.IMPORT_NO_STAY(no=admission_no, date=discharged_on))
                continue
            # As "%Y-%m-%d" and "%Y-%m-%d %H:%M" (the stored keys), without strftime's cost.
            called = v["called_at"].isoformat(" ", "minutes")
            key = f"{admission_no}|{discharged_on.isoformat()}|{called}|{v['outcome']}"
            if key in seen:
                report.add_error(
                    number, "回访日期", texts.IMPORT_REPEATED_RECORD(row=number, first=seen[key])
                )
                continue
            seen[key] = number
            v["stay"], v["history_key"] = stay, key
            good.append((number, v))
        return good

    def write(self, records, report: ImportReport) -> None:
        rows = [v for _n, v in records]
        known: set[str] = set()
        for chunk in chunks([v["history_key"] for v in rows]):
            known.update(
                CallAttempt.objects.filter(history_key__in=chunk).values_list("history_key", flat=True)
            )
        todo = [v for v in rows if v["history_key"] not in known]
        report.unchanged = len(rows) - len(todo)
        tz = timezone.get_current_timezone()
        by_stay: dict[int, list[dict]] = {}
        for v in todo:
            called_at = v["called_at"]
            v["aware"] = timezone.make_aware(called_at, tz) if timezone.is_naive(called_at) else called_at
            by_stay.setdefault(v["stay"][0], []).append(v)
        tasks = self._task_ids(by_stay)
        refresh = sorted(tasks.values())  # tasks that existed: their counts change
        # A task created here holds only this file's attempts for its stay: its counts and state
        # are computed here and written with it (no second pass over the rows just inserted).
        bulk_insert(
            FollowupTask, [_history_task(calls) for stay_id, calls in by_stay.items() if stay_id not in tasks]
        )
        tasks = self._task_ids(by_stay)
        attempts = []
        deceased_keys: dict[str, int] = {}
        for v in todo:
            sid, _department, name, phone_no, alt_phone = v["stay"]
            outcome, aware = v["outcome"], v["aware"]
            disposition, contacted, _retry = OUTCOME_RULES[outcome]
            attempts.append(
                {
                    "task_id": tasks[sid],
                    "mode": v["mode"] or TaskMode.PHONE,
                    "caller_id": v["caller_id"],
                    "caller_name": v["caller_name"],
                    "attempted_at": aware,
                    "attempted_on": aware.astimezone(tz).date(),
                    "outcome": outcome,
                    "disposition": disposition,
                    "contacted": contacted,
                    "satisfaction": v["satisfaction"] or "",
                    "notes": v["notes"],
                    "history_key": v["history_key"],
                }
            )
            if outcome == Outcome.DECEASED:
                for key in {parsing.patient_key(name, phone_no), parsing.patient_key(name, alt_phone)} - {""}:
                    deceased_keys[key] = sid
        bulk_insert(CallAttempt, attempts)
        _refresh_tasks(refresh)
        # The stays' follow-up flags from their tasks as they now stand (new and recomputed alike).
        outcomes.stays_refresh(by_stay)
        for key, sid in deceased_keys.items():
            PatientFlag.objects.update_or_create(
                patient_key=key,
                defaults={"deceased": True, "stay_id": sid, "recorded_by": self.actor, "note": "history"},
            )
        report.created = len(attempts)

    @staticmethod
    def _task_ids(by_stay: dict) -> dict[int, int]:
        # Past calls belong to the stay's first time point (a stay with a plan has several tasks).
        tasks: dict[int, int] = {}
        for chunk in chunks(sorted(by_stay)):
            for stay_id, task_id in (
                FollowupTask.objects.filter(stay_id__in=chunk).order_by("-point").values_list("stay_id", "id")
            ):
                tasks[stay_id] = task_id
        return tasks


def _history_task(calls: list[dict]) -> dict:
    """The finished task of a stay known only from this file's records (in file order)."""
    sid, department_id, name, phone_no, alt_phone = calls[0]["stay"]
    last = max(range(len(calls)), key=lambda i: (calls[i]["aware"], i))
    disposition, _contacted, _retry = OUTCOME_RULES[calls[last]["outcome"]]
    contacted = any(OUTCOME_RULES[c["outcome"]][1] for c in calls)
    day = calls[-1]["called_at"].date()
    return {
        "stay_id": sid,
        "department_id": department_id,
        "patient_key": parsing.patient_key(name, phone_no or alt_phone),
        "mode": TaskMode.PHONE if (phone_no or alt_phone) else TaskMode.LETTER,
        "source": TaskSource.HISTORY,
        "status": TaskStatus.DONE,
        "due_on": day,
        "expires_on": day,
        "attempt_count": len(calls),
        "contacted": contacted,
        "disposition": Disposition.COMPLETE if contacted else disposition,
        "finished_at": calls[last]["aware"],
    }


def _refresh_tasks(task_ids: list[int]) -> None:
    """Recompute attempt count / contacted / disposition of tasks that existed before the import."""
    for chunk in chunks(task_ids, 500):
        rows = (
            CallAttempt.objects.filter(task_id__in=chunk)
            .values("task_id")
            .annotate(
                n=Count("id"), contacted=Count("id", filter=Q(contacted=True)), last=Max("attempted_at")
            )
        )
        stats = {r["task_id"]: r for r in rows}
        last_disposition = {}
        for task_id, disposition, outcome in (
            CallAttempt.objects.filter(task_id__in=chunk)
            .order_by("attempted_at", "id")
            .values_list("task_id", "disposition", "outcome")
        ):
            last_disposition[task_id] = (disposition, outcome)
        tasks = list(FollowupTask.objects.filter(pk__in=chunk))
        for task in tasks:
            s = stats.get(task.pk)
            if not s:
                continue
            task.attempt_count = s["n"]
            task.contacted = bool(s["contacted"])
            disposition, outcome = last_disposition[task.pk]
            task.disposition = Disposition.COMPLETE if task.contacted else disposition
            final = task.contacted or not OUTCOME_RULES[outcome][2] or task.attempt_count >= task.max_attempts
            if task.source == TaskSource.HISTORY or (task.is_open and final):
                task.status = TaskStatus.DONE
                task.finished_at = task.finished_at or s["last"]
                task.claimed_by = None
                task.claim_expires_at = None
        FollowupTask.objects.bulk_update(
            tasks,
            [
                "attempt_count",
                "contacted",
                "disposition",
                "status",
                "finished_at",
                "claimed_by",
                "claim_expires_at",
            ],
            batch_size=500,
        )


IMPORTS: dict[str, type[ImportSpec]] = {"discharges": DischargeImport, "history": HistoryImport}
DISCHARGE_HEADERS = DischargeImport.headers()
DISCHARGE_REQUIRED = DischargeImport.required_headers()
DISCHARGE_EXAMPLE = DischargeImport.example
HISTORY_HEADERS = HistoryImport.headers()
HISTORY_REQUIRED = HistoryImport.required_headers()
HISTORY_EXAMPLE = HistoryImport.example


def discharges_import(*, source, file_name: str, actor, progress=None) -> ImportReport:
    """Import discharged stays. All-or-nothing."""
    return run_import(DischargeImport, source=source, file_name=file_name, actor=actor, progress=progress)


def history_import(*, source, file_name: str, actor, progress=None) -> ImportReport:
    """Import past follow-up records. All-or-nothing."""
    return run_import(HistoryImport, source=source, file_name=file_name, actor=actor, progress=progress)
