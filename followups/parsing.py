"""Cell parsers for the HIS spreadsheets: phones, dates, sex, age, discharge method.

Each parser returns the clean value or raises ``ValueError`` with a message in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from supervision.models import DischargeMethod, Sex

_PHONE_JUNK = re.compile(r"[\s\-‐－—()（）.]")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_phone(value) -> str:
    """'+86 138-0013-8000' → '13800138000'; '(010) 6512-3456' → '01065123456'; '' → ''."""
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
    if MOBILE.match(text):
        return text
    if LANDLINE.match(text):
        return text
    raise ValueError(
        _("“%(value)s” is not a valid phone number (mobile 1xxxxxxxxxx or landline with area code).")
        % {"value": value}
    )


def patient_key(name: str, phone: str) -> str:
    """The person across stays: normalised name + normalised phone ('' when there is no phone)."""
    name = re.sub(r"\s+", "", name or "")
    return f"{name}|{phone}" if name and phone else ""


def stay_patient_keys(stay) -> list[str]:
    keys = [patient_key(stay.patient_name, stay.phone), patient_key(stay.patient_name, stay.alt_phone)]
    return [k for k in dict.fromkeys(keys) if k]


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


def parse_date(value) -> dt.date:
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
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date (use 2026-03-01).") % {"value": value})


def parse_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    day = parse_date(value)
    return dt.datetime.combine(day, dt.time(10, 0))


_SEX = {
    "男": Sex.MALE, "m": Sex.MALE, "male": Sex.MALE, "1": Sex.MALE,
    "女": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE, "2": Sex.FEMALE,
    "未知": Sex.UNKNOWN, "u": Sex.UNKNOWN, "0": Sex.UNKNOWN, "9": Sex.UNKNOWN, "未说明": Sex.UNKNOWN,
}  # fmt: skip


def parse_sex(value) -> str:
    if value in (None, ""):
        return Sex.UNKNOWN
    text = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip().lower()
    if text in _SEX:
        return _SEX[text]
    raise ValueError(_("“%(value)s” is not a sex (男 / 女 / 未知).") % {"value": value})


def parse_age(value) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip().removesuffix("岁")
    try:
        number = float(text)
    except ValueError:
        raise ValueError(_("“%(value)s” is not an age in years.") % {"value": value}) from None
    if not number.is_integer() or not 0 <= number <= 130:
        raise ValueError(_("“%(value)s” is not an age in years.") % {"value": value})
    return int(number)


_METHODS = {
    "医嘱离院": DischargeMethod.ORDERED,
    "医嘱转院": DischargeMethod.TRANSFERRED,
    "转院": DischargeMethod.TRANSFERRED,
    "医嘱转社区卫生服务机构/乡镇卫生院": DischargeMethod.COMMUNITY,
    "医嘱转社区": DischargeMethod.COMMUNITY,
    "转社区": DischargeMethod.COMMUNITY,
    "非医嘱离院": DischargeMethod.AGAINST_ADVICE,
    "自动出院": DischargeMethod.AGAINST_ADVICE,
    "死亡": DischargeMethod.DIED,
    "其他": DischargeMethod.OTHER,
}


def parse_discharge_method(value) -> str:
    if value in (None, ""):
        return DischargeMethod.ORDERED
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text in DischargeMethod.values:
        return text
    if text in _METHODS:
        return _METHODS[text]
    raise ValueError(
        _(
            "“%(value)s” is not a discharge method (1 医嘱离院, 2 医嘱转院, 3 转社区, 4 非医嘱离院, 5 死亡, 9 其他)."
        )
        % {"value": value}
    )


def clean_text(value, max_length: int, *, required: bool = False) -> str:
    if value is None:
        text = ""
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value).strip()
    if required and not text:
        raise ValueError(_("This column is required."))
    if len(text) > max_length:
        raise ValueError(_("At most %(n)s characters.") % {"n": max_length})
    return text
