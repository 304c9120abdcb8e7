"""Imports of the follow-up app: discharged stays from the HIS and past follow-up records.

Both are all-or-nothing: every row is validated in Python first; only when no row has an error
are the rows written, with ``bulk_create`` / ``bulk_update`` in batches inside one transaction.
Bulk writes skip ``save()``, so each run is audited by an ``ImportRun`` row (kind
``discharges`` or ``followup_history``). Re-importing the same file changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supervision.imports import (
    MAX_ROWS,
    ImportFileError,
    ImportReport,
    RowError,
    check_headers,
    iter_rows,
    record_run,
)
from supervision.models import Department, DischargeStay

from . import parsing
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

DISCHARGE_HEADERS = [
    "住院号",
    "姓名",
    "性别",
    "年龄",
    "联系电话",
    "备用电话",
    "科室",
    "主治医生",
    "责任护士",
    "入院日期",
    "出院日期",
    "出院诊断",
    "离院方式",
]
DISCHARGE_REQUIRED = ["住院号", "姓名", "科室", "入院日期", "出院日期"]
DISCHARGE_EXAMPLE = [
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
]
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
]
MAX_ERRORS_KEPT = 1000
PROGRESS_EVERY = 2000

Progress = Callable[[int, str], None]


def _department_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for pk, code, name in Department.objects.values_list("id", "code", "name"):
        lookup[name] = pk
        lookup.setdefault(code, pk)
        lookup.setdefault(code.upper(), pk)
    return lookup


class _Row:
    """Collects one row's parse errors."""

    def __init__(self, report: ImportReport, number: int, row: list, index: dict[str, int]):
        self.report, self.number, self.row, self.index = report, number, row, index
        self.failed = False

    def raw(self, header: str):
        i = self.index.get(header)
        return self.row[i] if i is not None and i < len(self.row) else None

    def get(self, header: str, parser, *args, **kwargs):
        try:
            return parser(self.raw(header), *args, **kwargs)
        except ValueError as exc:
            self.error(header, str(exc))
            return None

    def required_date(self, header: str):
        if self.raw(header) in (None, ""):
            self.error(header, _("This column is required."))
            return None
        return self.get(header, parsing.parse_date)

    def error(self, column: str, message: str) -> None:
        self.failed = True
        if len(self.report.errors) < MAX_ERRORS_KEPT:
            self.report.errors.append(RowError(self.number, column, message))


def _read(source, file_name: str, *, required, optional, report) -> tuple[list[str], object] | None:
    try:
        headers, rows = iter_rows(source, file_name)
        check_headers(headers, required=required, optional=optional)
    except ImportFileError as exc:
        report.file_error = exc.messages[0]
        return None
    # A NUL character in a cell means nothing, and PostgreSQL can store it neither in text nor
    # in the JSON error report (a server error): drop it as the rows are read.
    return headers, ([c.replace("\x00", "") if isinstance(c, str) else c for c in row] for row in rows)


def count_rows(source, file_name: str) -> int | None:
    """A cheap estimate of the data rows for the progress bar (xlsx dimension or CSV lines)."""
    try:
        if file_name.lower().endswith(".csv"):
            source.seek(0)
            return max(0, sum(1 for _line in source) - 1)
        import openpyxl

        source.seek(0)
        book = openpyxl.load_workbook(source, read_only=True)
        rows = book.worksheets[0].max_row
        book.close()
        return max(0, (rows or 1) - 1)
    except Exception:
        return None
    finally:
        source.seek(0)


