"""Photos from outside (issue 15 items 5, 6, 11, 12): the pixel limit read from the header, damaged
EXIF refused with a message, every text segment stripped, multi-picture JPEGs accepted."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

from supervision.infra import uploads
from supervision.infra.uploads import clean_upload
from supervision.models import Category, Finding
from tests.factories import moment

SECRET = "SECRET-留言-13800138000"


def _upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _jpeg_turned_with_exif() -> bytes:
    """A phone-like JPEG: orientation 6 (turned), a maker and a GPS block."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _damage_exif(data: bytes, offset: int, value: int) -> bytes:
    """One byte of the EXIF block (counted from its "Exif" signature) replaced."""
    start = data.index(b"Exif\x00\x00")
    damaged = bytearray(data)
    damaged[start + offset] = value
    return bytes(damaged)


# --- item 5: the pixel limit ----------------------------------------------------------------------


def test_pillow_guard_and_ours_name_the_same_limit():
    assert uploads.MAX_IMAGE_PIXELS == 50_000_000
    assert Image.MAX_IMAGE_PIXELS == uploads.MAX_IMAGE_PIXELS


def test_a_picture_over_50_megapixels_is_refused_before_a_pixel_is_decoded(monkeypatch):
    # 8000 × 6500 = 52 MP in a 6 KB PNG: Pillow alone only warns up to 100 MP and decodes it.
    out = io.BytesIO()
    Image.new("1", (8000, 6500)).save(out, "PNG")
    decoded = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or original_load(self)
    )
    with pytest.raises(ValidationError) as refused:
        clean_upload(_upload(out.getvalue(), "plan.png"))
    assert "50" in refused.value.messages[0]
    assert "plan.png" in refused.value.messages[0]
    assert decoded == []


def test_a_picture_over_twice_the_limit_gets_the_same_message():
    # Pillow itself raises above 2× its limit, before our check: the user reads the same words.
    header = io.BytesIO()
    Image.new("1", (11000, 10000)).save(header, "PNG")
    with pytest.raises(ValidationError) as refused:
        clean_upload(_upload(header.getvalue(), "huge.png"))
    assert "50" in refused.value.messages[0]


# --- item 6: damaged EXIF -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "value"),
    # Single bytes of the EXIF block that make Pillow raise struct.error and TypeError while it turns
    # the picture (found by fuzzing 3,000 mutated JPEGs); tests/fuzz/test_photos.py draws more.
    [(17, 0), (71, 0)],
)
def test_a_photo_with_damaged_exif_is_refused_with_a_message(offset, value):
    damaged = _damage_exif(_jpeg_turned_with_exif(), offset, value)
    with pytest.raises(ValidationError) as refused:
        clean_upload(_upload(damaged, "ward.jpg"))
    assert "ward.jpg" in refused.value.messages[0]
    assert "EXIF" in refused.value.messages[0]


def test_the_finding_form_keeps_the_text_when_the_photo_has_damaged_exif(client_for, volunteer, neike):
    damaged = _damage_exif(_jpeg_turned_with_exif(), 71, 0)
    response = client_for(volunteer).post(
        reverse("finding_create"),
        {
            "department": neike.pk,
            "category": Category.objects.get(code="hygiene").pk,
            "severity": "minor",
            **moment("found_at", "2026-11-20 09:30"),
            "description": "三楼卫生间地面湿滑，无警示牌",
            "files": [_upload(damaged, "ward.jpg")],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "三楼卫生间地面湿滑，无警示牌" in page
    assert "ward.jpg" in page and "EXIF" in page
    assert not Finding.objects.exists()


def test_a_turned_photo_with_sound_exif_is_still_turned_upright():
    cleaned = clean_upload(_upload(_jpeg_turned_with_exif()))
    image = Image.open(io.BytesIO(cleaned.data))
    assert image.size == (30, 40)
    assert not image.getexif()


# --- item 11: no text segment survives ------------------------------------------------------------


def _jpeg_with_comment_and_xmp() -> bytes:
    out = io.BytesIO()
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{SECRET}</dc:creator></x:xmpmeta>'
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG", comment=SECRET.encode(), xmp=xmp.encode())
    return out.getvalue()


def _png_with_text_chunks() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "SECRET-留言-13800138000".encode("latin-1", "replace").decode("latin-1"))
    info.add_text("Comment", SECRET, zip=True)  # zTXt/iTXt
    info.add_itxt("Description", SECRET, lang="zh", tkey="说明")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _webp_with_metadata() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = SECRET  # ImageDescription
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "WEBP", exif=exif, xmp=f"<x>{SECRET}</x>".encode())
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("a.jpg", _jpeg_with_comment_and_xmp),
        ("a.png", _png_with_text_chunks),
        ("a.webp", _webp_with_metadata),
    ],
)
def test_no_text_the_file_carried_survives_the_re_encoding(name, make):
    data = make()
    assert b"SECRET" in data or SECRET.encode() in data  # the file really carries it (zTXt: compressed)
    cleaned = clean_upload(_upload(data, name))
    assert b"SECRET" not in cleaned.data
    assert SECRET.encode() not in cleaned.data
    image = Image.open(io.BytesIO(cleaned.data))
    assert "comment" not in image.info and "xmp" not in image.info
    assert not getattr(image, "text", {})


# --- item 12: multi-picture JPEG ------------------------------------------------------------------


def test_a_multi_picture_jpeg_is_stored_as_its_first_picture():
    first = Image.new("RGB", (40, 30), (250, 0, 0))
    second = Image.new("RGB", (20, 15), (0, 0, 250))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    cleaned = clean_upload(_upload(out.getvalue(), "depth.jpg"))
    assert cleaned.content_type == "image/jpeg"
    assert cleaned.name == "depth.jpg"
    image = Image.open(io.BytesIO(cleaned.data))
    assert image.format == "JPEG"
    assert image.size == (40, 30)
    red, _green, blue = image.getpixel((20, 15))
    assert red > 200 and blue < 50
    assert getattr(image, "n_frames", 1) == 1
