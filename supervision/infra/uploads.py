"""Upload checks: by content, not by the name or the browser's claimed type.

Images are re-encoded with Pillow into a fresh picture that carries none of the file's
metadata: no EXIF (GPS location included), no XMP, no JPEG comment, no PNG text chunk —
only the pixels, turned the way the camera recorded, and the colour profile. PDFs must start
with the PDF signature.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Formats accepted, by what Pillow reads in the file → (content type, extension, format written).
# MPO is the multi-picture JPEG some phones take (a photo plus a depth or preview picture):
# its first picture is the photo, stored as a plain JPEG.
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg", "JPEG"),
    "MPO": ("image/jpeg", "jpg", "JPEG"),
    "PNG": ("image/png", "png", "PNG"),
    "WEBP": ("image/webp", "webp", "WEBP"),
}
# Decompression bombs: refuse anything above 50 megapixels (a phone photo is 12–48), read from the
# header before a single pixel is decoded. Pillow's own guard only warns between 1× and 2× its
# MAX_IMAGE_PIXELS and raises above 2×; set to the same figure, it stays a second line behind ours.
MAX_IMAGE_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


@dataclass
class CleanUpload:
    name: str
    content_type: str
    data: bytes


def clean_upload(upload: UploadedFile, *, allow_pdf: bool = True) -> CleanUpload:
    max_bytes = settings.ATTACHMENT_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); the limit is %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)}
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    stem = (upload.name or "file").rsplit(".", 1)[0][:200]
    if head.startswith(b"%PDF-"):
        if not allow_pdf:
            raise ValidationError(_("%(name)s: only photos are accepted here.") % {"name": upload.name})
        return CleanUpload(name=f"{stem}.pdf", content_type="application/pdf", data=upload.read())
    try:
        content_type, ext, data = _reencode(upload)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(upload.name) from None
    except Exception:
        # Any other failure inside Pillow on a file from outside (truncated data, an unknown format,
        # a broken chunk: struct.error, TypeError, … seen on mutated files) is a file we cannot read:
        # the user gets a message and keeps the form, never a server error.
        raise ValidationError(
            _("%(name)s is not a JPEG, PNG or WebP photo or a PDF document.") % {"name": upload.name}
        ) from None
    return CleanUpload(name=f"{stem}.{ext}", content_type=content_type, data=data)


def _too_many_pixels(name: str) -> ValidationError:
    return ValidationError(
        _("%(name)s has more than %(limit)s million pixels; send a smaller photo or a screenshot of it.")
        % {"name": name, "limit": MAX_IMAGE_PIXELS // 1_000_000}
    )


def _reencode(upload: UploadedFile) -> tuple[str, str, bytes]:
    with Image.open(upload) as opened:  # reads the header only
        if opened.format not in IMAGE_FORMATS:
            raise UnidentifiedImageError
        content_type, ext, write_as = IMAGE_FORMATS[opened.format]
        width, height = opened.size
        if width * height > MAX_IMAGE_PIXELS:
            raise _too_many_pixels(upload.name)
        opened.seek(0)  # a multi-picture file: its first picture
        opened.load()
        try:
            turned = ImageOps.exif_transpose(opened)
        except Exception:
            # Pillow rewrites the EXIF block while turning the picture; a damaged block raises.
            raise ValidationError(
                _(
                    "%(name)s: the photo's embedded data (EXIF) is damaged. "
                    "Take the photo again, or send a screenshot of it."
                )
                % {"name": upload.name}
            ) from None
        if write_as == "JPEG":
            turned = turned.convert("RGB")
        # A fresh picture with the pixels only: what the file said about itself (JPEG comment, PNG
        # text chunks, XMP, EXIF) does not follow it; a PNG's colour profile and transparency do.
        clean = turned.copy()
        clean.info = {k: turned.info[k] for k in ("icc_profile", "transparency") if k in turned.info}
        out = io.BytesIO()
        if write_as == "JPEG":
            clean.save(out, "JPEG", quality=88, optimize=True)
        else:
            clean.save(out, write_as)
    return content_type, ext, out.getvalue()
