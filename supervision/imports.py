"""Spreadsheet imports: read a file safely, check its headers, run an all-or-nothing import
and keep a row-level error report in the user's language.

Used by the department and staff imports here and by the channel apps' imports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from .exports import SafeExportResourceMixin
from .models import Department, DepartmentKind, ImportRun, Staff, StaffPosition

# XML bombs: calamine's XML reader (quick-xml) expands no DTD entity, and openpyxl (the fallback)
# parses with defusedxml, a dependency. Zip bombs are refused by ``_check_archive`` before either
# reader sees the file.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000


class ImportFileError(ValidationError):
    """The file as a whole cannot be read; nothing was written."""


def _decode_csv(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK encoded."))


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value if value != "" else None
    return value


def _csv_reason(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return _("a cell is longer than %(n)s characters") % {"n": csv.field_size_limit()}
    return _("malformed CSV")


def iter_rows(source, name: str):
    """Return (headers, rows iterator) from an .xlsx or .csv file object or path.

    An .xlsx sheet is parsed at once in Rust (python-calamine) and handed out row by row."""
    if isinstance(source, str | Path):
        name = str(source)
        source = open(source, "rb")  # noqa: SIM115 - closed by the caller's file lifetime
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": size // 1048576, "limit": settings.IMPORT_MAX_BYTES // 1048576}
        )
    lower = (name or "").lower()
    head = source.read(4)
    source.seek(0)
    if lower.endswith(".csv"):
        text = _decode_csv(source.read())
        reader = csv.reader(io.StringIO(text))
        # Parsed here in full (the text is already in memory and bounded by IMPORT_MAX_BYTES) so
        # that a malformed line — a cell beyond the csv module's field limit, a stray NUL — is
        # one clear file error before anything is written, not an exception halfway through.
        try:
            parsed = [row for row in reader if any(row)]
        except csv.Error as exc:
            raise ImportFileError(
                _("Line %(line)s of the CSV file cannot be read (%(reason)s); nothing was imported.")
                % {"line": reader.line_num, "reason": _csv_reason(exc)}
            ) from None
        if not parsed:
            raise ImportFileError(_("The file is empty."))
        headers, *rows = parsed
        return [str(h).strip() for h in headers], ([_cell(c) for c in row] for row in rows)
    if lower.endswith((".xlsx", ".xlsm")) or head == b"PK\x03\x04":
        if head != b"PK\x03\x04":
            raise ImportFileError(
                _("This is not an Excel .xlsx file (perhaps another file renamed to .xlsx).")
            )
        try:
            has_error_cells = _check_archive(source)
            source.seek(0)
            # python-calamine (Rust) reads the sheet ~25× faster than openpyxl's read-only mode;
            # openpyxl is kept for workbooks holding error cells (#N/A …), which calamine turns
            # into empty cells: openpyxl reads them as their text, so they stay row errors.
            rows = _openpyxl_rows(source) if has_error_cells else _calamine_rows(source)
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(
                _("The Excel file cannot be read; save it again as .xlsx and retry.")
            ) from None
        try:
            headers = next(rows)
        except StopIteration:
            raise ImportFileError(_("The file is empty.")) from None
        headers = [str(h).strip() if h is not None else "" for h in headers]
        while headers and headers[-1] == "":
            headers.pop()
        width = len(headers)
        return headers, (
            [_cell(c) for c in row[:width]] for row in rows if any(c not in (None, "") for c in row)
        )
    raise ImportFileError(_("Upload an Excel (.xlsx) or CSV (.csv) file."))


_ERROR_CELL_MARKS = (b't="e"', b"t='e'")


def _check_archive(source) -> bool:
    """Refuse a zip bomb before any XML is parsed; tell whether a worksheet holds error cells.

    The declared sizes are checked first (cheap). Then every member is read through ``zipfile``,
    which stops at the declared size and checks the CRC: an archive that under-declares a
    member's size (to pass the first check) fails here, bounded, instead of being unpacked in
    full by the Rust reader. Costs about 0.2 s per 100,000 rows.
    """
    with zipfile.ZipFile(source) as archive:
        infos = archive.infolist()
        if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
            raise ImportFileError(_("The Excel file unpacks to an unreasonable size and was refused."))
        has_error_cells = False
        for info in infos:
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            tail = b""
            with archive.open(info) as member:
                while chunk := member.read(1 << 20):
                    if sheet and not has_error_cells:
                        window = tail + chunk
                        has_error_cells = any(mark in window for mark in _ERROR_CELL_MARKS)
                        tail = chunk[-8:]
    return has_error_cells


def _openpyxl_rows(source):
    import openpyxl

    book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    return book.worksheets[0].iter_rows(values_only=True)


_EXACT_FLOAT = float(2**53)
_MIDNIGHT = dt.time()


def _calamine_rows(source):
    """Rows of the first worksheet from A1, with the cell types openpyxl gives.

    calamine holds the sheet's cells in Rust (about 100 MB at 100,000 rows × 13 columns) and
    converts one row at a time to Python. It answers whole numbers as floats (58.0 → 58, as
    openpyxl reads ``<v>58</v>``), dates as ``date`` (→ ``datetime`` at midnight, as openpyxl)
    and empty cells as "" (→ None in ``_cell``); the header is always the sheet's row 1.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    book = CalamineWorkbook.from_filelike(source)
    kinds = [meta.typ for meta in book.sheets_metadata]
    index = kinds.index(SheetTypeEnum.WorkSheet) if SheetTypeEnum.WorkSheet in kinds else 0
    sheet = book.get_sheet_by_index(index)
    return _converted(sheet)


