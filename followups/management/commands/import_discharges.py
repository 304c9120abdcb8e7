from followups.importing import discharges_import

from ._importcmd import ImportCommand


class Command(ImportCommand):
    help = "Import discharged stays from an HIS export (all-or-nothing; re-importing changes nothing)."
    run = staticmethod(discharges_import)
