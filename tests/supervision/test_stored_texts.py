"""Texts the application stores are a key + parameters, worded for whoever reads them.

A notice written while the actor worked in Chinese reads in English for an English reader and the
reverse; its dates follow the reader's date format (2026年12月13日, 13 Dec 2026), never ISO.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext_lazy

from supervision import services, texts
from supervision.infra import wording
from supervision.infra.wording import Message, render, unword
from supervision.models import Notification, NotificationKind
from tests.factories import make_finding

DEADLINE = dt.date(2026, 12, 13)


def _issue(neike, supervisor):
    with translation.override("zh-hans"):  # the actor works in Chinese
        return make_finding(department=neike, found_by=supervisor, deadline=DEADLINE).order


def test_a_notice_is_stored_as_a_key_and_parameters_with_the_date_in_iso(neike, supervisor, head_neike):
    order = _issue(neike, supervisor)
    notice = Notification.objects.get(recipient=head_neike)
    assert notice.title_key == "order.issued"
    assert notice.params == {"number": order.number, "deadline": "2026-12-13"}
    assert notice.title == ""


def test_the_notice_page_words_the_title_in_the_readers_language_with_its_date_format(
    client_for, neike, supervisor, head_neike
):
    order = _issue(neike, supervisor)
    client = client_for(head_neike)
    html = client.get(reverse("notification_list")).content.decode()
    assert f"新整改单 {order.number}，整改期限 2026年12月13日" in html
    assert "2026-12-13" not in html

    head_neike.language = "en"
    head_neike.save()
    html = client.get(reverse("notification_list")).content.decode()
    assert f"New rectification order {order.number}, due 13 Dec 2026" in html
    assert "整改期限" not in html


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("zh-hans", "新整改单 {number}，整改期限 2026年12月13日"),
        ("en", "New rectification order {number}, due 13 Dec 2026"),
    ],
)
def test_the_email_is_worded_in_the_recipients_language(
    neike, supervisor, head_neike, settings, language, subject
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    head_neike.language = language
    head_neike.email_mode = "immediate"  # the e-mail of one notice, not the daily digest
    head_neike.save()
    order = _issue(neike, supervisor)
    with translation.override(
        "zh-hans" if language == "en" else "en"
    ):  # the sweep's own language is irrelevant
        services.notifications_email_pending()
    (message,) = mail.outbox
    assert message.subject == subject.format(number=order.number)
    assert message.body.startswith(subject.format(number=order.number))


def test_a_choice_parameter_is_stored_as_its_value_and_shown_by_its_label(db):
    from inspections import texts as inspection_texts

    with translation.override("zh-hans"):
        assert (
            render("chart_appeal.decided", {"status": "upheld"}) == "病历检查申诉已裁定：申诉成立：撤销扣分"
        )
    with translation.override("en"):
        assert render("chart_appeal.decided", {"status": "upheld"}) == (
            "Chart-audit appeal decided: Upheld: deduction withdrawn"
        )
    assert inspection_texts.APPEAL_DECIDED.key == "chart_appeal.decided"


def test_an_unknown_key_or_mismatched_parameters_show_the_stored_text_and_lose_nothing(db):
    assert render("", {}, fallback="旧通知") == "旧通知"
    assert render("no.such.key", {"x": 1}, fallback="旧通知") == "旧通知"
    with translation.override("en"):
        assert render("order.issued", {"number": "ZG2026-000001"}, fallback="旧通知") == "旧通知"


def test_unword_reads_a_worded_text_back_in_either_language():
    with translation.override("en"):
        english = texts.ORDER_ISSUED.word({"number": "ZG2026-000001", "deadline": "2026-12-13"})
    expected = ("order.issued", {"number": "ZG2026-000001", "deadline": "2026-12-13"})
    # Titles were stored with ISO dates: that is what the migration meets.
    assert unword("新整改单 ZG2026-000001，整改期限 2026-12-13", texts.NOTIFICATION_TITLES) == expected
    assert (
        unword("New rectification order ZG2026-000001, due 2026-12-13", texts.NOTIFICATION_TITLES) == expected
    )
    assert english == "New rectification order ZG2026-000001, due 13 Dec 2026"
    assert unword("3 张整改单已超期", texts.NOTIFICATION_TITLES) == ("orders.overdue", {"count": 3})


def test_a_plural_message_takes_the_form_of_its_count_and_reads_back_from_either_form():
    with translation.override("en"):
        assert texts.ORDERS_OVERDUE.word({"count": 1}) == "1 overdue rectification order"
        assert texts.ORDERS_OVERDUE.word({"count": 4}) == "4 overdue rectification orders"
    with translation.override("zh-hans"):
        assert texts.ORDERS_OVERDUE.word({"count": 1}) == "1 张整改单已超期"
    # The stored key and parameters did not change: a title written before reads back.
    for text, count in (("1 overdue rectification order", 1), ("4 overdue rectification orders", 4)):
        assert unword(text, texts.NOTIFICATION_TITLES) == ("orders.overdue", {"count": count})
    # Parameters that no longer fit show the text with its slot, never an error.
    with translation.override("en"):
        assert render("orders.overdue", {}) == "%(count)s overdue rectification orders"


def test_a_message_key_cannot_be_registered_for_two_texts():
    with pytest.raises(ValueError):
        Message("order.issued", "something else")


def test_a_plural_message_key_cannot_be_registered_again_with_other_plural_templates():
    # A plural template on a named count is an empty string until a number is given, so two of them
    # compared equal and the second registration replaced the first without a word.
    with pytest.raises(ValueError, match=r"'orders\.overdue' is registered twice with different templates"):
        Message(
            "orders.overdue",
            ngettext_lazy("%(count)s late order", "%(count)s late orders", "count"),
            count="count",
        )
    with pytest.raises(ValueError, match="'%\\(count\\)s overdue rectification orders'"):
        # Same texts, another count parameter: also a different template.
        Message(
            "orders.overdue",
            ngettext_lazy(
                "%(count)s overdue rectification order", "%(count)s overdue rectification orders", "n"
            ),
            count="n",
        )
    assert render("orders.overdue", {"count": 2}) == texts.ORDERS_OVERDUE.word({"count": 2})


def test_a_message_key_registered_again_with_the_same_template_is_the_same_message(monkeypatch):
    # A module imported twice (reloaded) registers its messages again: that is not a conflict.
    monkeypatch.setitem(wording._registry, "orders.overdue", texts.ORDERS_OVERDUE)  # put back afterwards
    again = Message(
        "orders.overdue",
        ngettext_lazy(
            "%(count)s overdue rectification order", "%(count)s overdue rectification orders", "count"
        ),
        count="count",
    )
    with translation.override("en"):
        assert again.word({"count": 1}) == "1 overdue rectification order"


def test_notification_send_refuses_a_title_that_is_not_a_message(head_neike):
    with pytest.raises(TypeError):
        services.notification_send(
            recipients=[head_neike], kind=NotificationKind.GENERAL, key="k", title="已经写好的标题"
        )


def _migrate(app: str, name: str) -> None:
    importlib.import_module(f"{app}.migrations.{name}").forwards(apps, None)


def test_the_migration_converts_chinese_and_english_titles_and_keeps_an_unknown_one(head_neike):
    def notice(title, key):
        return Notification.objects.create(
            recipient=head_neike, kind=NotificationKind.GENERAL, title=title, dedupe_key=key
        )

    chinese = notice("新整改单 ZG2026-000007，整改期限 2026-12-13", "a")
    english = notice("Escalated: order ZG2026-000007 of 内科 is 12 days overdue", "b")
    complaint = notice("新投诉 TS2026-000003（24小时投诉热线）", "c")
    complaint_en = notice("Complaint TS2026-000003 is overdue: it was due on 2026-11-02", "d")
    appeal = notice("病历检查申诉已裁定：申诉不成立：维持扣分", "e")
    unknown = notice("一条手写的通知", "f")

    _migrate("supervision", "0009_stored_texts_to_keys")
    _migrate("complaints", "0005_stored_texts_to_keys")
    _migrate("inspections", "0007_notification_titles_to_keys")

    for row in (chinese, english, complaint, complaint_en, appeal, unknown):
        row.refresh_from_db()
    assert (chinese.title_key, chinese.params) == (
        "order.issued",
        {"number": "ZG2026-000007", "deadline": "2026-12-13"},
    )
    assert (english.title_key, english.params) == (
        "order.escalated",
        {"number": "ZG2026-000007", "department": "内科", "days": 12},
    )
    assert (complaint.title_key, complaint.params) == (
        "complaint.new",
        {"number": "TS2026-000003", "channel": "hotline"},
    )
    assert complaint_en.params == {"number": "TS2026-000003", "due": "2026-11-02"}
    assert (appeal.title_key, appeal.params) == ("chart_appeal.decided", {"status": "rejected"})
    assert (unknown.title_key, unknown.title_text) == ("", "一条手写的通知")
    with translation.override("en"):
        assert chinese.title_text == "New rectification order ZG2026-000007, due 13 Dec 2026"
        assert complaint.title_text == "New complaint TS2026-000003 (24-hour complaint hotline)"
        assert unknown.title_text == "一条手写的通知"
    with translation.override("zh-hans"):
        assert english.title_text == "超期上报：内科整改单 ZG2026-000007 已超期 12 天"
        assert complaint_en.title_text == "投诉 TS2026-000003 已超期：答复时限为 2026年11月2日"


def test_the_overdue_digest_lists_deadlines_in_the_readers_date_format(neike, supervisor, head_neike):
    order = _issue(neike, supervisor)
    today = DEADLINE + dt.timedelta(days=3)
    services.orders_send_overdue_digest(today=today)
    digest = Notification.objects.get(recipient=head_neike, kind=NotificationKind.OVERDUE_DIGEST)
    with translation.override("zh-hans"):
        assert digest.title_text == "1 张整改单已超期"
        assert digest.body_text == f"{order.number} 内科 2026年12月13日 (+3)"
    with translation.override("en"):
        assert digest.body_text == f"{order.number} 内科 13 Dec 2026 (+3)"


def test_an_extension_requests_date_in_the_order_timeline_follows_the_reader(
    client_for, neike, supervisor, head_neike
):
    order = _issue(neike, supervisor)
    services.order_acknowledge(order=order, actor=head_neike)
    services.order_request_extension(
        order=order, actor=head_neike, requested_deadline=dt.date(2026, 12, 20), reason="设备未到"
    )
    client = client_for(supervisor)
    html = client.get(reverse("finding_detail", args=[order.finding_id])).content.decode()
    assert "2026年12月20日：设备未到" in html and "2026-12-20" not in html
    supervisor.language = "en"
    supervisor.save()
    html = client.get(reverse("finding_detail", args=[order.finding_id])).content.decode()
    assert "20 Dec 2026: 设备未到" in html


def test_the_migration_words_an_old_extension_request_note_and_keeps_other_notes(
    neike, supervisor, head_neike
):
    from supervision.models import OrderTransition

    order = _issue(neike, supervisor)
    old = OrderTransition.objects.create(
        order=order,
        action="request_extension",
        to_status=order.status,
        actor=head_neike,
        comment="2026-12-20：设备未到",
    )
    other = OrderTransition.objects.create(
        order=order, action="request_extension", to_status=order.status, actor=head_neike, comment="想延期"
    )
    _migrate("supervision", "0009_stored_texts_to_keys")
    old.refresh_from_db()
    other.refresh_from_db()
    with translation.override("en"):
        assert old.comment_text == "20 Dec 2026: 设备未到"
    assert (other.comment_key, other.comment_text) == ("", "想延期")
