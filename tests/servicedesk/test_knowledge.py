"""The knowledge base ("活字典"): search by characters, by pinyin initials and with one character
wrong; the stale list; flagging a wrong answer; the all-or-nothing Excel import."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from servicedesk import selectors, services
from servicedesk.models import KnowledgeEntry, KnowledgeKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb(desk):
    def add(title, kind=KnowledgeKind.DEPARTMENT, **kw):
        return services.knowledge_save(actor=desk, kind=kind, title=title, **kw)

    return {
        "xh": add("消化内科", location="门诊楼三楼", keywords="胃病 胃镜"),
        "xn": add("心血管内科", location="门诊楼二楼"),
        "ek": add("儿科", location="门诊楼一楼"),
        "copy": add("如何复印病历", kind=KnowledgeKind.SERVICE, body="凭身份证到病案室复印"),
        "expert": add("王建国", kind=KnowledgeKind.EXPERT, specialties="胃肠肿瘤 内镜", hours="周二上午"),
        "other": add("北京协和医院", kind=KnowledgeKind.OTHER_HOSPITAL, specialties="疑难杂症"),
    }


def titles(query, **kw):
    return [e.title for e in selectors.knowledge_search(query, **kw)]


def test_the_initials_are_stored_when_an_entry_is_saved(kb):
    assert " xhnk " in KnowledgeEntry.objects.get(pk=kb["xh"].pk).initials


def test_pinyin_initials_find_the_department(kb):
    assert titles("xhnk") == ["消化内科"]
    assert titles("XHNK") == ["消化内科"]  # case does not matter
    assert titles("xxg") == ["心血管内科"]  # the start of a word's initials
    assert titles("hnk") == []  # not the middle of one


def test_chinese_keywords_find_by_title_keyword_and_answer(kb):
    assert titles("消化") == ["消化内科"]
    assert titles("胃镜") == ["消化内科"]  # a keyword
    assert titles("病案室") == ["如何复印病历"]  # the answer's text
    assert set(titles("内镜")) == {"王建国"}  # an expert's specialty


def test_a_wrong_character_still_finds_the_entry(kb):
    assert titles("消化内料") == ["消化内科"]  # one wrong character
    assert titles("小化内科") == ["消化内科"]  # a homophone: same initials
    assert titles("xhmk") == ["消化内科"]  # one wrong initial
    assert titles("消化外料") == []  # two wrong characters are a different query


def test_the_wrong_character_match_runs_in_the_database_not_a_python_function_per_row(kb):
    # On SQLite Django's REGEXP is a Python function called for every row: 5,000 entries were several
    # times the 100 ms target (docs/servicedesk.md). The one-wrong match is LIKE, native on both.
    for query in ("消化内料", "xhmk"):
        with CaptureQueriesContext(connection) as seen:
            assert titles(query) == ["消化内科"]
        sql = " ".join(q["sql"] for q in seen.captured_queries).upper()
        assert "REGEXP" not in sql and " ~ " not in sql and "LIKE" in sql


def test_a_query_s_own_wildcards_are_characters_not_patterns(kb, desk):
    services.knowledge_save(actor=desk, kind=KnowledgeKind.FAQ, title="充电宝_租借", keywords="a%b")
    assert titles("%%%") == []  # not "anything, three times"
    assert titles("___") == []
    assert titles("电宝_") == ["充电宝_租借"]
    assert titles("电宝%") == ["充电宝_租借"]  # one wrong character: % stands for _, as a character


def test_exact_matches_come_before_typo_matches(kb, desk):
    services.knowledge_save(actor=desk, kind=KnowledgeKind.FAQ, title="内科挂号在哪里")
    found = titles("内科")
    assert found[0] in {"消化内科", "心血管内科", "内科挂号在哪里"}
    assert set(found) == {"消化内科", "心血管内科", "内科挂号在哪里"}


def test_a_search_is_one_query_whatever_the_size_of_the_base(
    kb, client_for, desk, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as queries:
        list(selectors.knowledge_search("xhnk"))
    assert len(queries) == 1
    client = client_for(desk)
    url = reverse("servicedesk:kb") + "?q=xhnk"
    with CaptureQueriesContext(connection) as few:
        assert "消化内科" in client.get(url).content.decode()
    for n in range(20):
        services.knowledge_save(actor=desk, kind=KnowledgeKind.FAQ, title=f"消化内科问题{n}")
    with django_assert_max_num_queries(len(few)):
        client.get(url)


def test_entries_past_their_review_date_are_listed_for_review(kb, client_for, desk):
    today = timezone.localdate()
    KnowledgeEntry.objects.filter(pk=kb["ek"].pk).update(review_due=today - dt.timedelta(days=1))
    KnowledgeEntry.objects.filter(pk=kb["xn"].pk).update(review_due=today - dt.timedelta(days=30))
    assert [e.title for e in selectors.knowledge_stale(today=today)] == ["心血管内科", "儿科"]
    page = client_for(desk).get(reverse("servicedesk:kb_review")).content.decode()
    assert "儿科" in page and "消化内科" not in page


def test_saving_an_entry_is_a_review_and_moves_its_date(kb, desk):
    entry = kb["ek"]
    KnowledgeEntry.objects.filter(pk=entry.pk).update(review_due=dt.date(2020, 1, 1))
    entry.refresh_from_db()
    services.knowledge_save(actor=desk, entry=entry, location="门诊楼一楼东侧")
    entry.refresh_from_db()
    assert entry.review_due > timezone.localdate()


def test_the_desk_flags_a_wrong_answer_and_the_next_save_clears_it(kb, client_for, desk, supervisor):
    entry = kb["copy"]
    response = client_for(desk).post(entry.get_absolute_url(), {"note": "病案室已搬到行政楼"})
    assert response.status_code == 302
    assert [e.title for e in selectors.knowledge_flagged()] == ["如何复印病历"]
    services.knowledge_save(actor=supervisor, entry=entry, body="凭身份证到行政楼病案室复印")
    assert list(selectors.knowledge_flagged()) == []


def test_an_empty_flag_is_refused_with_a_message(kb, client_for, desk):
    response = client_for(desk).post(kb["copy"].get_absolute_url(), {"note": "  "})
    assert response.status_code == 400
    assert not kb["copy"].flags.exists()


def test_a_head_reads_the_knowledge_base_but_cannot_change_it(kb, client_for, head_neike):
    client = client_for(head_neike)
    assert client.get(reverse("servicedesk:kb") + "?q=xhnk").status_code == 200
    assert client.post(kb["copy"].get_absolute_url(), {"note": "错"}).status_code == 403
    assert client.get(reverse("servicedesk:kb_create")).status_code == 403


def _workbook(rows) -> SimpleUploadedFile:
    from servicedesk.importing import KnowledgeImport

    book = Workbook()
    sheet = book.active
    sheet.append(KnowledgeImport.headers())
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("kb.xlsx", data.getvalue())


def test_the_excel_import_adds_entries_searchable_by_initials(client_for, administrator, neike):
    upload = _workbook(
        [
            [
                "科室",
                "呼吸内科",
                "NK",
                "咳嗽、哮喘",
                "门诊楼四楼",
                "周一至周五",
                "",
                "",
                "",
                "",
                "2027-06-30",
            ],
            ["专家", "李明", "", "", "", "周三上午", "哮喘", "", "", "", ""],
        ]
    )
    response = client_for(administrator).post(reverse("servicedesk:kb_import"), {"file": upload})
    assert response.status_code == 302
    assert titles("hxnk") == ["呼吸内科"]
    assert KnowledgeEntry.objects.get(title="李明").review_due > timezone.localdate()


def test_the_excel_import_is_all_or_nothing(client_for, administrator):
    upload = _workbook(
        [
            ["科室", "呼吸内科", "", "", "", "", "", "", "", "", ""],
            ["科室", "眼科", "NOPE", "", "", "", "", "", "", "", ""],
            ["什么", "皮肤科", "", "", "", "", "", "", "", "", ""],
        ]
    )
    response = client_for(administrator).post(reverse("servicedesk:kb_import"), {"file": upload})
    assert response.status_code == 400
    assert not KnowledgeEntry.objects.exists()
    page = response.content.decode()
    assert "NOPE" in page and "什么" in page


def test_the_import_page_lists_the_columns_with_the_readers_separator(client_for, administrator):
    client = client_for(administrator)
    assert "类别、标题、科室编码" in client.get(reverse("servicedesk:kb_import")).content.decode()
    administrator.language = "en"
    administrator.save(update_fields=["language"])
    assert "类别, 标题, 科室编码" in client.get(reverse("servicedesk:kb_import")).content.decode()
