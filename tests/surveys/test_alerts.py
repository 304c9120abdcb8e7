"""A low survey score raises an alert on an unhappy patient (issue 17 item 3): thresholds per
question or dimension, validated against the scale; one alert per response however often the task
runs; the phone questionnaire's patient; a burst of a paper batch notifies each person once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from supervision.models import Alert, AlertKind, Notification, NotificationKind, SiteConfig
from surveys import services, tasks
from surveys.models import AlertThreshold, Channel, Dimension
from tests.factories import DischargeStayFactory

pytestmark = pytest.mark.django_db


def _submit(q, department, fname, *, e1=5, e2=None, a1=5, **kw):
    answers = {fname("e1"): e1, fname("a1"): a1}
    if e2 is not None:
        answers[fname("e2")] = e2
    return services.response_submit(
        questionnaire=q,
        channel=kw.pop("channel", Channel.PAPER),
        department=department,
        answers=answers,
        **kw,
    )


def test_the_general_threshold_is_seeded_at_dissatisfied():
    assert list(AlertThreshold.objects.values_list("question", "dimension", "at_or_below")) == [(None, "", 2)]


@pytest.mark.parametrize("value", [0, 4, 5])
def test_a_threshold_outside_the_scale_below_satisfied_is_refused_with_a_clear_message(value):
    threshold = AlertThreshold(dimension=Dimension.ATTITUDE, at_or_below=value)
    for language, words in (("zh-hans", "请选择"), ("en", "Choose a threshold from 1")):
        with override(language):
            with pytest.raises(ValidationError) as refused:
                threshold.full_clean()
            assert words in " ".join(refused.value.message_dict["at_or_below"])


def test_a_threshold_for_a_question_and_a_dimension_at_once_is_refused(small_q):
    question = small_q.questions.get(text="e1")
    with override("en"), pytest.raises(ValidationError, match="not both"):
        AlertThreshold(question=question, dimension=Dimension.ATTITUDE, at_or_below=2).full_clean()
    text_question = small_q.questions.get(text="text")
    with pytest.raises(ValidationError):
        AlertThreshold(question=text_question, at_or_below=2).full_clean()


def test_the_admin_form_shows_the_range_error_and_saves_nothing(client, neike, small_q):
    from tests.factories import UserFactory

    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    before = AlertThreshold.objects.count()
    page = client.post(
        reverse("admin:surveys_alertthreshold_add"),
        {"dimension": "attitude", "at_or_below": "4", "active": "on"},
    )
    assert page.status_code == 200 and "请选择" in page.content.decode()
    assert AlertThreshold.objects.count() == before


def test_the_most_specific_threshold_applies(small_q, neike, fname):
    e1 = small_q.questions.get(text="e1")
    AlertThreshold.objects.create(question=e1, at_or_below=1)  # e1 alerts only at 1
    AlertThreshold.objects.create(dimension=Dimension.ATTITUDE, at_or_below=3)  # attitude alerts at 3
    response = _submit(small_q, neike, fname, e1=2, e2=2, a1=3)
    # e1 = 2 is above its own threshold; e2 = 2 meets the general one; a1 = 3 meets attitude's.
    assert services.response_alert_items(response) == [("e2", 2), ("a1", 3)]
    assert services.response_alert_items(_submit(small_q, neike, fname, e1=3, a1=4)) == []


def test_a_low_score_raises_one_alert_even_when_the_task_runs_twice(
    small_q, neike, fname, head_neike, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(small_q, neike, fname, e1=1, a1=2)
    assert tasks.raise_alert(response.pk) is True  # the broker delivered it again
    alert = Alert.objects.get()
    assert (alert.kind, alert.department, alert.lowest_score, alert.items) == (
        AlertKind.SURVEY_LOW_SCORE,
        neike,
        1,
        ["e1", "a1"],
    )
    assert alert.stay is None  # a paper form is anonymous
    assert alert.due_on > timezone.localdate()
    assert Notification.objects.filter(kind=NotificationKind.ALERT).count() == 2  # the head, the office


def test_a_happy_response_enqueues_nothing(small_q, neike, fname, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _submit(small_q, neike, fname, e1=4, a1=5)
    assert callbacks == []
    assert not Alert.objects.exists()


def test_the_contact_day_counts_working_days(small_q, neike, fname):
    import datetime as dt

    from complaints.models import CalendarDay, DayKind

    config = SiteConfig.get()
    config.alert_recovery_working_days = 2
    config.save()
    friday = dt.date(2026, 9, 25)
    CalendarDay.objects.update_or_create(date=dt.date(2026, 9, 28), defaults={"kind": DayKind.HOLIDAY})
    # Friday + 2 working days: Monday is a holiday, so Wednesday.
    assert services.alert_due_on(friday) == dt.date(2026, 9, 30)


def test_a_phone_questionnaire_alert_names_the_patient(small_q, neike, fname):
    stay = DischargeStayFactory(department=neike)
    response = _submit(small_q, neike, fname, e1=1, channel=Channel.PHONE, stay=stay, source_object=stay)
    alert = services.response_raise_alert(response=response)
    assert alert.stay == stay


def test_a_paper_batch_of_1000_low_scores_makes_1000_alerts_and_one_notice_per_person(
    small_q, neike, fname, head_neike, supervisor
):
    ids = [_submit(small_q, neike, fname, e1=1, a1=1).pk for _ in range(1000)]
    for response_id in ids:  # what the worker runs, one task per stored response
        tasks.raise_alert(response_id)
    assert Alert.objects.count() == 1000
    notices = Notification.objects.filter(kind=NotificationKind.ALERT)
    assert sorted(notices.values_list("recipient__username", flat=True)) == ["head-neike", "supervisor"]
