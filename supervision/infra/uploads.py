"""Upload checks: by content, not by the name or the browser's claimed type.

Images are re-encoded with Pillow, which drops EXIF (GPS location included) while keeping
the orientation the camera recorded; PDFs must start with the PDF signature.
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

IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
# Decompression bombs: refuse anything above ~50 megapixels (a phone photo is 12–48).
Image.MAX_IMAGE_PIXELS = 50_000_000


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
        with Image.open(upload) as image:
            image_format = image.format
            if image_format not in IMAGE_FORMATS:
                raise UnidentifiedImageError
            image.load()
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if image_format == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
            else:
                image.save(out, image_format)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise ValidationError(
            _("%(name)s is not a JPEG, PNG or WebP photo or a PDF document.") % {"name": upload.name}
        ) from None
    content_type, ext = IMAGE_FORMATS[image_format]
    return CleanUpload(name=f"{stem}.{ext}", content_type=content_type, data=out.getvalue())
