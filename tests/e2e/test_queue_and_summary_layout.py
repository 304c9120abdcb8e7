"""Walk: the head of a department opens the queue of orders to acknowledge, the supervisor the queue of
responses to verify and the written-summary editor, in Chinese and English, on a tablet (1024×768) and
a phone (390×844): nothing runs off the side of the page, and the pages are in the reader's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_finding

from .conftest import journey_marks

pytestmark = journey_marks()

SIZES = {"tablet": {"width": 1024, "height": 768}, "phone": {"width": 390, "height": 844}}
LANGUAGES = {"zh-hans": "zh-CN", "en": "en-US"}


def _open(session_for, user, language, size):
    user.language = language
    user.save(update_fields=["language"])
    return session_for(user, viewport=SIZES[size], locale=LANGUAGES[language])


def _fits(page) -> None:
    """No element makes the page wider than the screen (a phone then scrolls sideways)."""
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            return [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-responsive, .overflow-auto'))
                .filter(e => getComputedStyle(e).visibility !== 'hidden' && e.getClientRects().length)
                .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40));
        }"""
    )
    assert overflow == [], overflow
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.fixture
def orders(neike, supervisor):
    found = timezone.now() - dt.timedelta(days=2)
    return [
        make_finding(
            department=neike,
            found_by=supervisor,
            found_at=found,
            description="候诊区无人引导，患者排队询问无人应答，导医台长时间无人值守" * 2,
        )
        for _ in range(2)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_the_heads_queue_of_orders_fits_and_speaks_the_readers_language(
    session_for, shots, roles_groups, head_neike, orders, language, size
):
    page = _open(session_for, head_neike, language, size)
    page.goto("/findings/?queue=orders_to_acknowledge")
    assert page.locator(f"a[href='{orders[0].get_absolute_url()}']").count() >= 1
    shots(page, f"head-queue-{language}-{size}")
    _fits(page)
    if language == "en":
        assert "待" not in page.locator("main").inner_text()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_the_supervisors_queue_and_the_summary_editor_fit_and_speak_the_readers_language(
    session_for, shots, roles_groups, supervisor, orders, language, size
):
    page = _open(session_for, supervisor, language, size)
    page.goto("/findings/?queue=orders_to_verify")
    shots(page, f"supervisor-queue-{language}-{size}")
    _fits(page)
    today = timezone.localdate()
    page.goto("/reports/summaries/")
    page.fill("input[name=year]", str(today.year))
    page.select_option("select[name=period]", value=f"q{(today.month - 1) // 3 + 1}")
    with page.expect_navigation():
        page.click("form[action$='/summaries/new/'] button[type=submit]")
    shots(page, f"summary-editor-{language}-{size}")
    _fits(page)
