"""The core's imports on the one pipeline (``supervision.infra.imports``): departments and staff.

Both are all-or-nothing and idempotent: the key (编码 / 工号) finds the stored row; a row whose
values are all the same is counted unchanged and not written; the key twice in one file is
refused.
"""

from __future__ import annotations

from . import texts
from .infra.imports import KEEP, Column, ImportSpec, Row, run_import
from .infra.imports.cells import Choice, Text, WholeNumber, yes_no
from .models import Department, DepartmentKind, Staff, StaffPosition

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


class _KeyedImport(ImportSpec):
    """Rows keyed by one column, created or updated field by field, unchanged rows skipped."""

    model = None
    key: str = ""  # the attribute that identifies a row
    fields: list[str] = []  # the attributes written

    def prepare(self) -> None:
        self.existing = {getattr(obj, self.key): obj for obj in self.model.objects.all()}

    def repeated(self, row: Row) -> bool:
        first = row.first_seen(row[self.key])
        if first is not None:
            header = next(c.header for c in self.columns if c.attr == self.key)
            row.error(
                header, texts.IMPORT_REPEATED_KEY(row=row.number, col=header, key=row[self.key], first=first)
            )
        return first is not None

    def write(self, records, report) -> None:
        creates, updates = [], []
        for _number, values in records:
            obj = self.existing.get(values[self.key])
            if obj is None:
                obj = self.model(**{k: v for k, v in values.items() if v is not KEEP})
                creates.append(obj)
                continue
            changed = False
            for name in self.fields:
                value = values[name]
                if value is not KEEP and getattr(obj, name) != value:
                    setattr(obj, name, value)
                    changed = True
            if changed:
                updates.append(obj)
            else:
                report.unchanged += 1
        self.model.objects.bulk_create(creates, batch_size=500)
        if updates:
            self.model.objects.bulk_update(updates, self.fields, batch_size=500)
        report.created, report.updated = len(creates), len(updates)


class DepartmentImport(_KeyedImport):
    kind = "departments"
    model = Department
    key = "code"
    fields = ["name", "kind", "active", "sort_order"]
    columns = [
        Column("编码", "code", Text(32), required=True),
        Column("名称", "name", Text(64), required=True),
        Column(
            "类型",
            "kind",
            Choice(DepartmentKind, DEPARTMENT_KIND_ALIASES, message=texts.IMPORT_NOT_DEPARTMENT_KIND),
            required=True,
        ),
        Column("启用", "active", yes_no, default=True),
        Column("排序", "sort_order", WholeNumber(0), default=KEEP),
    ]
    example = ["NK", "内科", "临床", "是", 10]

    def prepare(self) -> None:
        super().prepare()
        self.name_holder = {obj.name: code for code, obj in self.existing.items()}

    def clean_row(self, row: Row):
        if self.repeated(row):
            return None
        name, code = row["name"], row["code"]
        # Names are unique: say which department holds it (earlier in the file or stored).
        holder = self.name_holder.get(name, code)
        if holder != code:
            row.error("名称", texts.IMPORT_NAME_TAKEN(name=name, code=holder))
            return None
        self.name_holder[name] = code
        return row.values


class StaffImport(_KeyedImport):
    kind = "staff"
    model = Staff
    key = "employee_no"
    fields = ["name", "department_id", "position", "title", "active"]
    columns = [
        Column("工号", "employee_no", Text(32), required=True),
        Column("姓名", "name", Text(64), required=True),
        Column("科室编码", "department", Text(32), required=True),
        Column(
            "岗位",
            "position",
            Choice(StaffPosition, POSITION_ALIASES, message=texts.IMPORT_NOT_POSITION),
            required=True,
        ),
        Column("职称", "title", Text(64), default=KEEP),
        Column("在职", "active", yes_no, default=True),
    ]
    example = ["D0001", "张伟", "NK", "医生", "主治医师", "是"]

    def prepare(self) -> None:
        super().prepare()
        self.departments = dict(Department.objects.values_list("code", "id"))

    def clean_row(self, row: Row):
        if self.repeated(row):
            return None
        code = row.values.pop("department")
        department_id = self.departments.get(code)
        if department_id is None:
            row.error("科室编码", texts.IMPORT_UNKNOWN_DEPARTMENT_CODE(code=code))
            return None
        row.values["department_id"] = department_id
        return row.values


IMPORTERS: dict[str, type[ImportSpec]] = {"departments": DepartmentImport, "staff": StaffImport}


def import_file(kind: str, *, source, file_name: str, actor):
    """Import departments or staff (``kind``) from an uploaded or local .xlsx/.csv file."""
    return run_import(IMPORTERS[kind], source=source, file_name=file_name, actor=actor)
