"""Text and phone cleaning shared by the forms and the imports: one rule for each.

``clean_text`` drops control characters (and, for one-line values such as names, line breaks:
an Alt+Enter in an Excel cell would otherwise put a newline into an e-mail subject);
``phone_digits`` is the key under which a typed phone is compared (digits only);
``normalise_phone`` is the checked form a phone is stored in.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Line and paragraph breaks, with the spaces around them (Excel's Alt+Enter is "\n").
_LINE_BREAKS = re.compile(r"\s*[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+\s*")


def clean_text(value: str | None, *, single_line: bool = False) -> str:
    """Plain text as typed, without control characters; ``single_line`` turns breaks into a space."""
    text = value or ""
    if text.isprintable():  # the common case: no control character, no line break
        return text.strip()
    text = text.replace("\r\n", "\n")
    if single_line:
        text = _LINE_BREAKS.sub(" ", text)
    return _CONTROL.sub("", text).strip()


def phone_digits(value: str | None) -> str:
    """Digits only: '138-0013 8000' and '13800138000' are the same caller."""
    return re.sub(r"\D", "", value or "")[:20]


_PHONE_JUNK = re.compile(r"[\s\-‐－—()（）.]")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_phone(value) -> str:
    """'+86 138-0013-8000' → '13800138000'; '(010) 6512-3456' → '01065123456'; '' → ''.

    Anything else raises ``ValueError`` with a ``Worded`` message that quotes the value masked.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _PHONE_JUNK.sub("", str(value).strip())
    if not text:
        return ""
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13 and text[2] == "1":
        text = text[2:]
    if MOBILE.match(text) or LANDLINE.match(text):
        return text
    from ..privacy import mask_phone

    shown = str(value).strip()
    if sum(c.isdigit() for c in shown) >= 7:  # a mistyped phone is still personal data
        shown = mask_phone(shown)
    from .imports.texts import BAD_PHONE

    raise ValueError(BAD_PHONE(value=shown))  # worded when shown (an import's stored row error)
