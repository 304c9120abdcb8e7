"""The patient across stays: the key a follow-up task and a deceased flag are found by.

(The cell parsers of the imports are the core's, ``supervision.infra.imports.cells``.)
"""

from __future__ import annotations

import re


def patient_key(name: str, phone: str) -> str:
    """The person across stays: normalised name + normalised phone ('' when there is no phone)."""
    name = re.sub(r"\s+", "", name or "")
    return f"{name}|{phone}" if name and phone else ""


def stay_patient_keys(stay) -> list[str]:
    keys = [patient_key(stay.patient_name, stay.phone), patient_key(stay.patient_name, stay.alt_phone)]
    return [k for k in dict.fromkeys(keys) if k]
