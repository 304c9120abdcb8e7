"""Texts the application stored already worded, in the actor's language, become key + parameters.

- Notification titles the core writes (Chinese or English) become a message key + parameters; the
  channels convert their own titles in their own migrations.
- History change reasons: a finding's creation has no reason any more (the history's type says it;
  the page showed "创建 · 创建"); an order's reason is its action's code, worded when shown.
- Descriptions the application wrote into findings: a chart audit's heading ("Problem chart … grade
  B." / "问题病历 …") and a complaint's ("投诉 TS2026-000001（有效）：…"); the text written stays
  in ``description`` (it is what is searched).
- An order's extension-request note ("2026-12-20：理由"): the date is worded for the reader.

Anything that matches no known wording is kept as written and still shown as written. The history
reasons' wordings are frozen here as they were.
"""

from django.db import migrations

CREATED = ["创建", "Created"]
ORDER_REASONS = {
    "issue": ["已下发", "Issued", "下发", "Issue"],
    "acknowledge": ["签收", "Acknowledge"],
    "submit": ["提交整改", "Submit rectification"],
    "verify": ["验收销号", "Verify and close"],
    "return": ["退回重改", "Return for rework"],
    "request_extension": ["申请延期", "Request deadline extension"],
    "grant_extension": ["同意延期", "Grant extension"],
    "refuse_extension": ["不同意延期", "Refuse extension"],
}


def convert(source, text):
    """(key, params) for a description the application wrote, or None to keep it as written."""
    from supervision import texts as core
    from supervision.infra.wording import message, unword

    if source == "chart_audit":
        heading, _, rest = text.partition("\n")
        found = unword(heading, [message("chart_audit.problem_chart")])
        if found is None:
            return None
        worded = {"key": found[0], "params": found[1]}
        return (core.LINES.key, {"head": worded, "text": rest}) if rest else found
    if source == "complaint":
        return unword(text, [message("complaint.finding")])
    return None



def notification_titles(apps):
    from supervision import texts

    texts.convert_notification_titles(apps, texts.NOTIFICATION_TITLES)


def history_reasons(apps):
    HistoricalFinding = apps.get_model("supervision", "HistoricalFinding")
    HistoricalFinding.objects.filter(history_type="+", history_change_reason__in=CREATED).update(
        history_change_reason=None
    )
    HistoricalOrder = apps.get_model("supervision", "HistoricalRectificationOrder")
    for code, wordings in ORDER_REASONS.items():
        HistoricalOrder.objects.filter(history_change_reason__in=wordings).update(history_change_reason=code)


def finding_descriptions(apps):
    Finding = apps.get_model("supervision", "Finding")
    changed = []
    rows = Finding.objects.filter(source__in=["chart_audit", "complaint"], description_key="")
    for finding in rows.only("pk", "source", "description").iterator(chunk_size=500):
        found = convert(finding.source, finding.description)
        if found is not None:
            finding.description_key, finding.description_params = found
            changed.append(finding)
    Finding.objects.bulk_update(changed, ["description_key", "description_params"], batch_size=500)


def extension_requests(apps):
    """An extension request's note was "2026-12-20：理由" (an ISO date, a Chinese colon)."""
    import re

    from supervision import texts

    OrderTransition = apps.get_model("supervision", "OrderTransition")
    changed = []
    rows = OrderTransition.objects.filter(action="request_extension", comment_key="").exclude(comment="")
    for row in rows.iterator(chunk_size=500):
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})：(.*)", row.comment, re.DOTALL)
        if match:
            worded = texts.with_text(texts.DATE(date=match[1]), match[2])
            row.comment_key, row.comment_params = worded.key, worded.params
            changed.append(row)
    OrderTransition.objects.bulk_update(changed, ["comment_key", "comment_params"], batch_size=500)


def forwards(apps, schema_editor):
    notification_titles(apps)
    history_reasons(apps)
    finding_descriptions(apps)
    extension_requests(apps)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0008_stored_text_keys")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
