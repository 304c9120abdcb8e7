"""Import departments from an Excel (.xlsx) or CSV file: all-or-nothing, row-level errors."""

from supervision.management.importing import ImportCommand


class Command(ImportCommand):
    kind = "departments"
