"""Mutated photos (issue 15 item 6): whatever bytes a phone or an attacker sends, the upload check
answers with a cleaned picture or a message in the user's language, never an exception of Pillow's.
The photos are made here; the mutations hit the EXIF block (where Pillow's parser and its rewrite
while turning the picture raised struct.error, TypeError, …) and anywhere in the file."""

from __future__ import annotations

import io
import os
import warnings

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from supervision.infra.uploads import CleanUpload, clean_upload

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30")) * 10  # one photo is a few milliseconds


def _phone_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # turned: Pillow rewrites the EXIF block while turning it upright
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}
    exif[0x8769] = {0x9003: "2026:12:01 09:30:00"}
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "JPEG", exif=exif, comment=b"note")
    return out.getvalue()


PHOTO = _phone_jpeg()
EXIF_START = PHOTO.index(b"Exif\x00\x00")
EXIF_END = EXIF_START + int.from_bytes(PHOTO[EXIF_START - 2 : EXIF_START], "big") - 2


def _mutate(positions: list[tuple[int, int]]) -> bytes:
    data = bytearray(PHOTO)
    for position, value in positions:
        data[position] = value
    return bytes(data)


def _check(data: bytes) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns on every corrupt tag; the answer is what counts
        try:
            result = clean_upload(SimpleUploadedFile("phone.jpg", data, content_type="image/jpeg"))
        except ValidationError as refused:
            assert "phone.jpg" in refused.messages[0]
            return
    assert isinstance(result, CleanUpload)
    assert not Image.open(io.BytesIO(result.data)).getexif()


@settings(max_examples=EXAMPLES)
@given(
    st.lists(st.tuples(st.integers(EXIF_START + 6, EXIF_END), st.integers(0, 255)), min_size=1, max_size=6)
)
def test_a_photo_with_mutated_exif_is_cleaned_or_refused_with_a_message(positions):
    _check(_mutate(positions))


@settings(max_examples=EXAMPLES)
@given(st.lists(st.tuples(st.integers(0, len(PHOTO) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_a_photo_mutated_anywhere_is_cleaned_or_refused_with_a_message(positions):
    _check(_mutate(positions))


@settings(max_examples=EXAMPLES // 3)
@given(st.integers(1, len(PHOTO) - 1))
def test_a_truncated_photo_is_cleaned_or_refused_with_a_message(length):
    _check(PHOTO[:length])
