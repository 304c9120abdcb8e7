"""Complaint texts stored already worded, in the actor's language, become key + parameters.

- The complaints' notification titles (Chinese or English).
- Timeline notes and owner-change notes: before, a step's note was written once in the actor's
  language with Chinese punctuation ("满意：谢谢", "Satisfied：thanks", "内科、外科：请核实"). Each
  step's known shape is read back into the message it is now built from.

Anything of another shape is kept as written and still shown as written (the written text also
stays on converted rows). The labels are frozen here as they were.
"""

import re

from django.db import migrations

DETERMINATIONS = {
    "valid": ["有效", "Valid"],
    "partly_valid": ["部分有效", "Partly valid"],
    "not_valid": ["无效", "Not valid"],
}
ANSWER_METHODS = {
    "phone": ["电话", "Telephone"],
    "in_person": ["当面", "In person"],
    "letter": ["信函", "Letter"],
    "email": ["电子邮件", "E-mail"],
    "sms": ["短信", "Text message"],
    "referral_system": ["通过12345系统", "Via the 12345 system"],
}
SATISFACTIONS = {
    "satisfied": ["满意", "Satisfied"],
    "basically": ["基本满意", "Basically satisfied"],
    "dissatisfied": ["不满意", "Dissatisfied"],
    "unreachable": ["未能联系上", "Could not be reached"],
}
DISPUTE = ["调解／纠纷", "Mediation / dispute"]
DISPUTE_REMOVED = ["取消纠纷标记", "Dispute flag removed"]
OWNER_NOTES = {
    "complaint.owner.first_contact": ["首诉登记", "Recorded at first contact"],
    "complaint.owner.web": ["网站提交", "Submitted on the web page"],
}


def _code(wording, table):
    return next((code for code, words in table.items() if wording in words), None)


def _match(pattern, text):
    return re.fullmatch(pattern, text, re.DOTALL)


def convert(action, text):
    """The Worded a note of ``action`` is now built from, or None to keep it as written."""
    from complaints import texts
    from supervision import texts as core
    from supervision.texts import with_text

    if action == "handover" and (m := _match(r"→ (?P<person>[^：]+?)(?:：(?P<note>.*))?", text)):
        return with_text(texts.HANDOVER(person=m["person"]), m["note"] or "")
    if action == "assign" and (m := _match(r"(?P<departments>[^：]+?)(?:：(?P<text>.*))?", text)):
        return with_text(core.LIST(items=m["departments"].split("、")), m["text"] or "")
    if action == "reply" and (m := _match(r"(?P<department>[^：]+)：(?P<text>.*)", text)):
        return core.WITH_TEXT(head=m["department"], text=m["text"])
    if action == "determine" and (
        m := _match(r"(?P<label>[^：→]+?)(?:：(?P<categories>.+?))?(?: → (?P<finding>WT\d{4}-\d+))?", text)
    ):
        if (code := _code(m["label"], DETERMINATIONS)) is None:
            return None
        worded = texts.DETERMINATION(value=code)
        if m["categories"]:
            worded = core.WITH_TEXT(head=worded, text=core.LIST(items=m["categories"].split("、")))
        if m["finding"]:
            worded = core.ARROW(head=worded, target=m["finding"])
        return worded
    if action == "answer" and (m := _match(r"(?P<label>[^：]+)：(?P<text>.*)", text)):
        code = _code(m["label"], ANSWER_METHODS)
        return None if code is None else core.WITH_TEXT(head=texts.ANSWER_METHOD(value=code), text=m["text"])
    if action == "close" and (m := _match(r"(?P<label>[^：]+?)(?:：(?P<text>.*))?", text)):
        code = _code(m["label"], SATISFACTIONS)
        return None if code is None else with_text(texts.SATISFACTION(value=code), m["text"] or "")
    if action == "dispute" and (
        m := _match(r"(?P<head>[^：；]+?)(?:：(?P<amount>¥[\d.]+))?(?:；(?P<note>.*))?", text)
    ):
        if m["head"] in DISPUTE:
            worded = with_text(texts.DISPUTE(), m["amount"] or "")
        elif m["head"] in DISPUTE_REMOVED and not m["amount"]:
            worded = texts.DISPUTE_REMOVED()
        else:
            return None
        return core.WITH_NOTE(head=worded, text=m["note"]) if m["note"] else worded
    return None


def notification_titles(apps):
    from complaints import texts
    from supervision.texts import convert_notification_titles

    convert_notification_titles(apps, texts.NOTIFICATION_TITLES)


def forwards(apps, schema_editor):
    notification_titles(apps)
    Transition = apps.get_model("complaints", "ComplaintTransition")
    changed = []
    for row in Transition.objects.filter(comment_key="").exclude(comment="").iterator(chunk_size=500):
        worded = convert(row.action, row.comment)
        if worded is not None:
            row.comment_key, row.comment_params = worded.key, worded.params
            changed.append(row)
    Transition.objects.bulk_update(changed, ["comment_key", "comment_params"], batch_size=500)
    OwnerChange = apps.get_model("complaints", "OwnerChange")
    for key, wordings in OWNER_NOTES.items():
        OwnerChange.objects.filter(note_key="", note__in=wordings).update(note_key=key)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0004_stored_text_keys"), ("supervision", "0009_stored_texts_to_keys")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
