"""The checklist editor: supervisors make and change checklists in the app. A published version is
frozen; editing makes a draft of the next version; items have sections, may forbid "not applicable",
may require a photo when failed, and measured items may carry their own target."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from inspections import services
from inspections.models import (
    AnswerResult,
    ChecklistItem,
    ChecklistTemplate,
    ItemKind,
    TemplateStatus,
    Transition,
)
from supervision.errors import ActionNotAllowed
from supervision.infra.uploads import clean_upload
from supervision.models import Category

from .factories import make_template, photo_upload, start_round

pytestmark = pytest.mark.django_db


def _rows(items: list[dict], existing: list[ChecklistItem] = ()) -> dict:
    """The editor's POST: the existing items (kept as they are unless ``items`` says otherwise)
    followed by new rows."""
    rows = [*({"id": i.pk, "text": i.text, "kind": i.kind, "category": i.category_id, "sort_order": i.sort_order,
               "allow_na": "on" if i.allow_na else ""} for i in existing), *items]  # fmt: skip
    data = {
        "item-TOTAL_FORMS": str(len(rows)),
        "item-INITIAL_FORMS": str(len(existing)),
        "item-MIN_NUM_FORMS": "0",
        "item-MAX_NUM_FORMS": "200",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            if value is not None and value is not False and value != "":
                data[f"item-{n}-{key}"] = value
    return data


MSG_NO_ITEMS = "督察表至少需要一个项目。"


def _category(code="attitude"):
    return Category.objects.get(code=code).pk


def test_a_supervisor_makes_a_checklist_fills_it_and_publishes_it(client_for, supervisor):
    client = client_for(supervisor)
    response = client.post(
        reverse("inspections:template_create"), {"code": "ward-hygiene", "name": "病区环境", "area": "ward"}
    )
    template = ChecklistTemplate.objects.get(code="ward-hygiene")
    assert response.status_code == 302 and (template.version, template.status) == (1, TemplateStatus.DRAFT)

    response = client.post(
        reverse("inspections:template_detail", args=[template.pk]),
        _rows(
            [
                {
                    "sort_order": 1,
                    "section": "床单位",
                    "text": "床单整洁",
                    "kind": "check",
                    "category": _category(),
                    "allow_na": "",
                    "photo_on_fail": "on",
                },
                {
                    "sort_order": 2,
                    "section": "手卫生",
                    "text": "手卫生依从",
                    "kind": "hand_hygiene",
                    "target": "90",
                    "category": _category(),
                    "allow_na": "on",
                },
                {"sort_order": 3, "kind": "check", "allow_na": "on"},  # an empty row as the browser sends it
            ]
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bed, hygiene = template.items.order_by("sort_order")
    assert (bed.section, bed.allow_na, bed.photo_on_fail, bed.target) == ("床单位", False, True, None)
    assert (hygiene.kind, hygiene.target, hygiene.allow_na) == (ItemKind.HAND_HYGIENE, Decimal("90"), True)
    editor = client.get(reverse("inspections:template_detail", args=[template.pk])).content.decode()
    assert 'value="90"' in editor and "9E+1" not in editor  # the target as typed, not 90.00

    response = client.post(reverse("inspections:template_action", args=[template.pk, "publish"]))
    template.refresh_from_db()
    assert response.status_code == 302 and template.status == TemplateStatus.PUBLISHED
    history = Transition.objects.filter(**Transition.subject_kwargs(template)).order_by("at", "id")
    assert [t.action for t in history] == ["create", "publish"]


def test_a_published_version_is_frozen_and_editing_makes_the_next_draft_with_every_setting(
    client_for, supervisor, neike
):
    template = make_template(code="frozen")
    item = template.items.order_by("sort_order").first()
    ChecklistItem.objects.filter(pk=item.pk).update(section="接待", allow_na=False, photo_on_fail=True)
    client = client_for(supervisor)

    response = client.post(
        reverse("inspections:template_detail", args=[template.pk]),
        _rows([{"text": "新条目", "kind": "check", "category": _category()}]),
    )
    assert response.status_code == 302
    assert template.items.count() == 3  # nothing changed
    page = client.get(reverse("inspections:template_detail", args=[template.pk])).content.decode()
    assert "checklist-editor" not in page and "修改（生成新版本）" in page

    response = client.post(reverse("inspections:template_action", args=[template.pk, "new_version"]))
    draft = ChecklistTemplate.objects.get(code="frozen", version=2)
    assert response.url == reverse("inspections:template_detail", args=[draft.pk])
    copied = draft.items.order_by("sort_order").first()
    assert (copied.section, copied.allow_na, copied.photo_on_fail) == ("接待", False, True)

    client.post(reverse("inspections:template_action", args=[draft.pk, "publish"]))
    template.refresh_from_db()
    draft.refresh_from_db()
    assert (template.status, draft.status) == (TemplateStatus.RETIRED, TemplateStatus.PUBLISHED)


def test_the_editor_refuses_bad_rows_and_keeps_what_was_typed(client_for, supervisor):
    template = make_template(code="bad", published=False)
    client = client_for(supervisor)
    response = client.post(
        reverse("inspections:template_detail", args=[template.pk]),
        _rows(
            [
                {
                    "sort_order": 9,
                    "text": "服务态度好",
                    "kind": "check",
                    "target": "5",
                    "category": _category(),
                },
                {
                    "sort_order": 10,
                    "text": "手卫生",
                    "kind": "hand_hygiene",
                    "target": "150",
                    "category": _category(),
                },
                {
                    "sort_order": 11,
                    "text": "候诊时间",
                    "kind": "wait_time",
                    "target": "0",
                    "category": _category(),
                },
            ],
            existing=list(template.items.all()),
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "只有测量类项目才有目标值" in page
    assert "手卫生目标为依从率" in page and "候诊时间目标应在 1 至 600 分钟之间" in page
    assert 'value="服务态度好"' in page  # nothing typed is lost
    assert template.items.count() == 3


def test_a_checklist_cannot_be_saved_without_items_nor_created_twice(client_for, supervisor):
    template = make_template(code="empty", published=False)
    client = client_for(supervisor)
    rows = _rows([], existing=list(template.items.all()))
    for n in range(3):
        rows[f"item-{n}-DELETE"] = "on"
    response = client.post(reverse("inspections:template_detail", args=[template.pk]), rows)
    assert response.status_code == 400
    assert MSG_NO_ITEMS in response.content.decode()
    assert template.items.count() == 3

    response = client.post(
        reverse("inspections:template_create"), {"code": "empty", "name": "重复", "area": "ward"}
    )
    assert response.status_code == 400
    assert "已有使用该代码的督察表" in response.content.decode()


def test_an_item_that_always_applies_cannot_be_marked_not_applicable(supervisor, neike):
    template = make_template(code="no-na")
    item = template.items.order_by("sort_order").first()
    ChecklistItem.objects.filter(pk=item.pk).update(allow_na=False)
    item.refresh_from_db()
    rnd = start_round(actor=supervisor, department=neike, template=template)
    with pytest.raises(ActionNotAllowed, match=r"不能标记为不适用|cannot be marked not applicable"):
        services.answer_save(rnd=rnd, item=item, actor=supervisor, result=AnswerResult.NA)
    assert (
        services.answer_save(rnd=rnd, item=item, actor=supervisor, result=AnswerResult.PASS).result == "pass"
    )


def test_the_round_page_hides_not_applicable_where_it_is_not_allowed(client_for, supervisor, neike):
    template = make_template(code="no-na-page")
    first = template.items.order_by("sort_order").first()
    ChecklistItem.objects.filter(pk=first.pk).update(allow_na=False)
    rnd = start_round(actor=supervisor, department=neike, template=template)
    page = client_for(supervisor).get(rnd.get_absolute_url()).content.decode()
    assert f'id="r{first.pk}-na"' not in page
    others = template.items.exclude(pk=first.pk)
    assert all(f'id="r{i.pk}-na"' in page for i in others)


def test_a_failed_item_that_asks_for_a_photo_blocks_submission_until_one_is_taken(
    client_for, supervisor, neike
):
    template = make_template(code="photo")
    items = list(template.items.order_by("sort_order"))
    ChecklistItem.objects.filter(pk=items[0].pk).update(photo_on_fail=True)
    rnd = start_round(actor=supervisor, department=neike, template=template)
    answers = [
        services.answer_save(rnd=rnd, item=item, actor=supervisor, result=r)
        for item, r in zip(items, ["fail", "pass", "pass"], strict=True)
    ]
    page = client_for(supervisor).get(reverse("inspections:round_submit", args=[rnd.pk])).content.decode()
    assert 'id="photos-missing"' in page and items[0].text in page
    with pytest.raises(ActionNotAllowed, match=r"须拍照|need a photo"):
        services.round_submit(rnd=rnd, actor=supervisor)

    services.photo_add(
        answer=answers[0], upload=clean_upload(photo_upload(), allow_pdf=False), actor=supervisor
    )
    assert services.round_submit(rnd=rnd, actor=supervisor).status == "submitted"


def test_a_measured_items_own_target_decides_pass_or_fail(supervisor, neike):
    template = make_template(
        code="targets", items=[("attitude", ItemKind.HAND_HYGIENE), ("attitude", ItemKind.WAIT_TIME)]
    )
    hygiene, waiting = template.items.order_by("sort_order")
    ChecklistItem.objects.filter(pk=hygiene.pk).update(target=Decimal("90"))
    ChecklistItem.objects.filter(pk=waiting.pk).update(target=Decimal("10"))
    hygiene.refresh_from_db()
    waiting.refresh_from_db()
    rnd = start_round(actor=supervisor, department=neike, template=template)
    # 17 of 20 is 85 %: passes the standard 80 % (InspectionSettings) but not this item's 90 %.
    answer = services.answer_save(rnd=rnd, item=hygiene, actor=supervisor, hh_opportunities=20, hh_washes=17)
    assert answer.result == AnswerResult.FAIL
    answer = services.answer_save(rnd=rnd, item=hygiene, actor=supervisor, hh_opportunities=20, hh_washes=18)
    assert answer.result == AnswerResult.PASS  # exactly 90 %: counts compared, nothing rounded
    assert (
        services.answer_save(rnd=rnd, item=waiting, actor=supervisor, wait_minutes=Decimal("12")).result
        == "fail"
    )
    assert (
        services.answer_save(rnd=rnd, item=waiting, actor=supervisor, wait_minutes=Decimal("10")).result
        == "pass"
    )


def test_sections_head_the_items_on_the_round_page_in_the_editors_order(client_for, supervisor, neike):
    template = make_template(
        code="sections", items=[("attitude", "check"), ("process", "check"), ("attitude", "check")]
    )
    a, b, c = template.items.order_by("sort_order")
    ChecklistItem.objects.filter(pk=a.pk).update(section="入口", sort_order=1)
    ChecklistItem.objects.filter(pk=b.pk).update(section="入口", sort_order=2)
    ChecklistItem.objects.filter(pk=c.pk).update(section="病房", sort_order=3)
    rnd = start_round(actor=supervisor, department=neike, template=template)
    page = client_for(supervisor).get(rnd.get_absolute_url()).content.decode()
    entrance, ward = (page.index(f'<h2 class="h5 mt-3">{h}</h2>') for h in ("入口", "病房"))
    assert entrance < page.index(f'id="item-{a.pk}"') < page.index(f'id="item-{b.pk}"')
    assert page.index(f'id="item-{b.pk}"') < ward < page.index(f'id="item-{c.pk}"')


def test_the_preview_is_framed_by_the_app_only(client_for, supervisor):
    template = make_template(code="preview")
    client = client_for(supervisor)
    outer = client.get(reverse("inspections:template_preview", args=[template.pk]))
    assert outer.status_code == 200 and "<iframe" in outer.content.decode()
    assert outer["X-Frame-Options"] == "DENY"
    frame = client.get(reverse("inspections:template_preview_frame", args=[template.pk]))
    assert frame.status_code == 200 and "检查项 1" in frame.content.decode()
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["template_list", "template_create"])
def test_only_the_office_opens_the_editor(client_for, supervisor, administrator, head_neike, caller, name):
    url = reverse(f"inspections:{name}")
    for user, status in ((supervisor, 200), (administrator, 200), (head_neike, 403), (caller, 403)):
        assert client_for(user).get(url).status_code == status, user


def test_a_head_cannot_change_a_checklist_by_posting(client_for, head_neike):
    template = make_template(code="posted", published=False)
    client = client_for(head_neike)
    assert (
        client.post(reverse("inspections:template_action", args=[template.pk, "publish"])).status_code == 403
    )
    assert (
        client.post(reverse("inspections:template_detail", args=[template.pk]), _rows([])).status_code == 403
    )
    template.refresh_from_db()
    assert template.status == TemplateStatus.DRAFT


def test_editor_pages_do_not_grow_with_items_or_versions(client_for, supervisor, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    template = make_template(code="grow", published=False)
    client = client_for(supervisor)
    urls = [
        reverse("inspections:template_list"),
        reverse("inspections:template_detail", args=[template.pk]),
        reverse("inspections:template_preview_frame", args=[template.pk]),
    ]
    counts = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        counts.append(len(few))
    for n in range(20):
        ChecklistItem.objects.create(
            template=template,
            category_id=_category(),
            text=f"更多 {n}",
            sort_order=10 + n,
            section=f"节{n % 3}",
        )
    for n in range(4):
        make_template(code=f"other-{n}")
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


def test_the_checklist_list_counts_items_once_however_many_rounds_used_the_version(
    client_for, supervisor, neike
):
    template = make_template(code="counted")
    for _ in range(2):
        start_round(actor=supervisor, department=neike, template=template)
    page = client_for(supervisor).get(reverse("inspections:template_list")).content.decode()
    assert "3 个项目" in page and "6 个项目" not in page
