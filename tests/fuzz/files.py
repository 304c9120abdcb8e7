"""Hostile spreadsheet files for the fuzz tests: random cells, malformed xlsx, zip and XML bombs."""

from __future__ import annotations

import csv
import functools
import io
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Any text a user can type or a HIS can export, except lone surrogates (not encodable at all).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
huge_text = st.sampled_from(["长" * 60_000, "A" * 130_000, "=1+1" * 5_000, "\u202e" * 10_000])
# (a CSV cell over 131072 characters is a known core bug, see test_imports.py::test_a_csv_cell_over_the_csv_field_limit)
cell = st.one_of(
    any_text,
    huge_text,
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.none(),
    st.sampled_from(
        ["", " ", "NULL", "是", "否", "临床", "2026-02-30", "13800138000", "０１２", "\x00", "1e309"]
    ),
)


def rows_for(headers: list[str], max_rows: int = 4):
    return st.lists(
        st.lists(cell, min_size=len(headers), max_size=len(headers)), min_size=1, max_size=max_rows
    )


def csv_upload(headers, rows, name="fuzz.csv", encoding="utf-8") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if c is None else str(c) for c in row])
    return SimpleUploadedFile(name, out.getvalue().encode(encoding, "replace"), content_type="text/csv")


def _xlsx_value(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)[:32_000]  # what Excel itself can hold
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    if isinstance(value, int) and abs(value) > 2**53:
        return str(value)
    return value


def xlsx_bytes(headers, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([_xlsx_value(c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_upload(headers, rows, name="fuzz.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(headers, rows))


def _rewrite(xlsx: bytes, replace: dict[str, object]) -> bytes:
    """Copy an xlsx, replacing members: value bytes, or a callable(writer) streaming the member."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            new = replace.get(info.filename)
            if new is None:
                target.writestr(info.filename, source.read(info.filename))
            elif callable(new):
                with target.open(info.filename, "w", force_zip64=True) as handle:
                    new(handle)
            else:
                target.writestr(info.filename, new)
    return buffer.getvalue()


@functools.lru_cache(maxsize=8)
def _zip_bomb(headers: tuple[str, ...], megabytes: int) -> bytes:
    return zip_bomb_xlsx_uncached(list(headers), megabytes=megabytes)


def zip_bomb_xlsx(headers, *, megabytes: int = 260) -> bytes:
    return _zip_bomb(tuple(headers), megabytes)


def zip_bomb_xlsx_uncached(headers, *, megabytes: int = 260) -> bytes:
    """A real workbook whose sheet unpacks to ``megabytes`` MB of XML whitespace (a few hundred KB packed)."""
    xlsx = xlsx_bytes(headers, [])
    sheet = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml")
    head, tail = sheet.split(b"</sheetData>")

    def stream(handle):
        handle.write(head)
        chunk = b" " * (1024 * 1024)
        for _ in range(megabytes):
            handle.write(chunk)
        handle.write(b"</sheetData>" + tail)

    return _rewrite(xlsx, {"xl/worksheets/sheet1.xml": stream})


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"""


def xml_bomb_xlsx(headers, payload: bytes = BILLION_LAUGHS) -> bytes:
    return _rewrite(xlsx_bytes(headers, []), {"xl/worksheets/sheet1.xml": payload})


def broken_files(headers) -> list[tuple[str, bytes]]:
    """Malformed files: not a zip, a truncated zip, a zip without a workbook, wrong encodings."""
    good = xlsx_bytes(headers, [["x"] * len(headers)])
    empty_zip = io.BytesIO()
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return [
        ("empty.xlsx", b""),
        ("garbage.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4),
        ("truncated.xlsx", good[: len(good) // 2]),
        ("renamed.xlsx", b"%PDF-1.4 not a spreadsheet"),
        ("not-a-workbook.xlsx", empty_zip.getvalue()),
        ("utf16.csv", ",".join(headers).encode("utf-16")),
        ("binary.csv", bytes(range(256)) * 8),
        ("picture.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("only-headers.xlsx", xlsx_bytes(["nonsense"], [])),
    ]
