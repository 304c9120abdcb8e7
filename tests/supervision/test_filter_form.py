"""The light filter-form partial (templates/_filter_form.html) keeps labels, values and errors."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from tests.factories import make_finding


def test_finding_filter_form_shows_labels_choices_and_the_chosen_values(client_for, supervisor, neike, waike):
    make_finding(department=neike, found_by=supervisor)
    client = client_for(supervisor)
    with translation.override("zh-hans"):
        html = client.get(
            reverse("finding_list"),
            {"status": "issued", "department": neike.pk, "q": "工牌"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        ).content.decode()
    assert '<label for="id_status" class="form-label">' in html
    assert '<option value="issued" selected>' in html
    assert f'<option value="{neike.pk}" selected>内科</option>' in html
    assert f'<option value="{waike.pk}">外科</option>' in html
    assert 'name="q" id="id_q" value="工牌" class="form-control"' in html
    # A day is typed year-month-day as text (supervision.forms.DateFieldYMD), never the browser's date input.
    assert 'type="text" name="found_from"' in html and 'placeholder="年-月-日"' in html


def test_filter_form_marks_an_invalid_value(client_for, supervisor):
    html = client_for(supervisor).get(reverse("finding_list"), {"found_from": "not-a-date"}).content.decode()
    assert 'name="found_from" id="id_found_from" value="not-a-date" class="form-control is-invalid"' in html
    assert "invalid-feedback" in html


def test_a_head_only_gets_their_departments_as_choices(client_for, head_neike, neike, waike):
    html = client_for(head_neike).get(reverse("complaints:list")).content.decode()
    assert f'<option value="{neike.pk}">' in html
    assert f'<option value="{waike.pk}">' not in html


def test_label_filter_matches_get_display_in_each_language(supervisor, neike):
    from supervision.templatetags.ducha import label

    finding = make_finding(department=neike, found_by=supervisor)
    order = finding.order
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert str(label(finding, "source")) == finding.get_source_display()
            assert str(label(order, "status")) == order.get_status_display()
    with translation.override("zh-hans"):
        zh = str(label(order, "status"))
    with translation.override("en"):
        assert str(label(order, "status")) != zh
    order.status = "no-such-status"
    assert label(order, "status") == "no-such-status"


def test_filter_form_escapes_choice_labels_and_values(client_for, supervisor):
    from tests.factories import DepartmentFactory

    odd = DepartmentFactory(name='<b>"急诊"</b>')
    html = client_for(supervisor).get(reverse("finding_list"), {"q": '"><script>'}).content.decode()
    assert f'<option value="{odd.pk}">&lt;b&gt;&quot;急诊&quot;&lt;/b&gt;</option>' in html
    assert 'value="&quot;&gt;&lt;script&gt;"' in html
    assert "<script>" not in html.split("<main", 1)[1].split("<script src=", 1)[0]
    assert 'placeholder="编号或内容"' in html  # the widget's own attributes are kept


def test_a_filter_form_drawn_for_the_supervisor_is_never_given_to_a_head(
    client_for, supervisor, head_neike, neike, waike
):
    """The filter forms' markup is kept per process under its content (templatetags.ducha.filter_fields):
    the supervisor's form, with every department, must not be served to a head of one department."""
    for _ in range(2):  # the second view is served from the kept markup
        html = client_for(supervisor).get(reverse("complaints:list")).content.decode()
        assert f'<option value="{waike.pk}">外科</option>' in html
    html = client_for(head_neike).get(reverse("complaints:list")).content.decode()
    assert f'<option value="{neike.pk}">内科</option>' in html
    assert f'<option value="{waike.pk}">' not in html


def test_a_kept_filter_form_follows_the_language_the_values_and_a_renamed_department(
    client_for, supervisor, neike
):
    client = client_for(supervisor)
    url = reverse("finding_list")
    zh = client.get(url).content.decode()
    assert '<label for="id_department" class="form-label">科室</label>' in zh
    supervisor.language = "en"
    supervisor.save()
    en = client.get(url).content.decode()
    assert '<label for="id_department" class="form-label">Department</label>' in en
    supervisor.language = "zh-hans"
    supervisor.save()
    chosen = client.get(url, {"department": neike.pk}).content.decode()
    assert f'<option value="{neike.pk}" selected>内科</option>' in chosen
    neike.name = "内科一病区"
    neike.save()
    renamed = client.get(url, {"department": neike.pk}).content.decode()
    assert f'<option value="{neike.pk}" selected>内科一病区</option>' in renamed


