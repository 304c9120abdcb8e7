"""Small pieces of running text that differ by language."""

from collections.abc import Iterable

from django.utils.translation import pgettext


def list_separator() -> str:
    """Between the items of a list in running text: "、" in Chinese, ", " in English."""
    return pgettext("list separator", ", ")


def join_list(items: Iterable) -> str:
    return list_separator().join(str(item) for item in items)
