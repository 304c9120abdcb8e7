"""Search keys of the knowledge base: pinyin initials and the searchable text, computed when an
entry is saved (so a search is one database query), and the query → condition translation.

"xhnk" finds 消化内科 by its initials; a query in characters matches the text; a query of three or
more characters also matches by the initials of its characters (a homophone typed by mistake,
小化内科, still finds 消化内科) and with any one character wrong (消化内料).
"""

from __future__ import annotations

import re

from django.db.models import F, Lookup, Q, Value
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


class Like(Lookup):
    """``lhs LIKE rhs`` with the pattern's own wildcards (``_`` one character, ``%`` any run; ``\\``
    escapes them), which Django's ``contains`` escapes. Both databases run LIKE natively; the
    regular expression this replaced ran on SQLite as a Python function per row (Django's REGEXP),
    several times the 100 ms target at 5,000 entries (docs/servicedesk.md has the figures)."""

    lookup_name = "like"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _one_wrong(field: str, query: str, *, start: str = "%") -> Q:
    """``field`` holds ``query`` with any one character replaced (one LIKE per position, ``_`` the
    wrong one), after ``start`` (``"% "``: from the start of a space-framed word)."""
    found = Q()
    for i in range(len(query)):
        pattern = f"{start}{_escape_like(query[:i])}_{_escape_like(query[i + 1 :])}%"
        found |= Q(Like(F(field), Value(pattern)))
    return found


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
            found |= _one_wrong("initials", compact, start="% ")
        return found
    found = Q(search_text__contains=query)
    if len(compact) >= MIN_TYPO_LENGTH:
        # Shorter queries would match too much: two initials (胃镜 → wj) are also 王建国's.
        found |= _one_wrong("search_text", compact)
        key = initials_of(compact)
        if len(key) >= MIN_TYPO_LENGTH:
            found |= Q(initials__contains=f" {key}")
    return found
