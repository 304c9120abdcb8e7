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
