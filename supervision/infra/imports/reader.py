"""The reader of every import: an .xlsx or .csv file checked and read safely, its headers checked,
and the downloadable template workbooks.

A file as a whole that cannot be read raises ``ImportFileError`` (nothing was written).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import texts

# XML bombs: calamine's XML reader (quick-xml) expands no DTD entity, and openpyxl (the fallback)
# parses with defusedxml, a dependency. Zip bombs are refused by ``_check_archive`` before either
# reader sees the file.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 1_000_000


class ImportFileError(ValidationError):
    """The file as a whole cannot be read; nothing was written. ``worded``: the message as key +
    parameters (``texts``), stored with the run and worded when shown."""

    def __init__(self, worded):
        self.worded = worded
        super().__init__(str(worded))


def _decode_csv(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(texts.CSV_ENCODING())


def _cell(value):
    if isinstance(value, str):
        # A NUL character in a cell means nothing, and PostgreSQL can store it neither in text
        # nor in the JSON error report: dropped as the rows are read.
        value = value.replace("\x00", "").strip() if "\x00" in value else value.strip()
        return value if value != "" else None
    return value


def _csv_reason(exc: csv.Error):
    if "field larger than field limit" in str(exc):
        return texts.CSV_CELL_TOO_LONG(n=csv.field_size_limit())
    return texts.CSV_MALFORMED()


def iter_rows(source, name: str):
    """Return (headers, rows iterator) from an .xlsx or .csv file object or path.

    An .xlsx sheet is parsed at once in Rust (python-calamine) and handed out row by row."""
    if isinstance(source, str | Path):
        name = str(source)
        source = open(source, "rb")  # noqa: SIM115 - closed by the caller's file lifetime
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    if size == 0:
        raise ImportFileError(texts.EMPTY())
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            texts.TOO_LARGE(size=size // 1048576, limit=settings.IMPORT_MAX_BYTES // 1048576)
        )
    lower = (name or "").lower()
    head = source.read(4)
    source.seek(0)
    if lower.endswith(".csv"):
        text = _decode_csv(source.read())
        reader = csv.reader(io.StringIO(text))
        # Parsed here in full (the text is already in memory and bounded by IMPORT_MAX_BYTES) so
        # that a malformed line — a cell beyond the csv module's field limit, a stray NUL — is
        # one clear file error before anything is written, not an exception halfway through.
        try:
            parsed = [row for row in reader if any(row)]
        except csv.Error as exc:
            raise ImportFileError(texts.CSV_LINE(line=reader.line_num, reason=_csv_reason(exc))) from None
        if not parsed:
            raise ImportFileError(texts.EMPTY())
        headers, *rows = parsed
        return [str(h).strip() for h in headers], ([_cell(c) for c in row] for row in rows)
    if lower.endswith((".xlsx", ".xlsm")) or head == b"PK\x03\x04":
        if head != b"PK\x03\x04":
            raise ImportFileError(texts.NOT_XLSX())
        try:
            has_error_cells = _check_archive(source)
            source.seek(0)
            # python-calamine (Rust) reads the sheet ~25× faster than openpyxl's read-only mode;
            # openpyxl is kept for workbooks holding error cells (#N/A …), which calamine turns
            # into empty cells: openpyxl reads them as their text, so they stay row errors.
            rows = _openpyxl_rows(source) if has_error_cells else _calamine_rows(source)
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(texts.XLSX_UNREADABLE()) from None
        try:
            headers = next(rows)
        except StopIteration:
            raise ImportFileError(texts.EMPTY()) from None
        headers = [str(h).strip() if h is not None else "" for h in headers]
        while headers and headers[-1] == "":
            headers.pop()
        width = len(headers)
        return headers, (
            [_cell(c) for c in row[:width]] for row in rows if any(c not in (None, "") for c in row)
        )
    raise ImportFileError(texts.WRONG_TYPE())


_ERROR_CELL_MARKS = (b't="e"', b"t='e'")


def _check_archive(source) -> bool:
    """Refuse a zip bomb before any XML is parsed; tell whether a worksheet holds error cells.

    The declared sizes are checked first (cheap). Then every member is read through ``zipfile``,
    which stops at the declared size and checks the CRC: an archive that under-declares a
    member's size (to pass the first check) fails here, bounded, instead of being unpacked in
    full by the Rust reader. Costs about 0.2 s per 100,000 rows.
    """
    with zipfile.ZipFile(source) as archive:
        infos = archive.infolist()
        if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
            raise ImportFileError(texts.ZIP_BOMB())
        has_error_cells = False
        for info in infos:
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            tail = b""
            with archive.open(info) as member:
                while chunk := member.read(1 << 20):
                    if sheet and not has_error_cells:
                        window = tail + chunk
                        has_error_cells = any(mark in window for mark in _ERROR_CELL_MARKS)
                        tail = chunk[-8:]
    return has_error_cells


def _openpyxl_rows(source):
    import openpyxl

    book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    return book.worksheets[0].iter_rows(values_only=True)


_EXACT_FLOAT = float(2**53)
_MIDNIGHT = dt.time()


def _calamine_rows(source):
    """Rows of the first worksheet from A1, with the cell types openpyxl gives.

    calamine holds the sheet's cells in Rust (about 100 MB at 100,000 rows × 13 columns) and
    converts one row at a time to Python. It answers whole numbers as floats (58.0 → 58, as
    openpyxl reads ``<v>58</v>``), dates as ``date`` (→ ``datetime`` at midnight, as openpyxl)
    and empty cells as "" (→ None in ``_cell``); the header is always the sheet's row 1.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    book = CalamineWorkbook.from_filelike(source)
    kinds = [meta.typ for meta in book.sheets_metadata]
    index = kinds.index(SheetTypeEnum.WorkSheet) if SheetTypeEnum.WorkSheet in kinds else 0
    sheet = book.get_sheet_by_index(index)
    return _converted(sheet)


