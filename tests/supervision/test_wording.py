"""Lists in running text follow the language: 内科、外科 in Chinese, 内科, 外科 in English."""

from django.template import Context, Template
from django.utils import translation

from supervision.infra.wording import join_list


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
