"""The whole-string fast path for chart labels (reports/svgtext.py) draws what WeasyPrint draws."""

from __future__ import annotations

import importlib
import logging
import shutil
import subprocess

import pytest
import weasyprint

from reports import svgtext
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


def _png(pdf, tmp_path, name) -> bytes:
    prefix = tmp_path / name
    subprocess.run(
        [shutil.which("pdftoppm"), "-r", "72", "-png", "-singlefile", str(pdf), str(prefix)], check=True
    )
    return (tmp_path / f"{name}.png").read_bytes()


def test_fast_path_is_active_on_the_checked_weasyprint_version():
    assert weasyprint.__version__.split(".")[0] in svgtext.CHECKED_MAJORS
    assert svgtext.install() is True
    assert svg_package.TAGS["text"] is svg_package.text
    assert svg_package.text.__wrapped__ is svg_text.text


def test_chart_labels_drawn_whole_are_pixel_identical_to_weasyprints_own_and_extractable(
    tmp_path, monkeypatch, need_poppler, caplog
):
    svgtext.install()
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
    svgtext.install()
    calls = []
    original = svg_package.text.__wrapped__

    def spy(svg, node, font_size):
        calls.append(node.text)
        return original(svg, node, font_size)

    # the fast path hands over to the function it wraps: install it again around the spy
    monkeypatch.setattr(svg_text, "text", spy)
    monkeypatch.setattr(svg_package, "text", spy)
    monkeypatch.setitem(svg_package.TAGS, "text", spy)
    assert svgtext.install()
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
    assert svgtext.install() is False
    assert before == svg_package.TAGS


@pytest.fixture(autouse=True)
def _restore_weasyprint():
    """Each test leaves WeasyPrint's SVG module as it found it."""
    text, tags = svg_package.text, dict(svg_package.TAGS)
    yield
    svg_package.text = text
    svg_package.TAGS.clear()
    svg_package.TAGS.update(tags)
