"""Chinese numbers as the hospital's documents write them: 12,345 (three-digit groups with a comma).

Django's zh_Hans leaves the separator empty (and groups by four), so a count forced into groups
(``number_format(..., force_grouping=True)``, ``intcomma``) came out as 12345. Only the grouping is
set here; dates and everything else stay Django's Chinese formats. ``USE_THOUSAND_SEPARATOR`` stays
off, so numbers are grouped only where a page or text asks for it.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
