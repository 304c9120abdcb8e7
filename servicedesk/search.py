"""Search keys of the knowledge base: pinyin initials and the searchable text, computed when an
entry is saved (so a search is one database query), and the query → condition translation.

"xhnk" finds 消化内科 by its initials; a query in characters matches the text; a query of three or
more characters also matches by the initials of its characters (a homophone typed by mistake,
小化内科, still finds 消化内科) and with any one character wrong (消化内料).
"""

from __future__ import annotations

import re

from django.db.models import Q
from pypinyin import Style, lazy_pinyin

# Words inside a title or keyword list: split on spaces and the punctuation people type.
_SPLIT = re.compile(r"[\s,，、;；/|()（）]+")
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")
MIN_TYPO_LENGTH = 3
MAX_QUERY = 64


def initials_of(text: str) -> str:
    """``消化内科`` → ``xhnk``; letters and digits kept (lower case), anything else dropped."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for part in letters for ch in part.lower() if ch.isascii() and ch.isalnum())


def initials_key(*texts: str) -> str:
    """The ``initials`` column: the initials of every word, space-separated and space-framed
    (`` xhnk wcj ``), so a search is ``initials LIKE '%xhnk%'`` and never spans two words' letters
    by accident of the regex."""
    words = [w for text in texts for w in _SPLIT.split(text or "") if w]
    keys = []
    for word in [*(t for t in texts if t), *words]:
        key = initials_of(word)
        if key and key not in keys:
            keys.append(key)
    return f" {' '.join(keys)} " if keys else ""


def search_text_of(*texts: str) -> str:
    return "\n".join(t.lower() for t in texts if t)


def _one_wrong(query: str, wildcard: str) -> str:
    """A regular expression matching ``query`` with any one character replaced."""
    chars = [re.escape(c) for c in query]
    return "|".join("".join([*chars[:i], wildcard, *chars[i + 1 :]]) for i in range(len(chars)))


def condition(query: str) -> Q | None:
    """The condition of a search for ``query``, or None for an empty query."""
    query = (query or "").strip().lower()[:MAX_QUERY]
    query = " ".join(query.split())
    if not query:
        return None
    compact = query.replace(" ", "")
    if _ASCII_WORD.match(compact):
        # Pinyin initials (from the start of a word: "nk" is not every 内科) or a Latin word ("ct").
        found = Q(initials__contains=f" {compact}") | Q(search_text__contains=query)
        if len(compact) >= MIN_TYPO_LENGTH:
            found |= Q(initials__regex=f" ({_one_wrong(compact, '[a-z0-9]')})")
        return found
    found = Q(search_text__contains=query)
    if len(compact) >= MIN_TYPO_LENGTH:
        # Shorter queries would match too much: two initials (胃镜 → wj) are also 王建国's.
        found |= Q(search_text__regex=_one_wrong(compact, "."))
        key = initials_of(compact)
        if len(key) >= MIN_TYPO_LENGTH:
            found |= Q(initials__contains=f" {key}")
    return found
