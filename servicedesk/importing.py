"""The knowledge-base import on the one pipeline (``supervision.infra.imports``), all-or-nothing.

A row is keyed by (类别, 标题, 医院): the same key again updates the stored entry; twice in one file
is refused. Derived search keys (pinyin initials) are computed in the bulk write, as a save would.
"""

from __future__ import annotations

from django.utils import timezone

from supervision import texts as core_texts
from supervision.infra.imports import KEEP, Column, ImportSpec, Row, run_import
from supervision.infra.imports.cells import Choice, Text, date
from supervision.models import Department, User

from . import texts
from .models import KnowledgeEntry, KnowledgeKind
from .services import REVIEW_AFTER, knowledge_keys

KIND_ALIASES = {
    "科室": KnowledgeKind.DEPARTMENT,
    "专家": KnowledgeKind.EXPERT,
    "医生": KnowledgeKind.EXPERT,
    "服务": KnowledgeKind.SERVICE,
    "流程": KnowledgeKind.SERVICE,
    "办事流程": KnowledgeKind.SERVICE,
    "问答": KnowledgeKind.FAQ,
    "常见问题": KnowledgeKind.FAQ,
    "外院": KnowledgeKind.OTHER_HOSPITAL,
    "外院专科": KnowledgeKind.OTHER_HOSPITAL,
}
FIELDS = [
    "department_id",
    "body",
    "location",
    "hours",
    "specialties",
    "keywords",
    "owner_id",
    "review_due",
    "initials",
    "search_text",
]


class KnowledgeImport(ImportSpec):
    kind = "knowledge"
    columns = [
        Column(
            "类别",
            "kind",
            Choice(KnowledgeKind, KIND_ALIASES, message=texts.IMPORT_NOT_KNOWLEDGE_KIND),
            required=True,
        ),
        Column("标题", "title", Text(128), required=True),
        Column("科室编码", "department", Text(32), default=""),
        Column("内容", "body", Text(4000, multiline=True), default=""),
        Column("位置", "location", Text(128), default=""),
        Column("时间", "hours", Text(128), default=""),
        Column("擅长", "specialties", Text(256), default=""),
        Column("医院", "hospital", Text(64), default=""),
        Column("检索词", "keywords", Text(256), default=""),
        Column("负责人", "owner", Text(150), default=""),
        Column("复核日期", "review_due", date, default=KEEP),
    ]
    example = [
        "科室",
        "消化内科",
        "XHNK",
        "胃肠、肝胆、胰腺疾病",
        "门诊楼三楼",
        "周一至周五",
        "胃镜 肠镜",
        "",
        "胃病",
        "desk",
        "2027-06-30",
    ]

    def prepare(self) -> None:
        self.existing = {(e.kind, e.title, e.hospital): e for e in KnowledgeEntry.objects.all()}
        self.departments = {
            code: (pk, name) for pk, code, name in Department.objects.values_list("id", "code", "name")
        }
        self.users = dict(User.objects.filter(is_active=True).values_list("username", "id"))
        self.today = timezone.localdate()

    def clean_row(self, row: Row):
        values = row.values
        first = row.first_seen((values["kind"], values["title"], values["hospital"]))
        if first is not None:
            row.error("标题", texts.IMPORT_REPEATED_TITLE(row=row.number, title=values["title"], first=first))
            return None
        code = values.pop("department")
        values["department_id"], values["department_name"] = None, ""
        if code:
            if code not in self.departments:
                row.error("科室编码", core_texts.IMPORT_UNKNOWN_DEPARTMENT_CODE(code=code))
                return None
            values["department_id"], values["department_name"] = self.departments[code]
        username = values.pop("owner")
        values["owner_id"] = self.actor.pk if self.actor else None
        if username:
            if username not in self.users:
                row.error("负责人", texts.IMPORT_UNKNOWN_USER(name=username))
                return None
            values["owner_id"] = self.users[username]
        return values

    def write(self, records, report) -> None:
        creates, updates = [], []
        for _number, values in records:
            department_name = values.pop("department_name")
            key = (values["kind"], values["title"], values["hospital"])
            entry = self.existing.get(key) or KnowledgeEntry(kind=key[0], title=key[1], hospital=key[2])
            for name, value in values.items():
                if value is not KEEP:
                    setattr(entry, name, value)
            if values["review_due"] is KEEP and entry.pk is None:
                entry.review_due = self.today + REVIEW_AFTER
            knowledge_keys(entry, department_name)
            entry.updated_at = timezone.now()
            (updates if entry.pk else creates).append(entry)
        KnowledgeEntry.objects.bulk_create(creates, batch_size=500)
        if updates:
            KnowledgeEntry.objects.bulk_update(updates, [*FIELDS, "updated_at"], batch_size=500)
        report.created, report.updated = len(creates), len(updates)


def import_knowledge(*, source, file_name: str, actor):
    return run_import(KnowledgeImport, source=source, file_name=file_name, actor=actor)
