"""The .xlsx reader of every import (``supervision.infra.imports.iter_rows``).

It parses with python-calamine (Rust) for speed; the importers were written against openpyxl's
read-only reader, so these tests hold calamine's rows to what openpyxl gives for the same file,
and check the safeties around it: lying zip sizes, error cells, cells away from A1.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

import openpyxl
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervision.infra.imports import ImportFileError, iter_rows, reader
from tests.fuzz import files


def _book(cells: dict[str, object]) -> bytes:
    book = openpyxl.Workbook()
    for ref, value in cells.items():
        book.active[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(content: bytes, name: str = "f.xlsx"):
    headers, rows = iter_rows(io.BytesIO(content), name)
    return headers, [list(r) for r in rows]


def _reference(content: bytes):
    """What iter_rows gave when it read with openpyxl (the importers' contract)."""
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    headers = [str(h).strip() if h is not None else "" for h in next(rows)]
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    return headers, [
        [reader._cell(c) for c in row[:width]] for row in rows if any(c not in (None, "") for c in row)
    ]


def _without_openpyxl(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was used to read an ordinary workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_ordinary_workbooks_are_read_by_calamine_with_openpyxl_types(monkeypatch):
    content = _book(
        {
            "A1": " 住院号 ",
            "B1": "年龄",
            "C1": "入院日期",
            "D1": "时间",
            "E1": "联系电话",
            "F1": "比例",
            "G1": "在职",
            "A2": "ZY1",
            "B2": 56,
            "C2": dt.date(2026, 3, 1),
            "D2": dt.datetime(2026, 3, 1, 10, 30),
            "E2": 13800138000,
            "F2": 0.5,
            "G2": True,
            "A4": "  ZY2 ",
            "B4": 1e20,
        }
    )
    expected = _reference(content)
    _without_openpyxl(monkeypatch)
    headers, rows = _rows(content)
    assert (headers, rows) == expected
    assert headers == ["住院号", "年龄", "入院日期", "时间", "联系电话", "比例", "在职"]
    first, second = rows  # the empty row 3 is skipped
    assert first == [
        "ZY1",
        56,
        dt.datetime(2026, 3, 1),
        dt.datetime(2026, 3, 1, 10, 30),
        13800138000,
        0.5,
        True,
    ]
    assert type(first[1]) is int and type(first[4]) is int and type(first[2]) is dt.datetime
    assert second == ["ZY2", 1e20, None, None, None, None, None]


def test_the_header_is_row_1_and_columns_keep_their_places(monkeypatch):
    # Data starting at B3: row 1 (empty) is the header row, as with openpyxl, so the file is
    # refused for its missing columns instead of being read from another row.
    away = _book({"B3": "住院号", "C3": "姓名", "B4": "ZY1", "C4": "张伟"})
    shifted = _book({"B1": "住院号", "C1": "姓名", "B2": "ZY1", "C2": "张伟"})
    expected_away, expected_shifted = _reference(away), _reference(shifted)
    _without_openpyxl(monkeypatch)
    assert _rows(away) == expected_away
    assert _rows(away)[0] == []
    assert _rows(shifted) == expected_shifted == (["", "住院号", "姓名"], [[None, "ZY1", "张伟"]])


def test_error_cells_are_read_as_their_text_not_as_blanks():
    # calamine turns #N/A into an empty cell; such a workbook is read by openpyxl instead, so a
    # #N/A in a phone column stays a row error rather than silently becoming "no phone".
    content = _book({"A1": "联系电话", "B1": "姓名", "A2": "#N/A", "B2": "张伟"})
    assert b't="e"' in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert _rows(content) == (["联系电话", "姓名"], [["#N/A", "张伟"]])


def test_an_error_cell_in_a_discharge_file_is_a_row_error(neike):
    from followups.importing import DISCHARGE_HEADERS, discharges_import

    row = ["ZY1", "张伟", "男", 56, "#N/A", "", "内科", "", "", "2026-03-01", "2026-03-08", "", "1"]
    book = openpyxl.Workbook()
    book.active.append(DISCHARGE_HEADERS)
    book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    report = discharges_import(source=out, file_name="his.xlsx", actor=None)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(2, "联系电话")], report.errors
    assert "#N/A" in report.errors[0].message


def _under_declare(content: bytes, member: str, declared: int) -> bytes:
    """Rewrite the zip so that ``member`` claims to unpack to ``declared`` bytes."""
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(member)
    assert data[info.header_offset : info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        (name_length,) = struct.unpack_from("<H", data, at + 28)
        if bytes(data[at + 46 : at + 46 + name_length]) == name:
            struct.pack_into("<I", data, at + 24, declared)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def test_a_zip_that_under_declares_a_member_size_is_refused_unread(monkeypatch):
    headers = ["住院号", "姓名"]
    xlsx = files.xlsx_bytes(headers, [])
    sheet = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml")
    head, tail = sheet.split(b"</sheetData>")
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>ZY%d</t></is></c></row>' % (n, n, n)
        for n in range(2, 50_000)
    )
    bomb = files._rewrite(xlsx, {"xl/worksheets/sheet1.xml": head + rows + b"</sheetData>" + tail})
    lying = _under_declare(bomb, "xl/worksheets/sheet1.xml", 2048)
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(lying)).infolist()) < 50_000

    import python_calamine

    opened = []
    real = python_calamine.CalamineWorkbook.from_filelike
    monkeypatch.setattr(
        python_calamine.CalamineWorkbook, "from_filelike", lambda f: opened.append(f) or real(f)
    )
    with translation.override("zh-hans"), pytest.raises(ImportFileError) as caught:
        iter_rows(io.BytesIO(lying), "lying.xlsx")
    assert caught.value.messages == ["无法读取该 Excel 文件，请另存为 .xlsx 后重试。"]
    assert opened == []  # refused before the Rust reader, which would unpack it in full


_cells = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1)),
    # Whole seconds: Excel stores a time as a fraction of a day, and below a millisecond the two
    # readers round that float differently (found by this test: 450 µs → 0 vs 1 ms). HIS exports
    # carry seconds at most, and the importers use dates.
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.none(),
)


@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_cells, min_size=3, max_size=3), min_size=1, max_size=5))
def test_random_workbooks_read_the_same_as_with_openpyxl(rows):
    content = files.xlsx_bytes(["a", "b", "c"], rows)
    assert _rows(content) == _reference(content)
