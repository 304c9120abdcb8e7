"""A background import job's report (``ImportJob.report``) kept its refused rows and its file error
worded in the worker's language; they become message keys + parameters like ``ImportRun.errors``
(the same frozen wordings and reading as migration ``supervision 0024``), worded when the job's
page is read. Anything else is kept as written and shown as written."""

import importlib

from django.db import migrations


def job_reports(apps):
    runs = importlib.import_module("supervision.migrations.0024_import_errors_to_keys")
    ImportJob = apps.get_model("followups", "ImportJob")
    changed = []
    for job in ImportJob.objects.exclude(report={}).only("pk", "kind", "report").iterator(chunk_size=200):
        report = dict(job.report)
        errors = runs.convert_errors(job.kind, report.get("errors"))
        if errors:
            report["errors"] = errors
        file_error = report.get("file_error")
        if isinstance(file_error, str) and file_error:
            converted = runs.convert_error(job.kind, {"message": file_error})
            if "key" in converted:
                report["file_error"] = converted
        if report != job.report:
            job.report = report
            changed.append(job)
    ImportJob.objects.bulk_update(changed, ["report"], batch_size=200)
    return len(changed)


def forwards(apps, schema_editor):
    job_reports(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0011_calling_hours"),
        ("supervision", "0024_import_errors_to_keys"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
