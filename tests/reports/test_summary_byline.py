"""The written summary's line under its title names who saved and who finalised it, worded with the
moment in one message: Chinese puts the name in full-width brackets right after the moment, with no
space before them (it read "… 15:43 （周督察）"), English says "by"."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from reports import services
from reports.models import SummaryStatus, WrittenSummary


def _byline(html: str) -> str:
    return re.sub(r"\s+", " ", html.split('<p class="text-muted mb-3">', 1)[1].split("</p>", 1)[0]).strip()


def test_the_byline_puts_the_name_in_brackets_without_a_space_in_chinese_and_says_by_in_english(
    seeded, supervisor, client_for
):
    summary = services.summary_create(
        start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31), actor=supervisor, today=dt.date(2026, 11, 23)
    )
    client = client_for(supervisor)
    zh = _byline(client.get(summary.get_absolute_url()).content.decode())
    assert re.search(r"· 已保存 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}（周督察）$", zh), zh
    assert " （" not in zh
    WrittenSummary.objects.filter(pk=summary.pk).update(
        status=SummaryStatus.FINAL, finalised_at=timezone.now(), finalised_by=supervisor
    )
    zh = _byline(client.get(summary.get_absolute_url()).content.decode())
    assert re.search(r"· 定稿 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}（周督察）$", zh), zh
    assert " （" not in zh
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    en = _byline(client.get(summary.get_absolute_url()).content.decode())
    assert re.search(r"· Saved \d{1,2} \w{3} \d{4}, \d{2}:\d{2} by 周督察 ", en), en
    assert re.search(r"· Finalised \d{1,2} \w{3} \d{4}, \d{2}:\d{2} by 周督察$", en), en


def test_a_summary_saved_by_nobody_known_shows_the_moment_alone(seeded, supervisor, client_for):
    summary = services.summary_create(
        start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31), actor=supervisor, today=dt.date(2026, 11, 23)
    )
    WrittenSummary.objects.filter(pk=summary.pk).update(saved_by=None)
    zh = _byline(client_for(supervisor).get(summary.get_absolute_url()).content.decode())
    assert re.search(r"· 已保存 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$", zh), zh