def discharges_import(
    *, source, file_name: str, actor, progress: Progress | None = None, batch_size: int = 2000
) -> ImportReport:
    """Import discharged stays (住院号 + 出院日期 identify a stay). All-or-nothing."""
    started_at = timezone.now()
    report = ImportReport()
    read = _read(
        source,
        file_name,
        required=DISCHARGE_REQUIRED,
        optional=[h for h in DISCHARGE_HEADERS if h not in DISCHARGE_REQUIRED],
        report=report,
    )
    if read is None:
        record_run(kind="discharges", file_name=file_name, actor=actor, report=report, started_at=started_at)
        return report
    headers, rows = read
    index = {h: i for i, h in enumerate(headers)}
    departments = _department_lookup()
    today = timezone.localdate()
    parsed: dict[tuple[str, dt.date], tuple] = {}
    first_row: dict[tuple[str, dt.date], int] = {}
    number = 1
    for number, raw in enumerate(rows, 2):
        if number - 1 > MAX_ROWS:
            report.file_error = _("More than %(max)s rows; split the file.") % {"max": MAX_ROWS}
            break
        row = _Row(report, number, raw, index)
        admission_no = row.get("住院号", parsing.clean_text, 32, required=True)
        name = row.get("姓名", parsing.clean_text, 64, required=True)
        sex = row.get("性别", parsing.parse_sex)
        age = row.get("年龄", parsing.parse_age)
        phone = row.get("联系电话", parsing.normalise_phone)
        alt_phone = row.get("备用电话", parsing.normalise_phone)
        dept_text = row.get("科室", parsing.clean_text, 64, required=True)
        department_id = None
        if dept_text:
            department_id = departments.get(dept_text) or departments.get(dept_text.upper())
            if department_id is None:
                row.error(
                    "科室",
                    _("Unknown department “%(value)s” (neither a department name nor a code).")
                    % {"value": dept_text},
                )
        doctor = row.get("主治医生", parsing.clean_text, 64)
        nurse = row.get("责任护士", parsing.clean_text, 64)
        admitted_on = row.required_date("入院日期")
        discharged_on = row.required_date("出院日期")
        diagnosis = row.get("出院诊断", parsing.clean_text, 255)
        method = row.get("离院方式", parsing.parse_discharge_method)
        if admitted_on and discharged_on and discharged_on < admitted_on:
            row.error("出院日期", _("The discharge date is before the admission date."))
        if discharged_on and discharged_on > today:
            row.error("出院日期", _("The discharge date is in the future."))
        if admission_no and discharged_on:
            key = (admission_no, discharged_on)
            if key in first_row:
                row.error(
                    "住院号",
                    _("Row %(row)s repeats the stay %(no)s discharged on %(date)s of row %(first)s.")
                    % {"row": number, "no": admission_no, "date": discharged_on, "first": first_row[key]},
                )
            else:
                first_row[key] = number
        if not row.failed:
            parsed[(admission_no, discharged_on)] = (
                name,
                sex,
                age,
                phone,
                alt_phone,
                department_id,
                doctor,
                nurse,
                admitted_on,
                diagnosis,
                method,
            )
        if progress and number % PROGRESS_EVERY == 0:
            progress(number - 1, "validating")
    report.total_rows = number - 1
    if not report.file_error and report.total_rows == 0:
        report.file_error = _("The file has a header row but no data.")
    if not report.ok:
        report.errors.sort(key=lambda e: e.row)
        record_run(kind="discharges", file_name=file_name, actor=actor, report=report, started_at=started_at)
        return report

    if progress:
        progress(report.total_rows, "writing")
    creates: list[DischargeStay] = []
    updates: list[DischargeStay] = []
    moved: dict[int, list[int]] = {}  # new department → stay ids whose department changed
    admission_nos = sorted({k[0] for k in parsed})
    with transaction.atomic():
        existing: dict[tuple[str, dt.date], tuple] = {}
        for start in range(0, len(admission_nos), 900):
            chunk = admission_nos[start : start + 900]
            for values in DischargeStay.objects.filter(admission_no__in=chunk).values_list(
                "id", "admission_no", "discharged_on", *STAY_FIELDS
            ):
                existing[(values[1], values[2])] = values
        now = timezone.now()
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
                if old[3 + STAY_FIELDS.index("department_id")] != values[STAY_FIELDS.index("department_id")]:
                    moved.setdefault(stay.department_id, []).append(stay.id)
            else:
                report.unchanged += 1
        for start in range(0, len(creates), batch_size):
            DischargeStay.objects.bulk_create(creates[start : start + batch_size], batch_size=batch_size)
        if updates:
            DischargeStay.objects.bulk_update(updates, [*STAY_FIELDS, "imported_at"], batch_size=500)
        for department_id, stay_ids in moved.items():
            FollowupTask.objects.filter(stay_id__in=stay_ids).update(department_id=department_id)
        report.created, report.updated = len(creates), len(updates)
        record_run(kind="discharges", file_name=file_name, actor=actor, report=report, started_at=started_at)
    return report


# --- history -----------------------------------------------------------------------------------

HISTORY_HEADERS = ["住院号", "出院日期", "回访日期", "回访结果", "回访人", "回访方式", "满意度", "备注"]
HISTORY_REQUIRED = ["住院号", "出院日期", "回访日期", "回访结果"]
HISTORY_EXAMPLE = ["ZY2026000123", "2026-03-08", "2026-03-11", "成功", "林回访", "电话", "满意", ""]

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


