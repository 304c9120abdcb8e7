"""QR posters per department: PNG (Pillow) and PDF (WeasyPrint, CJK font embedded)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import qrcode
from django.template.loader import render_to_string
from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)


def _font(size: int):
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            # index 2 of the collection is Simplified Chinese (SC) in Debian's fonts-noto-cjk.
            try:
                return ImageFont.truetype(path, size=size, index=2)
            except OSError:
                return ImageFont.truetype(path, size=size)
    return ImageFont.load_default(size=size)


def qr_image(url: str, box_size: int = 14) -> Image.Image:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    qr_image(url, box_size=10).save(buffer, format="PNG")
    return buffer.getvalue()


def poster_png(*, url: str, title: str, department: str, lines: list[str]) -> bytes:
    """An A4 portrait poster at 150 dpi: title, department, QR code, instructions."""
    width, height = 1240, 1754
    poster = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(poster)

    def centred(text: str, y: int, size: int, fill="#0b5e7a") -> int:
        font = _font(size)
        box = draw.textbbox((0, 0), text, font=font)
        draw.text(((width - (box[2] - box[0])) / 2, y), text, font=font, fill=fill)
        return y + (box[3] - box[1]) + size // 2

    y = centred(title, 110, 72)
    y = centred(department, y + 20, 60, fill="#222222")
    code = qr_image(url)
    side = 760
    code = code.resize((side, side), Image.NEAREST)
    poster.paste(code, ((width - side) // 2, y + 40))
    y = y + 40 + side + 50
    for line in lines:
        y = centred(line, y, 40, fill="#333333")
    centred(url, height - 120, 26, fill="#666666")
    buffer = io.BytesIO()
    poster.save(buffer, format="PNG", dpi=(150, 150))
    return buffer.getvalue()


def poster_pdf(*, url: str, title: str, department: str, lines: list[str], hospital: str) -> bytes:
    from weasyprint import HTML

    data_uri = "data:image/png;base64," + base64.b64encode(qr_png(url)).decode()
    html = render_to_string(
        "surveys/poster_pdf.html",
        {
            "url": url,
            "title": title,
            "department": department,
            "lines": lines,
            "qr": data_uri,
            "hospital": hospital,
        },
    )
    return HTML(string=html).write_pdf()
