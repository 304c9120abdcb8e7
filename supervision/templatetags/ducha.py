"""Template filters shared by every app: masking, percentages, Chinese number formats."""

from django import template
from django.utils.formats import number_format

from supervision import privacy

register = template.Library()


@register.filter
def mask_phone(value):
    return privacy.mask_phone(value)


@register.filter
def mask_id(value):
    return privacy.mask_id_number(value)


@register.filter
def mask_name(value):
    return privacy.mask_name(value)


@register.filter
def pct(value, digits=1):
    """A percentage figure (already ×100) as '92.3%'; '—' for None (no data, not zero)."""
    if value is None or value == "":
        return "—"
    return f"{number_format(value, int(digits))}%"


@register.filter
def pp(value, digits=1):
    """A change in percentage points with its sign: '+2.1 个百分点' is built by the template."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{number_format(value, int(digits))}"
