"""The import pipeline's own messages (file, header and cell errors), stored as key + parameters.

A refused row's error and a file error are kept in ``ImportRun.errors`` (and a background job's
report) as a message key and its parameters and worded when shown, in the reader's language
(``supervision.infra.wording``). An import specification's own messages live in its app's
``texts.py``. The core's ``supervision/texts.py`` imports this module, so the keys are known
wherever texts are worded.
"""

from django.utils.translation import gettext_lazy

from ..wording import Message, Worded, render

# The file as a whole (reader).
CSV_ENCODING = Message("import.csv_encoding", gettext_lazy("The CSV file is neither UTF-8 nor GBK encoded."))
EMPTY = Message("import.empty", gettext_lazy("The file is empty."))
TOO_LARGE = Message(
    "import.too_large", gettext_lazy("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
)
CSV_LINE = Message(
    "import.csv_line",
    gettext_lazy("Line %(line)s of the CSV file cannot be read (%(reason)s); nothing was imported."),
)
CSV_CELL_TOO_LONG = Message(
    "import.csv_cell_too_long", gettext_lazy("a cell is longer than %(n)s characters")
)
CSV_MALFORMED = Message("import.csv_malformed", gettext_lazy("malformed CSV"))
NOT_XLSX = Message(
    "import.not_xlsx",
    gettext_lazy("This is not an Excel .xlsx file (perhaps another file renamed to .xlsx)."),
)
XLSX_UNREADABLE = Message(
    "import.xlsx_unreadable", gettext_lazy("The Excel file cannot be read; save it again as .xlsx and retry.")
)
WRONG_TYPE = Message("import.wrong_type", gettext_lazy("Upload an Excel (.xlsx) or CSV (.csv) file."))
ZIP_BOMB = Message(
    "import.zip_bomb", gettext_lazy("The Excel file unpacks to an unreasonable size and was refused.")
)
MISSING_COLUMNS = Message(
    "import.missing_columns",
    gettext_lazy("Missing columns: %(missing)s. Download the template to see the expected columns."),
    lists=("missing",),
)
DUPLICATE_COLUMNS = Message(
    "import.duplicate_columns", gettext_lazy("Columns appear twice: %(cols)s."), lists=("cols",)
)
UNKNOWN_COLUMNS = Message(
    "import.unknown_columns",
    gettext_lazy("Unknown columns: %(cols)s. Download the template to see the expected columns."),
    lists=("cols",),
)

# The rows (pipeline).
REQUIRED = Message("import.required", gettext_lazy("This column is required."))
TOO_MANY_ROWS = Message("import.too_many_rows", gettext_lazy("More than %(max)s rows; split the file."))
NO_DATA = Message("import.no_data", gettext_lazy("The file has a header row but no data."))
FAILED = Message("import.failed", gettext_lazy("The import failed unexpectedly; nothing was written."))

# The cells (cells, cleaning).
TOO_LONG = Message("import.too_long", gettext_lazy("At most %(n)s characters."))
NOT_A_DATE = Message("import.not_a_date", gettext_lazy("“%(value)s” is not a date (use 2026-03-01)."))
NOT_YES_NO = Message("import.not_yes_no", gettext_lazy("“%(value)s” is not yes or no: write 是 or 否."))
NOT_A_WHOLE_NUMBER = Message("import.not_a_whole_number", gettext_lazy("“%(value)s” is not a whole number."))
# A choice outside the list, the list as the labels of the values stored in ``allowed`` when the
# spec names the choices class (``not_one_of(cls)``), else as the words given.
NOT_ONE_OF = Message(
    "import.not_one_of", gettext_lazy("“%(value)s” is not one of: %(allowed)s."), lists=("allowed",)
)
BAD_PHONE = Message(
    "import.bad_phone",
    gettext_lazy("“%(value)s” is not a valid phone number (mobile 1xxxxxxxxxx or landline with area code)."),
)


def not_one_of(key: str, choices) -> Message:
    """The "not one of" message of one ``TextChoices`` class: the allowed labels in the reader's
    language (declared in the app's texts.py: ``not_one_of("import.not_position", StaffPosition)``)."""
    return Message(key, NOT_ONE_OF.template, choices={"allowed": choices})


# --- how a message is stored and shown ------------------------------------------------------------


def stored(text) -> dict:
    """A message as kept in ``ImportRun.errors`` and a job's report: ``{"key", "params"}`` for a
    ``Worded``, ``{"message"}`` for words (a foreign system's reason, a row from before keys)."""
    if isinstance(text, Worded):
        return {"key": text.key, "params": text.params}
    return {"message": str(text)}


def shown(entry) -> str:
    """A stored message (``stored``'s dict, or plain words) in the active language; a row from
    before keys, or one the data migration could not read back, as written."""
    if not isinstance(entry, dict):
        return str(entry or "")
    return render(entry.get("key", ""), entry.get("params"), fallback=entry.get("message", ""))


def shown_errors(errors) -> list[dict]:
    """Stored row errors as ``{"row", "column", "message"}`` worded in the active language."""
    return [
        {"row": e.get("row", 0), "column": e.get("column", ""), "message": shown(e)} for e in errors or ()
    ]
