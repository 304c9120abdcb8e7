"""The cell parsers of every import: text, phone, date, date and time, yes/no, whole number, and
a choice that also takes its labels in either language and the words hospitals write.

A parser is a callable that takes a cell that is not blank (the pipeline handles blanks through
the column's ``default`` and ``required``) and returns the clean value or raises ``ValueError``
whose argument is a ``Worded`` message (``texts``): stored as key + parameters, worded in the
reader's language when shown.
"""

from __future__ import annotations

import datetime as dt
import math

from django.utils import translation

from ..cleaning import clean_text, normalise_phone
from ..wording import Message
from . import texts


def cell_text(value) -> str:
    """A cell as text: 58.0 (how a spreadsheet may hold 58) reads as "58"."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Text:
    """Text up to ``max_length`` characters; one line unless ``multiline`` (names never hold a break)."""

    def __init__(self, max_length: int, *, multiline: bool = False):
        self.max_length, self.single_line = max_length, not multiline

    def __call__(self, value) -> str:
        text = clean_text(cell_text(value), single_line=self.single_line)
        if len(text) > self.max_length:
            raise ValueError(texts.TOO_LONG(n=self.max_length))
        return text


def phone(value) -> str:
    return normalise_phone(value)


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%Y年%m月%d日",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
EXCEL_EPOCH = dt.date(1899, 12, 30)


def date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # Excel serial day number
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        if 19000101 <= value <= 21001231:
            value = str(int(value))
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-":  # the usual 2026-03-01, without trying every format
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(texts.NOT_A_DATE(value=value))


def date_time(value) -> dt.datetime:
    """A date and time; a date alone is taken as 10:00 (a call made that morning)."""
    if isinstance(value, dt.datetime):
        return value
    text = str(value).strip()
    if len(text) in (15, 16) and text[4] == text[7] == "-" and text[10] == " " and text[-3] == ":":
        # The usual 2026-03-11 09:05 (or 9:05) without strptime, a tenth of the time.
        try:
            return dt.datetime(
                int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:-3]), int(text[-2:])
            )
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return dt.datetime.combine(date(value), dt.time(10, 0))


_YES = {"1", "true", "是", "yes", "y", "启用", "在职"}
_NO = {"0", "false", "否", "no", "n", "停用", "离职"}


def yes_no(value) -> bool:
    """是/否, 1/0, yes/no, 启用/停用, 在职/离职; any other word is an error, never a silent "no"."""
    if isinstance(value, bool):
        return value
    text = cell_text(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(texts.NOT_YES_NO(value=value))


class WholeNumber:
    """A whole number from ``minimum`` to ``maximum``; ``suffix`` (e.g. 岁) may follow it."""

    def __init__(
        self, minimum: int = 0, maximum: int = 2**31 - 1, *, suffix: str = "", message: Message | None = None
    ):
        self.minimum, self.maximum, self.suffix = minimum, maximum, suffix
        self.message = message or texts.NOT_A_WHOLE_NUMBER

    def __call__(self, value) -> int:
        text = cell_text(value).strip().removesuffix(self.suffix) if self.suffix else cell_text(value).strip()
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and number.is_integer() and self.minimum <= number <= self.maximum):
            raise ValueError(self.message(value=value))
        return int(number)


class Choice:
    """One of a ``TextChoices``: its code, its label in Chinese or English, or one of ``aliases``
    (the words hospital spreadsheets use: 临床, 医师, 空号 …), case ignored.

    ``message`` (a ``Message`` given ``value`` and ``allowed``, the list of stored values) replaces
    the default "not one of: <labels>"; ``texts.not_one_of(key, choices)`` makes one that shows the
    labels in the reader's language.
    """

    def __init__(self, choices, aliases: dict[str, str] | None = None, *, message: Message | None = None):
        self.choices, self.aliases, self.message = choices, aliases or {}, message
        self._words: dict[str, str] | None = None

    def words(self) -> dict[str, str]:
        if self._words is None:
            words: dict[str, str] = {}
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    words.update({str(label).lower(): code for code, label in self.choices.choices})
            words.update({word.lower(): code for word, code in self.aliases.items()})
            words.update({code.lower(): code for code in self.choices.values})
            self._words = words
        return self._words

    def __call__(self, value) -> str:
        text = cell_text(value).strip()
        code = self.words().get(text.lower())
        if code is not None:
            return code
        if self.message:
            raise ValueError(self.message(value=text, allowed=list(self.choices.values)))
        # No message naming the class: the labels as worded now (the actor's language).
        raise ValueError(texts.NOT_ONE_OF(value=text, allowed=[str(label) for label in self.choices.labels]))