def _converted(sheet):
    start = sheet.start
    if start is None:  # no used cell
        return
    # iter_rows() yields the empty rows above the first used cell but starts each row at the
    # first used column: put the columns to its left back.
    pad = [None] * start[1]
    date, combine = dt.date, dt.datetime.combine
    for row in sheet.iter_rows():
        yield pad + [
            (int(c) if c.is_integer() and -_EXACT_FLOAT <= c <= _EXACT_FLOAT else c)
            if type(c) is float
            else (combine(c, _MIDNIGHT) if type(c) is date else c)
            for c in row
        ]


def check_headers(headers: list[str], *, required: list[str], optional: list[str] = ()) -> None:
    missing = [h for h in required if h not in headers]
    if missing:
        raise ImportFileError(texts.MISSING_COLUMNS(missing=missing))
    duplicated = sorted({h for h in headers if h and headers.count(h) > 1})
    if duplicated:
        raise ImportFileError(texts.DUPLICATE_COLUMNS(cols=duplicated))
    unknown = [h for h in headers if h and h not in required and h not in optional]
    if unknown:
        raise ImportFileError(texts.UNKNOWN_COLUMNS(cols=unknown))


def template_workbook(headers: list[str], example: list | None = None) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Import")
    sheets = [sheet]
    if example:
        # The example lives on a sheet of its own, which is never imported: an example row on the
        # imported sheet, uploaded as downloaded, would become a real person or department.
        sample = book.create_sheet(_("Example (not imported)"))
        sheets.append(sample)
    for target in sheets:
        target.append(headers)
        for cell in target[1]:
            cell.font = Font(bold=True)
        for i, header in enumerate(headers, 1):
            target.column_dimensions[openpyxl.utils.get_column_letter(i)].width = max(12, 2 * len(header) + 4)
        target.freeze_panes = "A2"
    if example:
        sample.append(example)
        sample.append([])
        sample.append([_("Fill in the first sheet; only the first sheet is imported.")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def count_rows(source, file_name: str) -> int | None:
    """A cheap estimate of the data rows for a progress bar (xlsx dimension or CSV lines)."""
    try:
        if file_name.lower().endswith(".csv"):
            source.seek(0)
            return max(0, sum(1 for _line in source) - 1)
        import openpyxl

        source.seek(0)
        book = openpyxl.load_workbook(source, read_only=True)
        rows = book.worksheets[0].max_row
        book.close()
        return max(0, (rows or 1) - 1)
    except Exception:
        return None
    finally:
        source.seek(0)
