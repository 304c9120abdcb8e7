"""Chinese text takes Chinese punctuation: full-width brackets and colon with no space before them
(“文件名（超过保存期限，文件已删除）”, “满意度：满意”), never an ASCII "(" or ": " from a template or a
catalogue; English keeps its own ("name (file deleted …)", "Satisfaction: satisfied")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext, pgettext

ROOT = Path(settings.BASE_DIR)
CJK = re.compile(r"[\u4e00-\u9fff]")
# Placeholders and markup are not text: %(name)s, {0}, <span class="…">, a URL.
NOT_TEXT = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|<[^>]+>|https?://\S+")


def _msgstrs(path: Path):
    key = None
    entry: dict[str, str] = {}
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            yield from ((entry.get("msgid", ""), v) for k, v in entry.items() if k.startswith("msgstr"))
            entry, key = {}, None
        elif match := re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line):
            key = match.group(1)
            entry[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)


def test_no_chinese_translation_has_an_ascii_bracket_or_a_space_before_a_full_width_one():
    catalogues = [p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts]
    assert len(catalogues) >= 8
    wrong = []
    for path in catalogues:
        for msgid, msgstr in _msgstrs(path):
            text = NOT_TEXT.sub("", msgstr)
            if CJK.search(text) and (re.search(r"[()]", text) or re.search(r"\s[（：]", msgstr)):
                wrong.append(f"{path.relative_to(ROOT)}: {msgid!r} → {msgstr!r}")
    assert not wrong, "\n".join(wrong)


def test_a_label_and_its_value_are_joined_with_the_languages_colon():
    template = Template('{% load i18n ducha %}{% translate "Satisfaction" %}{% labelsep %}X')
    with translation.override("zh-hans"):
        assert template.render(Context()) == "满意度：X"
    with translation.override("en"):
        assert template.render(Context()) == "Satisfaction: X"


def test_no_template_writes_an_ascii_colon_after_a_translated_label():
    written = re.compile(r'\{% translate "[^"]*"(?: context "[^"]*")? %\}: ')
    templates = [p for p in ROOT.glob("**/templates/**/*.html") if ".venv" not in p.parts]
    wrong = [str(p.relative_to(ROOT)) for p in templates if written.search(p.read_text(encoding="utf-8"))]
    assert not wrong, wrong


def test_a_deleted_files_note_follows_its_name_without_a_space_in_chinese():
    msgid = '%(name)s <span class="text-muted small">(file deleted after the retention period)</span>'
    with translation.override("zh-hans"):
        assert gettext(msgid) % {"name": "病历.pdf"} == (
            '病历.pdf<span class="text-muted small">（超过保存期限，文件已删除）</span>'
        )
        letter = pgettext(
            "complaint",
            'Letter %(when)s <span class="text-muted small">(PDF deleted after the retention period)</span>',
        )
        assert "（超过保存期限，PDF 已删除）" in letter and " <span" not in letter
        assert gettext("Columns (* required):") == "列（* 为必填）："


# Template text around what a template prints: an ASCII bracket or colon written beside it stays
# ASCII in Chinese ("满意 (医疗技术: 态度)"). Translated text is checked in the catalogues above, so
# the {% blocktranslate %} blocks, comments, scripts and styles are left out.
NOT_TEMPLATE_TEXT = re.compile(
    r"\{% blocktranslate.*?\{% endblocktranslate %\}|\{% comment %\}.*?\{% endcomment %\}"
    r"|<script.*?</script>|<style.*?</style>|\{#.*?#\}",
    re.S,
)
BRACKET_BEFORE_OUTPUT = re.compile(r"\((?=\{\{|\{%)")
COLON_AFTER_OUTPUT = re.compile(r"(?:_display \}\}|\{% endif %\}|\{% endblocktranslate %\}): ")


def test_no_template_writes_an_ascii_bracket_or_colon_around_what_it_prints():
    templates = [p for p in ROOT.glob("**/templates/**/*.html") if ".venv" not in p.parts]
    wrong = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(
            NOT_TEMPLATE_TEXT.sub(lambda m: "\n" * m[0].count("\n"), text).splitlines(), 1
        ):
            for match in (*BRACKET_BEFORE_OUTPUT.finditer(line), *COLON_AFTER_OUTPUT.finditer(line)):
                wrong.append(
                    f"{path.relative_to(ROOT)}:{number}: …{line[max(0, match.start() - 30) : match.end() + 30]}…"
                )
    assert not wrong, "Use {% brackets %}…{% endbrackets %} and {% labelsep %}:\n" + "\n".join(wrong)


def test_an_aside_is_in_the_languages_brackets():
    template = Template("{% load ducha %}王芳{% brackets %}<b>{{ d }}</b>{% endbrackets %}")
    with translation.override("zh-hans"):
        assert template.render(Context({"d": "内科"})) == "王芳（<b>内科</b>）"
    with translation.override("en"):
        assert template.render(Context({"d": "A&E"})) == "王芳 (<b>A&amp;E</b>)"


def test_a_dissatisfied_answer_on_the_call_screen_reads_in_chinese_punctuation():
    template = Template(
        "{% load ducha %}满意{% brackets %}{{ domain }}{% labelsep %}{{ topics|join_list }}{% endbrackets %}"
    )
    with translation.override("zh-hans"):
        assert template.render(Context({"domain": "服务态度", "topics": ["态度生硬", "推诿"]})) == (
            "满意（服务态度：态度生硬、推诿）"
        )
