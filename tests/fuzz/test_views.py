"""Fuzzed posts to the pages with forms: public (no login) and staff ones.

Random data posted to each page must give a page (200 with errors, 302 after success, 400/403/
404/429), never a server error; when the page refuses, no row of any Ducha table changes, and
what the user typed is kept in the form (checked on the public complaint form).
"""

from __future__ import annotations

import os
import time
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervision.infra.public import SALT

from .files import any_text
from .test_forms import value
from .test_imports import snapshot

# FUZZ_EXAMPLES=500 for a deeper run than the default 30 per test.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def old_token() -> str:
    """A honeypot token signed a minute ago (a person had time to read the form)."""
    with mock.patch("time.time", return_value=time.time() - 60):
        return signing.TimestampSigner(salt=SALT).sign("1")


def _pages(ctx):
    """(url name, kwargs, persona, form class whose fields are fuzzed, extra fixed fields)."""
    from complaints.forms import IntakeForm, LookupForm, PublicComplaintForm
    from inspections.forms import RoundStartForm
    from supervision.forms import FindingForm
    from surveys.forms import PublicQuestionnaireForm

    campaign = ctx["campaign"]
    return {
        "complaints:public_form": ({}, None, PublicComplaintForm(), {"form_token": old_token()}),
        "complaints:public_lookup": ({}, None, LookupForm(), {}),
        "surveys:public_department": (
            {"key": campaign.public_key, "department_code": ctx["department"].code},
            None,
            PublicQuestionnaireForm(questionnaire=ctx["questionnaire"]),
            {"form_token": old_token()},
        ),
        "finding_create": ({}, "supervisor", FindingForm(), {}),
        "complaints:create": ({}, "supervisor", IntakeForm(), {}),
        "inspections:round_create": ({}, "supervisor", RoundStartForm(), {}),
    }


PAGES = (
    "complaints:public_form",
    "complaints:public_lookup",
    "surveys:public_department",
    "finding_create",
    "complaints:create",
    "inspections:round_create",
)


@pytest.mark.parametrize("name", PAGES)
@FUZZ
@given(data=st.data())
def test_random_posts_never_crash_and_a_refusal_writes_nothing(name, data, ctx, client):
    kwargs, persona, form, fixed = _pages(ctx)[name]
    client.logout()
    if persona:
        client.force_login(ctx[persona])
    post = {}
    for field in form.fields:
        if field in fixed or not data.draw(st.integers(0, 4)):
            continue
        drawn = data.draw(value)
        post[field] = drawn
    post.update(fixed)
    post.update(data.draw(st.dictionaries(any_text.filter(lambda k: k not in post), any_text, max_size=2)))
    cache.clear()
    before = snapshot()
    response = client.post(reverse(name, kwargs=kwargs), post)
    assert response.status_code in (200, 302, 400, 403, 404, 410, 429), response.status_code
    if response.status_code != 302:
        after = snapshot()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert changed == {}, f"{name} refused the post but wrote rows: {changed}"


def test_the_public_complaint_form_keeps_what_was_typed(client):
    typed = "候诊两小时无人理睬 <script>alert(1)</script> " + "长" * 100
    before = snapshot()
    response = client.post(
        reverse("complaints:public_form"),
        {"content": typed, "complainant_phone": "不是电话", "form_token": old_token()},
    )
    assert response.status_code in (200, 400)
    body = response.content.decode()
    assert "候诊两小时无人理睬 &lt;script&gt;" in body  # kept, and escaped
    assert "<script>alert(1)</script>" not in body
    assert snapshot() == before


@pytest.fixture
def verdict_token(ctx):
    """A complainant's personal verdict link on an answered complaint (issue 25 item 2)."""
    from complaints import services
    from tests.complaints.factories import answered

    complaint = answered(supervisor=ctx["supervisor"], department=ctx["department"], head=ctx["head"])
    return services.verdict_link_issue(complaint=complaint, actor=ctx["supervisor"])[1]


@FUZZ
@given(data=st.data())
def test_random_verdict_posts_never_crash_and_a_refusal_writes_nothing(data, verdict_token, client):
    from complaints.forms import VerdictForm

    post = {
        field: data.draw(st.one_of(value, st.sampled_from(["yes", "partly", "no", "good", "poor"])))
        for field in VerdictForm().fields
        if data.draw(st.integers(0, 4))
    }
    post["form_token"] = old_token()
    cache.clear()
    before = snapshot()
    response = client.post(reverse("complaints:verdict_public", args=[verdict_token]), post)
    assert response.status_code in (302, 400, 410, 429), response.status_code
    if response.status_code != 302:
        after = snapshot()
        assert {k for k in before if before[k] != after[k]} == set(), "a refused verdict wrote rows"
