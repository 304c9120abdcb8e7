"""manage.py build_report."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from .helpers import flat, pdf_text


def run(*args) -> str:
    out = io.StringIO()
    call_command("build_report", *args, stdout=out)
    return out.getvalue()


def test_monthly_pdf(seeded, tmp_path, need_poppler):
    out = tmp_path / "m.pdf"
    message = run("--kind", "monthly", "--period", "2026-10", "--format", "pdf", "--out", str(out))
    assert str(out) in message
    text = flat(pdf_text(out))
    assert "2026年10月月报" in text and "本期共发现各类服务问题7起" in text
    assert [p.name for p in tmp_path.iterdir()] == ["m.pdf"]  # no temporary file left


def test_annual_xlsx(seeded, tmp_path):
    out = tmp_path / "a.xlsx"
    run("--kind", "annual", "--period", "2026", "--format", "xlsx", "--out", str(out))
    wb = load_workbook(out)
    assert wb.worksheets[1].title.endswith("年度工作总结")


def test_range_for_one_department(seeded, tmp_path, need_poppler):
    out = tmp_path / "r.pdf"
    run(
        "--kind",
        "range",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--department",
        "NK",
        "--out",
        str(out),
    )
    text = flat(pdf_text(out))
    assert "本期共发现各类服务问题4起" in text and "内科" in text


@pytest.mark.parametrize(
    "args",
    [
        ("--kind", "monthly", "--period", "2026-13"),
        ("--kind", "annual", "--period", "last"),
        ("--kind", "range", "--from", "2026-10-31", "--to", "2026-10-01"),
        ("--kind", "range", "--from", "2026-10-01"),
        ("--kind", "range", "--from", "2026-10-01", "--to", "2026-10-31", "--department", "NOPE"),
    ],
)
def test_bad_arguments_are_clear_errors(db, tmp_path, args):
    with pytest.raises(CommandError):
        run(*args, "--out", str(tmp_path / "x.pdf"))
    assert not list(tmp_path.iterdir())