def _converted(sheet):
    start = sheet.start
    if start is None:  # no used cell
        return
    # iter_rows() yields the empty rows above the first used cell but starts each row at the
    # first used column: put the columns to its left back.
    pad = [None] * start[1]
    date, combine = dt.date, dt.datetime.combine
    for row in sheet.iter_rows():
        yield pad + [
            (int(c) if c.is_integer() and -_EXACT_FLOAT <= c <= _EXACT_FLOAT else c)
            if type(c) is float
            else (combine(c, _MIDNIGHT) if type(c) is date else c)
            for c in row
        ]


def check_headers(headers: list[str], *, required: list[str], optional: list[str] = ()) -> None:
    missing = [h for h in required if h not in headers]
    if missing:
        raise ImportFileError(
            _("Missing columns: %(missing)s. Download the template to see the expected columns.")
            % {"missing": "、".join(missing)}
        )
    duplicated = sorted({h for h in headers if h and headers.count(h) > 1})
    if duplicated:
        raise ImportFileError(_("Columns appear twice: %(cols)s.") % {"cols": "、".join(duplicated)})
    unknown = [h for h in headers if h and h not in required and h not in optional]
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(cols)s. Download the template to see the expected columns.")
            % {"cols": "、".join(unknown)}
        )


def read_dataset(source, name: str, *, required: list[str], optional: list[str] = ()) -> tablib.Dataset:
    headers, rows = iter_rows(source, name)
    check_headers(headers, required=required, optional=optional)
    data = tablib.Dataset(headers=headers)
    for n, row in enumerate(rows, 1):
        if n > MAX_ROWS:
            raise ImportFileError(_("More than %(max)s rows; split the file.") % {"max": MAX_ROWS})
        data.append(list(row) + [None] * (len(headers) - len(row)))
    if not len(data):
        raise ImportFileError(_("The file has a header row but no data."))
    return data


