"""Lists in running text follow the language: 内科、外科 in Chinese, 内科, 外科 in English."""

from django.template import Context, Template
from django.utils import translation

from supervision.infra.wording import format_date, join_list


def test_a_list_is_joined_with_the_languages_separator():
    with translation.override("zh-hans"):
        assert join_list(["内科", "外科"]) == "内科、外科"
    with translation.override("en"):
        assert join_list(["内科", "外科"]) == "内科, 外科"


def test_templates_join_lists_the_same_way_and_escape_the_items():
    template = Template(
        "{% load ducha %}{{ names|join_list }}|{% for n in names %}{{ n }}{% if not forloop.last %}{% listsep %}{% endif %}{% endfor %}"
    )
    with translation.override("en"):
        assert template.render(Context({"names": ["<b>内科</b>", "外科"]})) == (
            "&lt;b&gt;内科&lt;/b&gt;, 外科|&lt;b&gt;内科&lt;/b&gt;, 外科"
        )
    with translation.override("zh-hans"):
        assert template.render(Context({"names": ["内科", "外科"]})) == "内科、外科|内科、外科"


def test_a_stored_date_is_worded_as_django_formats_it_in_each_language_and_format():
    import datetime as dt

    from django.utils import formats

    from supervision.infra.wording import format_date

    day = dt.date(2026, 12, 7)
    for language in ("zh-hans", "en", "zh-hans"):  # kept per language: never the other one's text
        with translation.override(language):
            assert format_date("2026-12-07") == format_date(day) == formats.date_format(day, "DATE_FORMAT")
    with translation.override("en"):
        english = format_date(day)
    assert english != format_date(day) == "2026年12月7日"
    assert format_date("not a date") == "not a date"


def test_a_message_and_its_choices_are_worded_in_each_language_as_they_were_before_it_was_kept():
    """A message keeps its template's and its choices' text per language (``Message._texts``,
    ``_labels``): worded again in another language it gives that language's text, and in every
    language exactly what Django's translation of the template and the labels gives."""
    from supervision.infra.wording import Message
    from supervision.models import FindingSource

    message = Message(
        "tests.wording.kept",
        translation.gettext_lazy("Dashboard"),
    )
    sourced = Message(
        "tests.wording.kept_choice",
        translation.gettext_lazy("%(source)s on %(day)s"),
        choices={"source": FindingSource},
        dates=("day",),
    )
    params = {"source": [FindingSource.COMPLAINT.value, "no such choice"], "day": "2026-12-07"}
    for language in ("zh-hans", "en", "zh-hans", "en"):
        with translation.override(language):
            assert message.word() == str(translation.gettext("Dashboard"))
            sources = join_list([str(FindingSource.COMPLAINT.label), "no such choice"])
            expected = f"{sources} on {format_date('2026-12-07')}"
            assert sourced.word(params) == expected
    with translation.override("zh-hans"):
        chinese = message.word()
    with translation.override("en"):
        assert message.word() == "Dashboard" != chinese


def test_a_text_kept_per_language_and_content_is_the_text_render_gives():
    """``render_kept`` (the summary editor's cases and findings' descriptions): in each language the
    very text ``render`` gives, a changed parameter a new text, and parameters JSON would not give
    back as they are (a tuple) worded every time, never kept."""
    from supervision.infra import wording
    from supervision.infra.wording import Message, render, render_kept
    from supervision.models import FindingSource

    Message(
        "tests.wording.render_kept",
        translation.gettext_lazy("%(source)s on %(day)s: %(text)s"),
        choices={"source": FindingSource},
        dates=("day",),
    )
    wording._KEPT_TEXTS.clear()
    key = "tests.wording.render_kept"
    params = {"source": FindingSource.COMPLAINT.value, "day": "2026-12-07", "text": "态度 <生硬>"}
    for language in ("zh-hans", "en", "zh-hans", "en"):
        with translation.override(language):
            assert render_kept(key, params) == render(key, params)
            changed = {**params, "day": "2026-12-08"}
            assert render_kept(key, changed) == render(key, changed) != render_kept(key, params)
            assert render_kept("", None, fallback="原文") == "原文"
    assert len(wording._KEPT_TEXTS) == 6  # two languages × two parameter sets and the fallback
    with translation.override("en"):
        as_tuple = {**params, "text": ("甲", "乙")}
        assert render_kept(key, as_tuple) == render(key, as_tuple)
    assert len(wording._KEPT_TEXTS) == 6
