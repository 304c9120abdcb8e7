"""Inspection texts stored already worded, in the actor's language, become key + parameters.

- The description of a finding a round filed: one line per failed item, a measured item's line
  worded ("手卫生：10 个手卫生时机中洗手 8 次（目标 ≥ 90%）" / "…：8 hand washes in 10
  opportunities (target ≥ 90%)", "…：等候 20 分钟（标准 ≤ 15 分钟）" / "…：waiting 20 minutes
  (target ≤ 15)"), the inspector's note after "。". The checklist's and the inspector's own words
  stay parameters; the text written stays in ``description`` (it is what is searched).
- History notes: a chart's score ("94.0 分 · 甲级" / "94.0 points · Grade A"), its re-grading
  ("… → …"), and a round's items filed without a finding ("不立问题：…" / "Skipped: …").

Anything of another shape is kept as written and still shown as written. The wordings are frozen
here as they were.
"""

import re
from decimal import Decimal, InvalidOperation

from django.db import migrations

GRADES = {"A": ["甲级", "Grade A"], "B": ["乙级", "Grade B"], "C": ["丙级", "Grade C"]}
NUMBER = r"[0-9][0-9.E+]*"
WAIT = [
    rf"(?P<item>.+?)：等候 (?P<minutes>{NUMBER}) 分钟（标准 ≤ (?P<target>{NUMBER}|None|—) 分钟）",
    rf"(?P<item>.+?)：waiting (?P<minutes>{NUMBER}) minutes \(target ≤ (?P<target>{NUMBER}|None|—)\)",
]
HAND_HYGIENE = [
    rf"(?P<item>.+?)：(?P<opportunities>\d+) 个手卫生时机中洗手 (?P<washes>\d+) 次（目标 ≥ (?P<target>{NUMBER})%）",
    rf"(?P<item>.+?)：(?P<washes>\d+) hand washes in (?P<opportunities>\d+) opportunities \(target ≥ (?P<target>{NUMBER})%\)",
]
NOTE = r"(?:。(?P<note>.*))?"
SCORE = [r"(?P<score>\d+(?:\.\d+)?) 分 · (?P<grade>\S+)", r"(?P<score>\d+(?:\.\d+)?) points · (?P<grade>.+)"]
SKIPPED = [r"不立问题：(?P<items>.+)", r"Skipped: (?P<items>.+)"]


def _plain(number: str):
    """12.50 → "12.5", 1E+1 → "10": a number as the code now stores it; "—" for a blank one."""
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None  # worded "—", never "None"
    return str(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


def _first(patterns, text):
    for pattern in patterns:
        if match := re.fullmatch(pattern, text, re.DOTALL):
            return match
    return None


def convert_line(line):
    """A Worded for one line of a round's finding, or the line as written."""
    from inspections import texts

    if match := _first([p + NOTE for p in WAIT], line):
        worded = texts.WAIT_TIME(
            item=match["item"], minutes=_plain(match["minutes"]), target=_plain(match["target"])
        )
    elif match := _first([p + NOTE for p in HAND_HYGIENE], line):
        worded = texts.HAND_HYGIENE(
            item=match["item"],
            washes=int(match["washes"]),
            opportunities=int(match["opportunities"]),
            target=_plain(match["target"]),
        )
    else:
        return line  # the checklist's words (and a note): shown as written, in any language
    return texts.WITH_NOTE(head=worded, note=match["note"]) if match["note"] else worded


def convert_description(text):
    """The Worded a round's finding description is now built from, or None to keep it as written."""
    from supervision import texts as core

    lines = [convert_line(line) for line in text.split("\n")]
    if all(isinstance(line, str) for line in lines):
        return None
    return lines[0] if len(lines) == 1 else core.LINE_LIST(lines=lines)


def convert_score(text):
    from inspections import texts

    match = _first(SCORE, text)
    if match is None:
        return None
    grade = next((code for code, words in GRADES.items() if match["grade"] in words), None)
    return None if grade is None else texts.SCORE(score=match["score"], grade=grade)


def convert_comment(action, text):
    """The Worded a history note of ``action`` is now built from, or None to keep it as written."""
    from inspections import texts
    from supervision import texts as core

    if action == "audit":
        return convert_score(text)
    if action == "regrade":
        before, arrow, after = text.partition(" → ")
        if not arrow:
            return None
        head, target = convert_score(before), convert_score(after)
        return None if head is None or target is None else core.ARROW(head=head, target=target)
    if action == "submit" and (match := _first(SKIPPED, text)):
        return texts.SKIPPED(items=match["items"])  # the items and reasons as written
    return None


def finding_descriptions(apps):
    Finding = apps.get_model("supervision", "Finding")
    changed = []
    rows = Finding.objects.filter(source="inspection", description_key="").exclude(description="")
    for finding in rows.only("pk", "description").iterator(chunk_size=500):
        worded = convert_description(finding.description)
        if worded is not None:
            finding.description_key, finding.description_params = worded.key, worded.params
            changed.append(finding)
    Finding.objects.bulk_update(changed, ["description_key", "description_params"], batch_size=500)
    return len(changed)


def history_notes(apps):
    Transition = apps.get_model("inspections", "Transition")
    changed = []
    rows = Transition.objects.filter(action__in=["audit", "regrade", "submit"], comment_key="").exclude(
        comment=""
    )
    for row in rows.only("pk", "action", "comment").iterator(chunk_size=500):
        worded = convert_comment(row.action, row.comment)
        if worded is not None:
            row.comment_key, row.comment_params = worded.key, worded.params
            changed.append(row)
    Transition.objects.bulk_update(changed, ["comment_key", "comment_params"], batch_size=500)
    return len(changed)


def forwards(apps, schema_editor):
    finding_descriptions(apps)
    history_notes(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0014_checklist_item_editor_fields"),
        ("supervision", "0022_user_email_mode_db_default"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
