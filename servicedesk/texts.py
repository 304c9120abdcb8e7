"""Texts the service desk stores as a key + parameters and words when shown (``supervision.infra.wording``)."""

from django.utils.translation import gettext_lazy

from supervision.infra.imports.texts import not_one_of
from supervision.infra.wording import Message

from .models import KnowledgeKind

# A refused row of the knowledge-base import (ImportRun.errors).
IMPORT_REPEATED_TITLE = Message(
    "import.repeated_title", gettext_lazy("Row %(row)s repeats “%(title)s” of row %(first)s.")
)
IMPORT_UNKNOWN_USER = Message("import.unknown_user", gettext_lazy("No active user “%(name)s”."))
IMPORT_NOT_KNOWLEDGE_KIND = not_one_of("import.not_knowledge_kind", KnowledgeKind)
