"""The whole-string fast path for chart labels (reports/weasy.py) draws what WeasyPrint draws."""

from __future__ import annotations

import importlib
import logging
import shutil
import subprocess

import pytest
import weasyprint
from django.test import override_settings

from reports import weasy
from reports.charts import render_svg
from reports.content import Chart, Series

from .helpers import flat, pdf_text

svg_package = importlib.import_module("weasyprint.svg")
svg_text = importlib.import_module("weasyprint.svg.text")


def _chart() -> Chart:
    labels = [f"{m}月" for m in range(1, 13)]
    values = [88.0, 90.5, 91.0, 86.0, 92.5, 93.0, 89.5, 94.0, 90.0, 91.5, 95.0, 70.0]
    return Chart("run", "内科：满意度月度趋势", labels, [Series("满意度", values)], "%", True, None)


def _html(extra: str = "") -> str:
    return (
        '<html><head><style>body{font-family:"Noto Sans CJK SC"}</style></head><body>'
        f"<figure>{render_svg(_chart())}</figure>{extra}</body></html>"
    )


def _png(pdf, tmp_path, name, page=1) -> bytes:
    prefix = tmp_path / f"{name}-{page}"
    pages = ["-f", str(page), "-l", str(page)]
    subprocess.run(
        [shutil.which("pdftoppm"), "-r", "72", "-png", "-singlefile", *pages, str(pdf), str(prefix)],
        check=True,
    )
    return prefix.with_suffix(".png").read_bytes()


def test_fast_path_is_active_on_the_checked_weasyprint_version():
    assert weasyprint.__version__.split(".")[0] in weasy.CHECKED_MAJORS
    assert weasy.install() is True
    assert svg_package.TAGS["text"] is svg_package.text
    assert svg_package.text.__wrapped__ is svg_text.text


def test_chart_labels_drawn_whole_are_pixel_identical_to_weasyprints_own_and_extractable(
    tmp_path, monkeypatch, need_poppler, caplog
):
    weasy.install()
    caplog.set_level(logging.ERROR, logger="weasyprint")
    fast_pdf = tmp_path / "fast.pdf"
    weasyprint.HTML(string=_html()).write_pdf(fast_pdf)
    original = svg_package.text.__wrapped__
    monkeypatch.setattr(svg_package, "text", original)
    monkeypatch.setitem(svg_package.TAGS, "text", original)
    slow_pdf = tmp_path / "slow.pdf"
    weasyprint.HTML(string=_html()).write_pdf(slow_pdf)

    assert not caplog.records  # no "Failed to render SVG image"
    assert _png(fast_pdf, tmp_path, "fast") == _png(slow_pdf, tmp_path, "slow")
    text = flat(pdf_text(fast_pdf))
    assert "内科：满意度月度趋势" in text and "12月" in text


def test_text_with_per_letter_positions_still_goes_through_weasyprint(tmp_path, monkeypatch, caplog):
    weasy.install()
    calls = []
    original = svg_package.text.__wrapped__

    def spy(svg, node, font_size):
        calls.append(node.text)
        return original(svg, node, font_size)

    # the fast path hands over to the function it wraps: install it again around the spy
    monkeypatch.setattr(svg_text, "text", spy)
    monkeypatch.setattr(svg_package, "text", spy)
    monkeypatch.setitem(svg_package.TAGS, "text", spy)
    assert weasy.install()
    caplog.set_level(logging.ERROR, logger="weasyprint")
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">'
        '<text x="10 20 30" y="20" font-family="Noto Sans CJK SC" font-size="12">甲乙丙</text>'
        '<text x="10" y="35" dx="2" font-family="Noto Sans CJK SC" font-size="12">丁戊</text>'
        '<text x="100" y="35" font-family="Noto Sans CJK SC" font-size="12">己庚</text></svg>'
    )
    weasyprint.HTML(string=f"<html><body>{svg}</body></html>").write_pdf(tmp_path / "x.pdf")
    assert calls == ["甲乙丙", "丁戊"]
    assert not caplog.records


def test_unchecked_weasyprint_version_is_left_alone(monkeypatch):
    original = svg_text.text
    monkeypatch.setattr(svg_package, "text", original)
    monkeypatch.setitem(svg_package.TAGS, "text", original)
    monkeypatch.setattr(weasyprint, "__version__", "999.0")
    before = dict(svg_package.TAGS)
    assert weasy.install() is False
    assert before == svg_package.TAGS


@pytest.fixture(autouse=True)
def _restore_weasyprint():
    """Each test leaves WeasyPrint's SVG module as it found it."""
    text, tags = svg_package.text, dict(svg_package.TAGS)
    yield
    svg_package.text = text
    svg_package.TAGS.clear()
    svg_package.TAGS.update(tags)


# --- the report HTML parsed by expat ----------------------------------------------------------


def _annual_html():
    import datetime as dt

    from reports.builders import build_content
    from reports.pdf import render_html

    return render_html(
        build_content(
            kind="annual", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), today=dt.date(2026, 11, 23)
        )
    )


@override_settings(HOSPITAL_NAME="A&B <人民> 医院")
def test_report_html_is_well_formed_xhtml_even_with_markup_in_the_hospital_name(seeded):
    from xml.etree import ElementTree as ET  # nosec B405 # our own output

    root = ET.fromstring(_annual_html())  # noqa: S314 # nosec B314
    assert root.tag == "html"
    assert root.find(".//{http://www.w3.org/2000/svg}svg") is not None


@override_settings(HOSPITAL_NAME="A&B <人民> 医院")
def test_expat_and_weasyprints_html5_parser_give_the_same_pdf(seeded, tmp_path, need_poppler, caplog):
    caplog.set_level(logging.WARNING, logger="reports.weasy")
    html = _annual_html()
    weasy.install()
    fast_pdf, slow_pdf = tmp_path / "fast.pdf", tmp_path / "slow.pdf"
    document = weasy.html_document(html)
    document.write_pdf(fast_pdf)
    weasyprint.HTML(string=html).write_pdf(slow_pdf)
    assert not caplog.records  # no fallback to the HTML5 parser
    assert type(document) is not weasyprint.HTML
    assert pdf_text(fast_pdf) == pdf_text(slow_pdf)
    assert "A&B<人民>医院" in flat(pdf_text(fast_pdf))
    for page in (1, 2, 5):
        assert _png(fast_pdf, tmp_path, "f", page) == _png(slow_pdf, tmp_path, "s", page), page


def test_markup_that_is_not_xml_falls_back_to_the_html5_parser_with_a_warning(caplog):
    caplog.set_level(logging.WARNING, logger="reports.weasy")
    document = weasy.html_document("<html><body><p>未闭合<br></body></html>")
    assert type(document) is weasyprint.HTML
    assert "not well-formed" in caplog.text