def test_the_shared_filter_form_class_gives_each_request_its_own_scope(
    client_for, supervisor, head_neike, neike, waike
):
    """The lists' filter sets build their form class once per process (``infra.filtersets``): the
    class the supervisor's request built holds every department, yet a head's form offers and accepts
    only the head's, and the supervisor's after the head's offers every one again."""
    from supervision.filters import FindingFilter

    url = reverse("finding_list")
    assert f'<option value="{waike.pk}">外科</option>' in client_for(supervisor).get(url).content.decode()
    html = client_for(head_neike).get(url, {"department": waike.pk}).content.decode()
    select = html.split('name="department" id="id_department"', 1)[1].split("</select>", 1)[0]
    assert select.startswith(' class="form-select is-invalid"')
    assert f'<option value="{neike.pk}">内科</option>' in select
    assert f'<option value="{waike.pk}"' not in select
    html = client_for(supervisor).get(url, {"department": waike.pk}).content.decode()
    assert f'<option value="{waike.pk}" selected>外科</option>' in html
    assert "is-invalid" not in html

    class Request:
        user = head_neike

    first = FindingFilter({"department": str(waike.pk)}, request=Request())
    second = FindingFilter({"department": str(neike.pk)}, request=Request())
    assert first.get_form_class() is second.get_form_class()
    assert not first.is_valid() and second.is_valid()
    assert list(second.form.fields["department"].queryset) == [neike]


