"""Small pieces of running text that differ by language, and texts stored as a key to word later.

A text the application writes into the database (a notice's title, a complaint's timeline note,
the description of a finding drawn from a chart audit) is stored as a message key and its
parameters, and worded when shown: in the reader's language on a page, in the recipient's language
in an e-mail. Each app declares its messages in ``<app>/texts.py``::

    ORDER_DUE = Message("orders.due", gettext_lazy("Order %(number)s is due on %(deadline)s"),
                        dates=("deadline",))

A sentence about a number of things is plural on that count parameter: its template is Django's
``ngettext_lazy`` (or ``npgettext_lazy``) on the parameter's name, and ``count`` names it::

    OVERDUE = Message("orders.overdue", ngettext_lazy("%(count)s overdue order",
                      "%(count)s overdue orders", "count"), count="count")

The form is chosen when the text is worded, so the stored key and parameters do not change when a
sentence becomes plural (Chinese has one form: its ``msgstr[0]``).

Parameters are stored as written by the code (dates as ISO strings, choices as their stored
value, lists as lists) and worded by :func:`render`: a date in the language's date format, a
choice by its label, a list joined with the language's separator.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections.abc import Iterable, Mapping

from django.utils import dateformat, formats
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import get_language, override, pgettext


def list_separator() -> str:
    """Between the items of a list in running text: "、" in Chinese, ", " in English."""
    return pgettext("list separator", ", ")


def label_separator() -> str:
    """Between a label and its value in running text ("满意度：满意", "Satisfaction: satisfied"): "：" in
    Chinese, ": " in English — an ASCII colon and a space read as a typo in a Chinese sentence."""
    return pgettext("label separator", ": ")


def brackets() -> tuple[str, str]:
    """Around an aside in running text ("内科（3/4）", "Internal medicine (3/4)"): the language's
    opening and closing bracket, the English one with the space before it; Chinese takes full-width
    brackets with no space — an ASCII "(" reads as a typo in a Chinese sentence."""
    pattern = pgettext("brackets around an aside", " (%(aside)s)")
    opening, _, closing = pattern.partition("%(aside)s")
    return opening, closing


def join_list(items: Iterable) -> str:
    return list_separator().join(str(item) for item in items)


# --- messages stored as key + parameters ----------------------------------------------------------

_registry: dict[str, Message] = {}
_discovered = False


class Message:
    """A text stored as ``key`` + parameters; ``template`` is a lazy gettext with %(name)s slots.

    ``dates``: parameters holding an ISO date, shown in the language's date format.
    ``choices``: parameter → ``TextChoices`` class, the stored value shown by its label (a list of
    stored values: their labels joined with the language's separator).
    ``lists``: parameters holding a list, joined with the language's separator.
    ``line_lists``: parameters holding a list, one item a line.
    ``count``: the parameter whose number chooses the singular or plural form; ``template`` is then
    ``ngettext_lazy(singular, plural, count)`` (``npgettext_lazy`` with a context).
    """

    def __init__(
        self,
        key: str,
        template,
        *,
        dates=(),
        choices: Mapping | None = None,
        lists=(),
        line_lists=(),
        count: str | None = None,
    ):
        known = _registry.get(key)
        if known is not None and (_source(known.template), known.count) != (_source(template), count):
            # A stored key must word one way: two templates under one key would show a stored
            # text as whichever module was imported last.
            raise ValueError(
                f"message key {key!r} is registered twice with different templates: "
                f"{_source_text(known.template)} (count={known.count!r}) and "
                f"{_source_text(template)} (count={count!r})"
            )
        self.key = key
        self.template = template
        self.dates = tuple(dates)
        self.choices = dict(choices or {})
        self.lists = tuple(lists)
        self.line_lists = tuple(line_lists)
        self.count = count
        # The template's text and the choices' labels in each language, once per process: a page
        # words the same message many times (the summary editor ninety cases), and each gettext
        # through Django's translation machinery is most of what wording one costs. The text of a
        # catalogue entry does not change while the process runs (the dates' _date_text relies on the same).
        self._texts: dict[str | None, str] = {}
        self._labels: dict[tuple[str | None, str, object], str] = {}
        _registry[key] = self

    def __repr__(self) -> str:
        return f"Message({self.key!r})"

    def __call__(self, **params) -> Worded:
        """This message with ``params``, to store; a parameter may itself be a worded text."""
        return Worded(self.key, {name: _storable(value) for name, value in params.items()})

    def word(self, params: Mapping | None = None) -> str:
        """The text in the active language."""
        language = get_language()
        # A name starting with "_" is kept beside the template's (a notice's body), not worded here.
        values = {
            name: self._word_value(name, value, language)
            for name, value in (params or {}).items()
            if not name.startswith("_")
        }
        if self.count is not None:
            # Django's plural template picks its form by values[count]: the stored number, shown
            # as worded (12,345).
            number = (params or {})[self.count]
            values[self.count] = _Count(int(number), values[self.count])
            return str(self.template % values)
        template = self._texts.get(language)
        if template is None:
            template = self._texts[language] = str(self.template)
        return template % values if "%(" in template else template

    def forms(self) -> list[str]:
        """The template's text in the active language, each plural form once, with its slots."""
        if self.count is None:
            return [str(self.template)]
        found = []
        for number in (1, 2, 5, 0):
            text = self.template % _Slots({self.count: _Count(number, f"%({self.count})s")})
            if text not in found:
                found.append(text)
        return found

    def _word_value(self, name: str, value, language: str | None):
        """One parameter worded in ``language`` (the active one, read once per message)."""
        if value is None:
            return "—"
        if isinstance(value, dict) and "key" in value:  # a worded text inside this one
            return render(value["key"], value.get("params"))
        if name in self.dates:
            return format_date(value, language=language)
        if name in self.choices:
            if isinstance(value, list):  # several choices: each by its label, joined
                return join_list(self._label(name, v, language) for v in value)
            return self._label(name, value, language)
        if name in self.lists:
            return join_list(self._word_item(v) for v in value)
        if name in self.line_lists:
            return "\n".join(str(self._word_item(v)) for v in value)
        return value

    def _label(self, name: str, value, language: str | None):
        key = (language, name, value)
        label = self._labels.get(key)
        if label is None:
            try:
                label = str(self.choices[name](value).label)
            except ValueError:
                return value
            self._labels[key] = label
        return label

    @staticmethod
    def _word_item(value):
        if isinstance(value, dict) and "key" in value:
            return render(value["key"], value.get("params"))
        return value

    def unword(self, text: str, languages: Iterable[str]) -> dict | None:
        """The parameters that, worded in one of ``languages``, give ``text``; None if none does.

        For data migrations converting texts stored already worded. Dates were stored in ISO form
        and choices by their label in the writer's language; both come back as stored values.
        """
        for language in languages:
            with override(language):
                match = next((m for form in self.forms() if (m := self._pattern(form).fullmatch(text))), None)
                if match is None:
                    continue
                params = {}
                for name, value in match.groupdict().items():
                    if name in self.choices:
                        labels = {str(c.label): c.value for c in self.choices[name]}
                        if value not in labels:
                            break
                        value = labels[value]
                    elif name in self.lists:
                        value = value.split(list_separator())
                    elif re.fullmatch(r"-?\d+", value) and name not in self.dates:
                        value = int(value)
                    params[name] = value
                else:
                    return params
        return None

    def _pattern(self, template: str) -> re.Pattern:
        template = template.replace("%%", "%")
        parts = re.split(r"%\((\w+)\)[sd]", template)
        pattern = ""
        for i, part in enumerate(parts):
            if i % 2 == 0:
                pattern += re.escape(part)
            elif f"(?P<{part}>" in pattern:
                pattern += f"(?P={part})"
            else:
                pattern += (
                    f"(?P<{part}>.+?)" if part not in self.dates else rf"(?P<{part}>\d{{4}}-\d{{2}}-\d{{2}})"
                )
        return re.compile(pattern, re.DOTALL)


def _source(template):
    """What a template was written as, to compare two of them.

    A lazy ``gettext_lazy`` text compares by its translation, but a lazy ``ngettext_lazy`` on a named
    count is, as a string, empty until a number is given: any two plural templates compared equal.
    Their pickling form (``__reduce__``, the public protocol Django gives lazy texts) holds the
    function and the source strings (singular, plural, context), whatever the active language."""
    if isinstance(template, Promise):
        return template.__reduce__()
    return template


def _source_text(template) -> str:
    """The source strings of a template, for an error message."""
    source = _source(template)
    if not isinstance(source, tuple):
        return repr(str(source))
    arguments = source[1]
    if len(arguments) == 4 and isinstance(arguments[3], dict):  # a plural: (func, class, count, strings)
        strings = list(arguments[3].values())
    else:  # a lazy text: (func, args, kwargs, *result classes)
        strings = [a for a in arguments[1] if isinstance(a, str)]
    return " / ".join(repr(s) for s in strings)


class _Count(int):
    """A count parameter: its number chooses the plural form, its worded text (12,345) is shown."""

    def __new__(cls, number: int, shown):
        count = super().__new__(cls, number)
        count.shown = str(shown)
        return count

    def __str__(self) -> str:
        return self.shown


class _Slots(dict):
    """Parameters that leave every slot but the count as written: a plural form's own text."""

    def __missing__(self, name):
        return f"%({name})s"


class Worded:
    """A message key and its parameters: what is stored, worded by ``str()`` in the active language."""

    def __init__(self, key: str, params: dict):
        self.key = key
        self.params = params

    def __str__(self) -> str:
        return render(self.key, self.params)

    def __eq__(self, other) -> bool:
        return isinstance(other, Worded) and (self.key, self.params) == (other.key, other.params)

    def __repr__(self) -> str:
        return f"Worded({self.key!r}, {self.params!r})"

    def as_param(self) -> dict:
        return {"key": self.key, "params": self.params}


def _storable(value):
    if isinstance(value, Worded):
        return value.as_param()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    if hasattr(value, "value") and hasattr(value, "label"):  # a TextChoices member: its stored value
        return value.value
    if isinstance(value, float) and not math.isfinite(value):
        # NaN and infinities (a spreadsheet cell can hold them) are not JSON: SQLite's JSON_VALID
        # check and PostgreSQL's jsonb refuse them, so they are kept as the words Python shows.
        return str(value)
    return value if isinstance(value, (int, float, bool, dict)) or value is None else str(value)


def format_date(value, *, language: str | None = None) -> str:
    """An ISO date (or a date) in the active language's format: 2026年12月13日, 13 Dec 2026.
    ``language``: the active one when the caller read it already (``Message.word``)."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    if language is None:  # (also when translation is off: get_language() is None then too)
        language = get_language()
    # formats.date_format(value, "DATE_FORMAT"), its text kept per day, format and language.
    return _date_text(value, formats.get_format("DATE_FORMAT", lang=language), language)


@functools.lru_cache(maxsize=4096)
def _date_text(day: dt.date, pattern: str, language: str | None) -> str:
    # A day in a given format and language is always the same text (the months' names come from the
    # language's catalogue, which a process loads once): a written summary's editor and a report
    # word the same few hundred days again and again, ~20 µs each through Django's formatter.
    return dateformat.format(day, pattern)


def message(key: str) -> Message | None:
    global _discovered
    if key not in _registry and not _discovered:
        # Each app declares its messages in texts.py; load them all once, on first need.
        autodiscover_modules("texts")
        _discovered = True
    return _registry.get(key)


def render(key: str, params: Mapping | None = None, *, fallback: str = "") -> str:
    """The stored text ``key`` + ``params`` in the active language.

    ``fallback`` (the text as once stored) is shown when there is no key, the key is unknown, or
    the parameters no longer fit the template: a stored text is never lost.
    """
    found = message(key) if key else None
    if found is None:
        return fallback or key
    try:
        return found.word(params)
    except (KeyError, TypeError, ValueError):
        return fallback or found.forms()[-1]


# Texts worded by ``render_kept``: (language, key, parameters as JSON, fallback) -> text.
_KEPT_TEXTS: dict[tuple, str] = {}
MAX_KEPT_TEXTS = 8192


def render_kept(key: str, params: Mapping | None = None, *, fallback: str = "") -> str:
    """``render(key, params, fallback=…)``, its text kept per language and content.

    A stored text worded in a given language is always the same text (the catalogue and the date
    formats do not change while a process runs, as ``Message`` and ``_date_text`` rely on): the
    written-summary editor words the same ninety cases and thirty findings' descriptions on every
    view. The key holds everything the text is worded from — the parameters as JSON — and a text is
    kept only when that JSON gives back exactly the parameters (a tuple, a date or another object
    would not), so nothing but the very text ``render`` gives is ever returned. Bounded: emptied when
    full."""
    language = get_language()
    try:
        params_json = json.dumps(params, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):  # not JSON: worded every time
        return render(key, params, fallback=fallback)
    kept_key = (language, key, params_json, fallback)
    text = _KEPT_TEXTS.get(kept_key)
    if text is None:
        text = render(key, params, fallback=fallback)
        if type(text) is str and json.loads(params_json) == params:
            if len(_KEPT_TEXTS) >= MAX_KEPT_TEXTS:
                _KEPT_TEXTS.clear()
            _KEPT_TEXTS[kept_key] = text
    return text


def unword(text: str, messages: Iterable[Message], languages: Iterable[str] = ("zh-hans", "en")):
    """(key, params) of the first message that words ``text`` in one of ``languages``, else None."""
    for candidate in messages:
        params = candidate.unword(text, languages)
        if params is not None:
            return candidate.key, params
    return None


def convert_stored_texts(
    queryset, *, text_field: str, key_field: str, params_field: str, messages, batch=500
):
    """Data migrations: give rows whose text was stored already worded a key and parameters.

    A text that matches one of ``messages`` in Chinese or English gets its key and parameters (the
    written text stays as the fallback); any other text is kept as written and shown as written.
    Returns (converted, kept).
    """
    messages = list(messages)
    converted, kept, changed = 0, 0, []
    rows = queryset.filter(**{key_field: ""}).exclude(**{text_field: ""}).order_by("pk")
    for row in rows.iterator(chunk_size=batch):
        found = unword(getattr(row, text_field), messages)
        if found is None:
            kept += 1
            continue
        setattr(row, key_field, found[0])
        setattr(row, params_field, found[1])
        changed.append(row)
        converted += 1
        if len(changed) >= batch:
            queryset.model.objects.bulk_update(changed, [key_field, params_field])
            changed = []
    if changed:
        queryset.model.objects.bulk_update(changed, [key_field, params_field])
    return converted, kept
