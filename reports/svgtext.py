"""A whole-string fast path for WeasyPrint's SVG ``<text>``, used by the report charts.

Why: WeasyPrint (checked on 70.x) lays out and draws SVG text one character at a time — a Pango
layout, a text object and a font switch per letter — so that per-letter ``x``/``dx``/``rotate``
lists work. The report charts (``reports/charts.py``) never use those: each label is one
``<text>`` with a single ``x`` and ``y``, an anchor and maybe a ``transform``. Laying such a label
out once, as a browser does, draws the same glyphs (whole-string shaping; CJK has no kerning to
lose) and took 13 % off the PDF time of a monthly report (docs/performance.md).

The fast path only takes a ``<text>`` without per-letter positioning, spacing, baseline or
child elements; anything else goes to WeasyPrint's own function unchanged. It is installed only
on the WeasyPrint major versions it was checked against (``CHECKED_MAJORS``); on any other
version ``install()`` does nothing and the PDF is drawn letter by letter as before.
"""

from __future__ import annotations

import importlib
from math import inf

CHECKED_MAJORS = {"70"}

# Attributes that need WeasyPrint's per-letter path.
_PER_LETTER = frozenset(
    {
        "dx",
        "dy",
        "rotate",
        "textLength",
        "lengthAdjust",
        "letter-spacing",
        "direction",
        "display-anchor",
        "dominant-baseline",
        "alignment-baseline",
    }
)


def _single(value: str | None) -> bool:
    """One coordinate, not a per-letter list."""
    if value is None:
        return True
    parts = value.replace(",", " ").split()
    return len(parts) <= 1


def install() -> bool:
    """Install the fast path (once); return whether it is active."""
    import weasyprint

    if weasyprint.__version__.split(".")[0] not in CHECKED_MAJORS:
        return False
    svg_package = importlib.import_module("weasyprint.svg")
    svg_text = importlib.import_module("weasyprint.svg.text")
    current = getattr(svg_package, "text", None)
    if getattr(current, "ducha_fast_path", False):
        return True
    original = svg_text.text
    if current is not original:
        return False  # the module layout changed: leave WeasyPrint alone

    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.utils import size
    from weasyprint.text.line_break import split_first_line

    def text(svg, node, font_size):
        attrib = node.attrib
        if (
            not node.text
            or _PER_LETTER.intersection(attrib)
            or not _single(attrib.get("x"))
            or not _single(attrib.get("y"))
            or any(True for _child in node)
        ):
            return original(svg, node, font_size)
        style = svg_text.Style()
        style.update(INITIAL_VALUES)
        style.font_config = svg.font_config
        style["font_family"] = [f.strip("\"'") for f in node.get("font-family", "sans-serif").split(",")]
        style["font_style"] = node.get("font-style", "normal")
        weight = node.get("font-weight", 400)
        if weight == "normal":
            weight = 400
        elif weight == "bold":
            weight = 700
        try:
            style["font_weight"] = int(weight)
        except ValueError:
            style["font_weight"] = 400
        style["font_size"] = font_size
        layout, _length, _resume, width, height, baseline = split_first_line(
            node.text, style, svg.context, inf, 0
        )
        x = size(attrib["x"], font_size, svg.inner_width) if "x" in attrib else svg.cursor_position[0]
        y = size(attrib["y"], font_size, svg.inner_height) if "y" in attrib else svg.cursor_position[1]
        svg.cursor_position = x + width, y
        # The bounding box is what text-anchor shifts by (WeasyPrint's draw_node reads it).
        node.text_bounding_box = extend_bounding_box(
            node.text_bounding_box, ((x, y - baseline), (x + width, y - baseline + height))
        )
        svg.stream.push_state()
        fill, stroke = svg.set_graphical_state(node, font_size)
        svg.stream.begin_text()
        layout.reactivate(style)
        svg.fill_stroke(fill, stroke, text=True)
        box = svg_text.TextBox(layout, style)
        box.baseline = baseline
        emojis = draw_first_line(svg.stream, box, "none", "none", Matrix(d=-1, e=x, f=y))
        svg.stream.end_text()
        svg.stream.pop_state()
        if emojis:
            from weasyprint.draw.text import draw_emojis

            draw_emojis(svg.stream, style, x, y, emojis)
        return None

    text.__wrapped__ = original
    text.ducha_fast_path = True
    # draw_node recognises text nodes by identity with the module-level ``text`` function, and the
    # TAGS table dispatches to it: both must point at the fast path.
    for tag, handler in list(svg_package.TAGS.items()):
        if handler is original:
            svg_package.TAGS[tag] = text
    svg_package.text = text
    return True
