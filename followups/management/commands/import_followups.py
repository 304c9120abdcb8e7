from followups.importing import history_import

from ._importcmd import ImportCommand


class Command(ImportCommand):
    help = "Import past follow-up records (住院号, 出院日期, 回访日期, 回访结果, 回访人 …)."
    run = staticmethod(history_import)
