"""Hostile query strings and form fields on the staff pages: a clear answer, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

IMPOSSIBLE_DATES = ["2026-02-30", "2026-13-01", "2026-00-10"]


@pytest.mark.parametrize("name", ["surveys:results", "surveys:results_export"])
@pytest.mark.parametrize("bad", IMPOSSIBLE_DATES)
def test_results_with_an_impossible_date_are_refused_with_a_message_not_a_500(
    client_for, supervisor, small_q, name, bad
):
    client = client_for(supervisor)
    for query in ({"start": bad, "end": "2026-03-01"}, {"start": "2026-01-01", "end": bad}):
        page = client.get(reverse(name), query)
        if name == "surveys:results":
            # the default period, with the reason shown and the impossible day kept to be corrected
            assert page.status_code == 200
            assert (
                "请按“年-月-日”填写日期" in page.content.decode()
                and f'value="{bad}"' in page.content.decode()
            )
        else:  # the export: no file; back to the page, the reason shown there and the day kept
            assert page.status_code == 302 and page["Location"].startswith(reverse("surveys:results") + "?")
            html = client.get(page["Location"]).content.decode()
            assert "请按“年-月-日”填写日期" in html and f'value="{bad}"' in html


@pytest.mark.parametrize("bad", IMPOSSIBLE_DATES)
def test_paper_entry_with_an_impossible_date_opens_on_today(client_for, caller, campaign, bad):
    page = client_for(caller).get(reverse("surveys:paper_entry", args=[campaign.pk]), {"date": bad})
    assert page.status_code == 200
    assert page.context["header"].initial["submitted_on"] == timezone.localdate()


@pytest.mark.parametrize("action,field", [("delete-question", "question"), ("delete-section", "section")])
@pytest.mark.parametrize("bad", ["abc", "", "1.5", "²", "99999999999999999999999"])
def test_questionnaire_delete_with_a_non_numeric_id_is_404(
    client_for, supervisor, small_q, action, field, bad
):
    client = client_for(supervisor)
    page = client.post(reverse("surveys:questionnaire_action", args=[small_q.pk, action]), {field: bad})
    assert page.status_code == 404


def test_a_department_code_with_a_slash_gets_its_campaign_page_poster_and_public_form(
    client_for, supervisor, small_q
):
    # Hospital codes such as "ICU/2" come from the HIS import; reversing the public link was a 500.
    from surveys import services
    from surveys.models import Channel
    from tests.factories import DepartmentFactory

    icu = DepartmentFactory(code="ICU/2", name="重症二区")
    campaign = services.campaign_save(
        name="斜杠科室",
        questionnaire=small_q,
        start=dt.date(2024, 1, 1),
        end=dt.date(2030, 12, 31),
        departments=[icu],
        target_count=10,
        channels=Channel.values,
        actor=supervisor,
    )
    client = client_for(supervisor)
    assert client.get(reverse("surveys:campaign_detail", args=[campaign.pk])).status_code == 200
    poster = client.get(reverse("surveys:campaign_poster", args=[campaign.pk, icu.pk, "png"]))
    assert poster.status_code == 200 and poster.content.startswith(b"\x89PNG")
    assert "/" not in poster["Content-Disposition"].split("filename=")[1]
    public = client.get(reverse("surveys:public_department", args=[campaign.public_key, icu.code]))
    assert public.status_code == 200 and public.context["department"] == icu


def test_paper_form_sent_twice_says_it_was_already_saved_and_counts_once(
    client_for, caller, campaign, fname, neike
):
    from surveys.models import SurveyResponse

    client = client_for(caller)
    url = reverse("surveys:paper_entry", args=[campaign.pk])
    data = {
        "h-department": neike.pk,
        "h-submitted_on": "2026-03-05",
        "h-entry_id": "twice",
        f"p-{fname('e1')}": "4",
    }
    assert "第 1 份已保存" in client.post(url, data, follow=True).content.decode()
    second = client.post(url, data, follow=True).content.decode()
    assert SurveyResponse.objects.count() == 1
    assert "已保存过" in second and "第 2 份" not in second