def template_workbook(headers: list[str], example: list | None = None) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Import")
    sheets = [sheet]
    if example:
        # The example lives on a sheet of its own, which is never imported: an example row on the
        # imported sheet, uploaded as downloaded, would become a real person or department.
        sample = book.create_sheet(_("Example (not imported)"))
        sheets.append(sample)
    for target in sheets:
        target.append(headers)
        for cell in target[1]:
            cell.font = Font(bold=True)
        for i, header in enumerate(headers, 1):
            target.column_dimensions[openpyxl.utils.get_column_letter(i)].width = max(12, 2 * len(header) + 4)
        target.freeze_panes = "A2"
    if example:
        sample.append(example)
        sample.append([])
        sample.append([_("Fill in the first sheet; only the first sheet is imported.")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class RowError:
    row: int  # spreadsheet row number (header = 1)
    column: str
    message: str


@dataclass
class ImportReport:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


def _no_nul(value):
    # PostgreSQL refuses NUL in text and jsonb; an error message may quote a hostile cell.
    return value.replace("\x00", "") if isinstance(value, str) else value


def record_run(*, kind, file_name, actor, report: ImportReport, started_at):
    errors = [{k: _no_nul(v) for k, v in e.__dict__.items()} for e in report.errors[:500]]
    if report.file_error:
        errors.append({"row": 0, "column": "", "message": _no_nul(report.file_error)})
    ImportRun.objects.create(
        kind=kind,
        file_name=_no_nul(file_name)[:255],
        actor=actor if actor and actor.pk else None,
        started_at=started_at,
        finished_at=timezone.now(),
        succeeded=report.ok,
        total_rows=report.total_rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        error_count=len(report.errors) + (1 if report.file_error else 0),
        errors=errors,
    )


def import_with_resource(
    *, resource: resources.ModelResource, source, file_name: str, actor, kind: str
) -> ImportReport:
    """All-or-nothing import through django-import-export, with a recorded ImportRun."""
    started_at = timezone.now()
    report = ImportReport()
    try:
        dataset = read_dataset(
            source, file_name, required=resource.required_headers, optional=resource.optional_headers
        )
    except ImportFileError as exc:
        report.file_error = exc.messages[0]
        record_run(kind=kind, file_name=file_name, actor=actor, report=report, started_at=started_at)
        return report
    report.total_rows = len(dataset)
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
        )
    for base_error in result.base_errors:
        report.errors.extend(RowError(0, "", m) for m in _messages(base_error.error))
    for row_number, errors in result.row_errors():
        for error in errors:
            report.errors.extend(RowError(row_number + 1, "", m) for m in _messages(error.error))
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            label = resource.column_label(column)
            for message in messages:
                report.errors.append(RowError(invalid.number + 1, label, str(message)))
    report.errors.sort(key=lambda e: e.row)
    if report.ok:
        totals = result.totals
        report.created = totals.get("new", 0)
        report.updated = totals.get("update", 0)
        report.unchanged = totals.get("skip", 0)
    record_run(kind=kind, file_name=file_name, actor=actor, report=report, started_at=started_at)
    return report


def _messages(error: BaseException) -> list[str]:
    """A ValidationError's messages as text (str() of one is a Python list: "['…']")."""
    if isinstance(error, ValidationError):
        return [str(m) for m in error.messages]
    return [str(error)]


# --- resources -------------------------------------------------------------------------------


class LabelChoiceWidget(widgets.Widget):
    """Accepts a choice's code or its label in either language (临床 / clinical)."""

    def __init__(self, choices, aliases=None, **kwargs):
        self.choices = choices
        self.aliases = {k.lower(): v for k, v in (aliases or {}).items()}
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            raise ValueError(_("This column is required."))
        text = str(value).strip()
        from django.utils import translation

        if text.lower() in self.aliases:
            return self.aliases[text.lower()]
        for code, label in self.choices.choices:
            names = {code.lower(), str(label).lower()}
            with translation.override("zh-hans"):
                names.add(str(label).lower())
            if text.lower() in names:
                return code
        raise ValueError(
            _("“%(value)s” is not one of: %(allowed)s.")
            % {"value": text, "allowed": "、".join(str(label) for _c, label in self.choices.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class YesNoWidget(widgets.BooleanWidget):
    TRUE_VALUES = ["1", 1, True, "true", "TRUE", "True", "是", "yes", "Y", "y", "启用", "在职"]
    FALSE_VALUES = ["0", 0, False, "false", "FALSE", "False", "否", "no", "N", "n", "停用", "离职"]

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return True
        text = value.strip() if isinstance(value, str) else value
        if text in self.TRUE_VALUES:
            return True
        if text in self.FALSE_VALUES:
            return False
        # django-import-export reads any other value as "no": an unknown word ("也许", "√") would
        # quietly mark a member of staff as gone or a department as closed.
        raise ValueError(_("“%(value)s” is not yes or no: write 是 or 否.") % {"value": value})


class RequiredCharWidget(widgets.CharWidget):
    def __init__(self, max_length, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if not text:
            raise ValueError(_("This column is required."))
        if len(text) > self.max_length:
            raise ValueError(_("At most %(n)s characters.") % {"n": self.max_length})
        return text


# What hospital spreadsheets actually say in these columns.
DEPARTMENT_KIND_ALIASES = {
    "临床": DepartmentKind.CLINICAL,
    "临床科室": DepartmentKind.CLINICAL,
    "医技": DepartmentKind.CLINICAL,
    "窗口": DepartmentKind.WINDOW,
    "服务窗口": DepartmentKind.WINDOW,
    "窗口服务": DepartmentKind.WINDOW,
    "后勤": DepartmentKind.SUPPORT,
    "后勤保障": DepartmentKind.SUPPORT,
    "行政后勤": DepartmentKind.SUPPORT,
}
POSITION_ALIASES = {
    "医生": StaffPosition.DOCTOR,
    "医师": StaffPosition.DOCTOR,
    "护士": StaffPosition.NURSE,
    "护理": StaffPosition.NURSE,
    "技师": StaffPosition.TECHNICIAN,
    "药师": StaffPosition.PHARMACIST,
    "收费员": StaffPosition.CLERK,
    "挂号员": StaffPosition.CLERK,
    "窗口": StaffPosition.CLERK,
    "后勤": StaffPosition.SUPPORT,
    "工勤": StaffPosition.SUPPORT,
    "其他": StaffPosition.OTHER,
}


class WholeNumberWidget(widgets.IntegerWidget):
    """The library's IntegerWidget answers "abc" with a Python exception name; this says it plainly."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Exception:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value}) from None


class DuchaResource(SafeExportResourceMixin, resources.ModelResource):
    """Shared behaviour: Chinese headers, duplicate keys in one file refused, unchanged rows skipped,
    and exports (the admin's) neutralised against spreadsheet formula injection."""

    key_header: str = ""

    @property
    def required_headers(self) -> list[str]:
        return [f.column_name for f in self.fields.values() if getattr(f, "required_column", True)]

    @property
    def optional_headers(self) -> list[str]:
        return [f.column_name for f in self.fields.values() if not getattr(f, "required_column", True)]

    def column_label(self, field_name: str) -> str:
        f = self.fields.get(field_name)
        return f.column_name if f else field_name

    def before_import(self, dataset, **kwargs):
        seen: dict[str, int] = {}
        duplicates = []
        for n, value in enumerate(dataset[self.key_header], 2):
            key = str(value).strip() if value is not None else ""
            if key and key in seen:
                duplicates.append(
                    _("Row %(row)s repeats %(col)s “%(key)s” of row %(first)s.")
                    % {"row": n, "col": self.key_header, "key": key, "first": seen[key]}
                )
            seen.setdefault(key, n)
        if duplicates:
            raise ValidationError(duplicates[:50])


class DepartmentResource(DuchaResource):
    key_header = "编码"
    code = fields.Field(attribute="code", column_name="编码", widget=RequiredCharWidget(32))
    name = fields.Field(attribute="name", column_name="名称", widget=RequiredCharWidget(64))
    kind = fields.Field(
        attribute="kind",
        column_name="类型",
        widget=LabelChoiceWidget(DepartmentKind, DEPARTMENT_KIND_ALIASES),
    )
    active = fields.Field(attribute="active", column_name="启用", widget=YesNoWidget())
    sort_order = fields.Field(attribute="sort_order", column_name="排序", widget=WholeNumberWidget())

    class Meta:
        model = Department
        import_id_fields = ["code"]
        fields = ["code", "name", "kind", "active", "sort_order"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["active"].required_column = False
        self.fields["sort_order"].required_column = False

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "sort_order" and row.get("排序") in (None, ""):
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)
        if field.attribute == "name":
            # Names are unique; say which department holds it (Django's own message names neither).
            holder = Department.objects.filter(name=instance.name).exclude(code=instance.code).first()
            if holder:
                raise ValueError(
                    _("The name “%(name)s” is already used by department %(code)s.")
                    % {"name": instance.name, "code": holder.code}
                )


class StaffResource(DuchaResource):
    key_header = "工号"
    employee_no = fields.Field(attribute="employee_no", column_name="工号", widget=RequiredCharWidget(32))
    name = fields.Field(attribute="name", column_name="姓名", widget=RequiredCharWidget(64))
    department = fields.Field(
        attribute="department",
        column_name="科室编码",
        widget=widgets.ForeignKeyWidget(Department, field="code"),
    )
    position = fields.Field(
        attribute="position", column_name="岗位", widget=LabelChoiceWidget(StaffPosition, POSITION_ALIASES)
    )
    title = fields.Field(attribute="title", column_name="职称", widget=widgets.CharWidget())
    active = fields.Field(attribute="active", column_name="在职", widget=YesNoWidget())

    class Meta:
        model = Staff
        import_id_fields = ["employee_no"]
        fields = ["employee_no", "name", "department", "position", "title", "active"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["title"].required_column = False
        self.fields["active"].required_column = False

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "department":
            code = row.get("科室编码")
            code = "" if code is None else str(code).strip()
            if not code:
                raise ValueError(_("This column is required."))
            try:
                instance.department = Department.objects.get(code=code)
            except Department.DoesNotExist:
                raise ValueError(_("Unknown department code “%(code)s”.") % {"code": code}) from None
            return
        if field.attribute == "title" and row.get("职称") is None:
            instance.title = instance.title or ""
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)


IMPORTERS = {
    "departments": {
        "resource": DepartmentResource,
        "template": ["编码", "名称", "类型", "启用", "排序"],
        "example": ["NK", "内科", "临床", "是", 10],
    },
    "staff": {
        "resource": StaffResource,
        "template": ["工号", "姓名", "科室编码", "岗位", "职称", "在职"],
        "example": ["D0001", "张伟", "NK", "医生", "主治医师", "是"],
    },
}
