"""The written-summary editor draws its preview once per content (supervision.infra.fragments) and reads
its typical cases through statements kept per period and scope (supervision.infra.statements): the
preview is drawn anew as soon as the figures, the office's text or the picked cases change, in the
reader's language, never shows another summary's words, and is the very HTML drawn without the cache."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from reports import selectors, services
from supervision.infra import statements
from tests.factories import make_finding

from .conftest import at

Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
TODAY = dt.date(2026, 11, 23)


def _page(client, summary) -> str:
    response = client.get(summary.get_absolute_url())
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", response.content.decode())


def _preview(html: str) -> str:
    return html[html.index('class="card summary-preview"') : html.index("</article>")]


def _same_without_the_cache(client, summary, settings) -> str:
    settings.DUCHA_ROW_CACHE_SECONDS = 600
    cached = _page(client, summary)
    assert _page(client, summary) == cached  # the second from the row cache
    settings.DUCHA_ROW_CACHE_SECONDS = 0
    assert _page(client, summary) == cached
    settings.DUCHA_ROW_CACHE_SECONDS = 600
    return _preview(cached)


def test_the_preview_is_drawn_anew_when_the_office_text_the_cases_or_the_figures_change(
    seeded, supervisor, neike, client_for, settings
):
    summary = services.summary_create(start=Q4[0], end=Q4[1], actor=supervisor, today=TODAY)
    client = client_for(supervisor)
    before = _same_without_the_cache(client, summary, settings)
    finding = seeded[0]
    candidate = next(c for c in selectors.case_candidates(summary) if c["id"] == finding.pk)
    services.summary_save(
        summary=summary, actor=supervisor, work="全年组织专项督查 12 次。", cases=[candidate]
    )
    saved = _same_without_the_cache(client, summary, settings)
    assert "全年组织专项督查 12 次。" in saved and "典型事例" in saved and "典型事例" not in before
    assert "2026年10月2日，内科（督查发现）：护士态度生硬" in saved
    services.summary_save(summary=summary, actor=supervisor, work="全年组织专项督查 13 次。", cases=[])
    resaved = _same_without_the_cache(client, summary, settings)
    assert "13 次" in resaved and "12 次" not in resaved and "典型事例" not in resaved
    # Figures measured again with more findings: other generated paragraphs.
    for day in (3, 4, 5):
        make_finding(department=neike, found_by=supervisor, found_at=at(dt.date(2026, 11, day)))
    services.summary_regenerate(summary=summary, actor=supervisor, today=TODAY)
    regenerated = _same_without_the_cache(client, summary, settings)
    assert regenerated != resaved and "13 次" in regenerated
    # In the reader's language: the English preview is drawn, not the Chinese one served.
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    english = _same_without_the_cache(client, summary, settings)
    assert "I. Work done" in english and "一、工作开展情况" not in english


def test_a_summary_s_preview_never_shows_another_s_words(
    seeded, supervisor, head_neike, neike, waike, client_for
):
    own = services.summary_create(start=Q4[0], end=Q4[1], departments=[neike], actor=supervisor, today=TODAY)
    other = services.summary_create(
        start=Q4[0], end=Q4[1], departments=[waike], actor=supervisor, today=TODAY
    )
    services.summary_save(summary=own, actor=supervisor, work="内科本季度的工作")
    services.summary_save(summary=other, actor=supervisor, work="外科本季度的工作")
    office = client_for(supervisor)
    for summary in (own, other):  # the office fills the row cache with both previews
        _page(office, summary)
    head = client_for(head_neike)
    page = _page(head, own)
    assert "内科本季度的工作" in page and "外科本季度的工作" not in page
    assert head.get(reverse("reports:summary", args=[other.pk])).status_code == 404


def test_the_typical_cases_on_offer_are_read_anew_through_the_kept_statements(
    seeded, supervisor, neike, waike
):
    summary = services.summary_create(start=Q4[0], end=Q4[1], actor=supervisor, today=TODAY)
    statements.forget()
    built = selectors.case_candidates(summary)  # the ORM's statements, kept
    assert selectors.case_candidates(summary) == built  # sent as kept
    added = make_finding(
        department=waike, found_by=supervisor, found_at=at(dt.date(2026, 11, 20)), description="新的问题"
    )
    again = selectors.case_candidates(summary)
    statements.forget()
    assert again == selectors.case_candidates(summary)  # as the ORM reads them anew
    assert [c["id"] for c in again if c["kind"] == "finding"].count(added.pk) == 1
    assert len(again) == len(built) + 1