def parse_outcome(value) -> str:
    from django.utils import translation

    text = parsing.clean_text(value, 32, required=True)
    if text in Outcome.values:
        return text
    if text in OUTCOME_WORDS:
        return OUTCOME_WORDS[text]
    with translation.override("zh-hans"):
        for code, label in Outcome.choices:
            if text == str(label):
                return code
    raise ValueError(
        _("“%(value)s” is not a follow-up result (e.g. 成功, 空号, 关机, 无人接听, 拒访, 死亡, 信函).")
        % {"value": text}
    )


def parse_mode(value) -> str:
    text = parsing.clean_text(value, 8)
    if text in ("", "电话", "phone"):
        return TaskMode.PHONE
    if text in ("信函", "信件", "letter"):
        return TaskMode.LETTER
    raise ValueError(_("“%(value)s” is not a follow-up method (电话 / 信函).") % {"value": text})


def parse_satisfaction(value) -> str:
    text = parsing.clean_text(value, 8)
    mapping = {"": "", "满意": Satisfaction.SATISFIED, "不满意": Satisfaction.DISSATISFIED, "未问": ""}
    if text in mapping:
        return mapping[text]
    raise ValueError(_("“%(value)s” is not a satisfaction answer (满意 / 不满意).") % {"value": text})


def history_import(*, source, file_name: str, actor, progress: Progress | None = None) -> ImportReport:
    """Import past follow-up records; they count in every figure like calls made in Ducha."""
    started_at = timezone.now()
    report = ImportReport()
    read = _read(
        source,
        file_name,
        required=HISTORY_REQUIRED,
        optional=[h for h in HISTORY_HEADERS if h not in HISTORY_REQUIRED],
        report=report,
    )
    if read is None:
        record_run(
            kind="followup_history", file_name=file_name, actor=actor, report=report, started_at=started_at
        )
        return report
    headers, rows = read
    index = {h: i for i, h in enumerate(headers)}
    raw_rows = []
    number = 1
    for number, raw in enumerate(rows, 2):
        if number - 1 > MAX_ROWS:
            report.file_error = _("More than %(max)s rows; split the file.") % {"max": MAX_ROWS}
            break
        row = _Row(report, number, raw, index)
        admission_no = row.get("住院号", parsing.clean_text, 32, required=True)
        discharged_on = row.required_date("出院日期")
        called_at = None
        if row.raw("回访日期") in (None, ""):
            row.error("回访日期", _("This column is required."))
        else:
            called_at = row.get("回访日期", parsing.parse_datetime)
        outcome = row.get("回访结果", parse_outcome)
        caller_name = row.get("回访人", parsing.clean_text, 64)
        mode = row.get("回访方式", parse_mode)
        satisfaction = row.get("满意度", parse_satisfaction)
        notes = row.get("备注", parsing.clean_text, 2000)
        if called_at and discharged_on and called_at.date() < discharged_on:
            row.error("回访日期", _("The follow-up date is before the discharge date."))
        if called_at and called_at.date() > timezone.localdate():
            row.error("回访日期", _("The follow-up date is in the future."))
        if outcome == Outcome.LETTER_DONE:
            mode = TaskMode.LETTER
        raw_rows.append(
            (
                number,
                row.failed,
                admission_no,
                discharged_on,
                called_at,
                outcome,
                caller_name,
                mode,
                satisfaction,
                notes,
            )
        )
        if progress and number % PROGRESS_EVERY == 0:
            progress(number - 1, "validating")
    report.total_rows = number - 1
    if not report.file_error and report.total_rows == 0:
        report.file_error = _("The file has a header row but no data.")

    # Stays referenced must exist; the same record twice in one file is refused.
    keys = {(r[2], r[3]) for r in raw_rows if r[2] and r[3]}
    stays: dict[tuple[str, dt.date], tuple] = {}
    admission_nos = sorted({k[0] for k in keys})
    for start in range(0, len(admission_nos), 900):
        for values in DischargeStay.objects.filter(
            admission_no__in=admission_nos[start : start + 900]
        ).values_list(
            "admission_no", "discharged_on", "id", "department_id", "patient_name", "phone", "alt_phone"
        ):
            stays[(values[0], values[1])] = values[2:]
    seen: dict[str, int] = {}
    good = []
    for number, failed, admission_no, discharged_on, called_at, outcome, *rest in raw_rows:
        if failed:
            continue
        stay = stays.get((admission_no, discharged_on))
        if stay is None:
            report.errors.append(
                RowError(
                    number,
                    "住院号",
                    _("No discharged stay %(no)s on %(date)s; import the discharge records first.")
                    % {"no": admission_no, "date": discharged_on},
                )
            )
            continue
        history_key = f"{admission_no}|{discharged_on:%Y-%m-%d}|{called_at:%Y-%m-%d %H:%M}|{outcome}"
        if history_key in seen:
            report.errors.append(
                RowError(
                    number,
                    "回访日期",
                    _("Row %(row)s repeats the record of row %(first)s.")
                    % {"row": number, "first": seen[history_key]},
                )
            )
            continue
        seen[history_key] = number
        good.append((stay, history_key, called_at, outcome, *rest))
    if not report.ok:
        report.errors.sort(key=lambda e: e.row)
        report.errors = report.errors[:MAX_ERRORS_KEPT]
        record_run(
            kind="followup_history", file_name=file_name, actor=actor, report=report, started_at=started_at
        )
        return report

    if progress:
        progress(report.total_rows, "writing")
    with transaction.atomic():
        known = set()
        all_keys = [g[1] for g in good]
        for start in range(0, len(all_keys), 900):
            known.update(
                CallAttempt.objects.filter(history_key__in=all_keys[start : start + 900]).values_list(
                    "history_key", flat=True
                )
            )
        todo = [g for g in good if g[1] not in known]
        report.unchanged = len(good) - len(todo)
        stay_ids = sorted({g[0][0] for g in todo})
        tasks: dict[int, int] = {}
        for start in range(0, len(stay_ids), 900):
            tasks.update(
                FollowupTask.objects.filter(stay_id__in=stay_ids[start : start + 900]).values_list(
                    "stay_id", "id"
                )
            )
        new_tasks = []
        stay_info = {g[0][0]: g for g in todo}
        for stay_id in stay_ids:
            if stay_id in tasks:
                continue
            (sid, department_id, name, phone, alt_phone), _key, called_at, outcome, *_rest = stay_info[
                stay_id
            ]
            new_tasks.append(
                FollowupTask(
                    stay_id=sid,
                    department_id=department_id,
                    patient_key=parsing.patient_key(name, phone or alt_phone),
                    mode=TaskMode.PHONE if (phone or alt_phone) else TaskMode.LETTER,
                    source=TaskSource.HISTORY,
                    status=TaskStatus.DONE,
                    due_on=called_at.date(),
                    expires_on=called_at.date(),
                )
            )
        FollowupTask.objects.bulk_create(new_tasks, batch_size=1000)
        for start in range(0, len(stay_ids), 900):
            tasks.update(
                FollowupTask.objects.filter(stay_id__in=stay_ids[start : start + 900]).values_list(
                    "stay_id", "id"
                )
            )
        attempts = []
        deceased_keys: dict[str, int] = {}
        tz = timezone.get_current_timezone()
        for (
            sid,
            _dept,
            name,
            phone,
            alt_phone,
        ), history_key, called_at, outcome, caller_name, mode, sat, notes in todo:
            disposition, contacted, _retry = OUTCOME_RULES[outcome]
            aware = timezone.make_aware(called_at, tz) if timezone.is_naive(called_at) else called_at
            attempts.append(
                CallAttempt(
                    task_id=tasks[sid],
                    mode=mode or TaskMode.PHONE,
                    caller_name=caller_name or "",
                    attempted_at=aware,
                    attempted_on=timezone.localtime(aware).date(),
                    outcome=outcome,
                    disposition=disposition,
                    contacted=contacted,
                    satisfaction=sat or "",
                    notes=notes or "",
                    history_key=history_key,
                )
            )
            if outcome == Outcome.DECEASED:
                for key in {parsing.patient_key(name, phone), parsing.patient_key(name, alt_phone)} - {""}:
                    deceased_keys[key] = sid
        CallAttempt.objects.bulk_create(attempts, batch_size=1000)
        _refresh_tasks(sorted({tasks[s] for s in stay_ids}))
        for key, sid in deceased_keys.items():
            PatientFlag.objects.update_or_create(
                patient_key=key,
                defaults={"deceased": True, "stay_id": sid, "recorded_by": actor, "note": "history"},
            )
        report.created = len(attempts)
        record_run(
            kind="followup_history", file_name=file_name, actor=actor, report=report, started_at=started_at
        )
    return report


def _refresh_tasks(task_ids: list[int]) -> None:
    """Recompute attempt count / contacted / disposition of tasks after history was added."""
    from django.db.models import Count, Max, Q

    for start in range(0, len(task_ids), 500):
        chunk = task_ids[start : start + 500]
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
            if task.contacted:
                task.disposition = Disposition.COMPLETE
            else:
                task.disposition = disposition
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
