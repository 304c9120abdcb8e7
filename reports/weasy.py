"""Two speed-ups of WeasyPrint for the report PDFs, each guarded and each with a fallback.

1. **Chart labels laid out whole.** WeasyPrint (checked on 70.x) lays out and draws SVG text one
   character at a time — a Pango layout, a text object and a font switch per letter — so that
   per-letter ``x``/``dx``/``rotate`` lists work. The report charts (``reports/charts.py``) never
   use those: each label is one ``<text>`` with a single ``x`` and ``y``, an anchor and maybe a
   ``transform``. Laying such a label out once, as a browser does, draws the same pixels
   (compared in tests/reports/test_weasy.py). ``install()`` puts this fast path in front of
   WeasyPrint's function; any ``<text>`` with per-letter positioning, spacing, baseline or child
   elements still goes to WeasyPrint's own code.
2. **The report HTML parsed by expat.** WeasyPrint parses HTML with tinyhtml5, a pure-Python
   HTML5 parser that spends ~0.2 s on a 130 KB report; the report template is written as
   well-formed XHTML, so the C XML parser reads it in milliseconds (``html_document``). If the
   markup is ever not well-formed, the HTML5 parser is used and a warning is logged.

Both rely on WeasyPrint internals, so both are used only on the major versions they were checked
against (``CHECKED_MAJORS``); on any other version the PDF is made exactly as before. Measured
effect in docs/performance.md ("Report PDFs").
"""

from __future__ import annotations

import functools
import importlib
import logging
import xml.etree.ElementTree as ET  # nosec B405 # parses our own template output, never user files
from math import inf

logger = logging.getLogger(__name__)

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


def checked() -> bool:
    import weasyprint

    return weasyprint.__version__.split(".")[0] in CHECKED_MAJORS


def _single(value: str | None) -> bool:
    """One coordinate, not a per-letter list."""
    if value is None:
        return True
    parts = value.replace(",", " ").split()
    return len(parts) <= 1


def install() -> bool:
    """Install the fast path (once); return whether it is active."""
    if not checked():
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


def html_document(html: str):
    """A ``weasyprint.HTML`` of ``html``, parsed by expat when the markup is well-formed XHTML."""
    from weasyprint import HTML

    if checked():
        try:
            root = ET.fromstring(html)  # noqa: S314 # nosec B314 # our template's output, not user input
        except ET.ParseError as exc:
            logger.warning("Report HTML is not well-formed XML (%s); using WeasyPrint's HTML parser.", exc)
        else:
            return _parsed_html_class()(root)
    return HTML(string=html, base_url=None)


@functools.cache
def _parsed_html_class():
    import cssselect2
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class ParsedHTML(HTML):
        """``HTML`` from an element tree already parsed; sets what ``HTML.__init__`` sets."""

        def __init__(self, root):  # WeasyPrint's own __init__ would parse a string again
            self.base_url = None
            self.url_fetcher = URLFetcher()
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

    return ParsedHTML