def test_the_filters_options_follow_departments_and_categories_added_renamed_or_closed(
    client_for, supervisor, head_neike, neike, waike
):
    """The department and category options are read through statements kept between views
    (``selectors.filter_department_options``): the names and the rows are read anew on every view, each
    scope keeps its own statement, and the queries stay as many."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision.infra import statements
    from supervision.models import Category
    from tests.factories import DepartmentFactory

    statements.forget()
    url = reverse("finding_list")
    client = client_for(supervisor)
    client.get(url)  # the statements are built and kept
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    DepartmentFactory(code="ek", name="儿科", sort_order=0)
    waike.name, waike.active = "外科（旧）", False
    waike.save()
    Category.objects.create(code="aaa-new", name="新类别", sort_order=0)
    with CaptureQueriesContext(connection) as again:
        html = client.get(url).content.decode()
    assert len(again) == len(first)
    departments = html.split('name="department" id="id_department"', 1)[1].split("</select>", 1)[0]
    assert ">儿科</option>" in departments and ">新类别</option>" in html
    assert f'<option value="{waike.pk}">' not in departments and "外科（旧）" not in html
    for list_url in (url, reverse("complaints:list")):
        html = client_for(head_neike).get(list_url).content.decode()
        select = html.split('name="department" id="id_department"', 1)[1].split("</select>", 1)[0]
        assert f'<option value="{neike.pk}">内科</option>' in select and "儿科" not in select
    statements.forget()


def test_options_tag_escapes_and_selects_by_text():
    from supervision.templatetags.ducha import options

    html = options([(1, '<b>"急诊"</b>'), (12, "内科"), ("a&b", "x")], "12")
    assert html == (
        '<option value="1">&lt;b&gt;&quot;急诊&quot;&lt;/b&gt;</option>'
        '<option value="12" selected>内科</option><option value="a&amp;b">x</option>'
    )
    assert " selected" not in options([(1, "a")], None) + options([(1, "a")], "")
    assert options([(3, "c")], 3) == '<option value="3" selected>c</option>'


def test_options_tag_draws_the_same_markup_from_its_cache_for_the_same_content_only():
    from django.utils.translation import gettext_lazy, override

    from supervision.templatetags.ducha import options

    first = options([(1, "急诊"), (2, "内科")], 2)
    assert (
        options([(1, "急诊"), (2, "内科")], "2")
        == first
        == ('<option value="1">急诊</option><option value="2" selected>内科</option>')
    )
    # Another scope's departments, another choice, values equal but not alike: other markup.
    assert options([(1, "急诊")], 2) == '<option value="1">急诊</option>'
    assert options([(1, "急诊"), (2, "内科")], 1).startswith('<option value="1" selected>')
    assert options([(True, "x")], None) == '<option value="True">x</option>'
    assert options([(1, "x")], None) == '<option value="1">x</option>'
    # A lazy label is worded in the language of the page that draws it.
    lazy = [("open", gettext_lazy("Open"))]
    with override("en"):
        english = options(lazy, "open")
    with override("zh-hans"):
        chinese = options(lazy, "open")
    assert english == '<option value="open" selected>Open</option>' and "Open" not in chinese


def test_a_list_opened_with_no_filter_draws_its_form_without_building_the_filter_set(
    client_for, supervisor, head_neike, neike, waike
):
    """``infra.filtersets.list_filter``: nothing in the query string gives ``Unfiltered``, whose form is
    drawn from its markup key (the language, the options read for this viewer); the filter set is
    built only to draw a markup not yet drawn — with the same queries, and the very markup a built
    filter set draws (the same view with an empty filter sent builds it)."""
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision.filters import FindingFilter
    from supervision.templatetags import ducha

    def form_of(html):
        return html.split('<form method="get"', 1)[1].split("</form>", 1)[0]

    ducha._FILTER_HTML.clear()
    url = reverse("finding_list")
    client = client_for(supervisor)
    with CaptureQueriesContext(connection) as drawn:
        first = client.get(url).content.decode()
    with (
        mock.patch.object(FindingFilter, "__init__", side_effect=AssertionError("built")),
        CaptureQueriesContext(connection) as kept,
    ):
        second = client.get(url).content.decode()
    assert len(kept) == len(drawn)
    assert form_of(first) == form_of(second) == form_of(client.get(url, {"q": ""}).content.decode())
    assert f'<option value="{waike.pk}">外科</option>' in form_of(second)
    # Another scope, a renamed department, another language: another key, drawn anew.
    head = form_of(client_for(head_neike).get(url).content.decode())
    head = head.split('name="department" id="id_department"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{neike.pk}">内科</option>' in head and f'value="{waike.pk}"' not in head
    waike.name = "外科一病区"
    waike.save()
    client = client_for(supervisor)  # the same test client, logged in again
    assert f'<option value="{waike.pk}">外科一病区</option>' in form_of(client.get(url).content.decode())
    supervisor.language = "en"
    supervisor.save()
    english = form_of(client.get(url).content.decode())
    assert '<label for="id_department" class="form-label">Department</label>' in english


def test_a_kept_bound_filter_form_follows_the_values_sent_and_their_errors_language(client_for, supervisor):
    """A bound filter set's form is keyed by the values sent and the errors found, in their language."""
    from supervision.templatetags import ducha

    ducha._FILTER_HTML.clear()
    client = client_for(supervisor)
    url = reverse("complaints:list")
    for _ in range(2):
        html = client.get(url, {"received_from": "2026-13-45"}).content.decode()
        assert 'value="2026-13-45" class="form-control is-invalid"' in html
    chinese_error = html.split('<div class="invalid-feedback d-block">', 1)[1].split("</div>", 1)[0]
    html = client.get(url, {"received_from": "2026-12-01"}).content.decode()
    assert 'value="2026-12-01" class="form-control"' in html and "is-invalid" not in html
    supervisor.language = "en"
    supervisor.save()
    html = client.get(url, {"received_from": "2026-13-45"}).content.decode()
    english_error = html.split('<div class="invalid-feedback d-block">', 1)[1].split("</div>", 1)[0]
    assert english_error != chinese_error


def test_a_filter_set_whose_options_come_from_its_queryset_gets_no_markup_key(rf, supervisor):
    """The survey responses' departments and campaigns are read from their querysets, which no markup
    key holds: their form is keyed by its every part, as before (``filter_fields``)."""
    from supervision.filters import FindingFilter
    from supervision.infra.filtersets import Unfiltered
    from supervision.models import Finding
    from surveys.filters import ResponseFilter

    request = rf.get("/")
    request.user = supervisor
    assert ResponseFilter({"channel": "web"}).form.filter_markup_key() is None
    assert Unfiltered(ResponseFilter, queryset=None, request=request).filter_markup_key() is None
    built = FindingFilter(None, queryset=Finding.objects.all(), request=request).form.filter_markup_key()
    assert (
        Unfiltered(FindingFilter, queryset=Finding.objects.all(), request=request).filter_markup_key()
        == built
    )
