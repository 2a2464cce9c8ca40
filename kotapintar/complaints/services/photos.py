"""Report photos: sniffed by content, size-limited, and re-encoded without their metadata (EXIF GPS
position, camera serial, time), so that a photo never reveals more than the report itself."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from kotapintar.core.services.documents import upload_read

PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
MAX_PHOTOS = 3


def photo_clean(file) -> ContentFile:
    """Read an uploaded photo and return a clean copy (same format, upright, no metadata)."""
    data, mime = upload_read(file, allowed_types=PHOTO_TYPES, max_bytes=PHOTO_MAX_BYTES)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise ValidationError(_("The photo is too large (at most 40 megapixels)."), code="too_large")
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if mime == "image/jpeg":
                upright.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
                name = "photo.jpg"
            else:
                upright.save(out, "PNG", optimize=True)
                name = "photo.png"
    except (OSError, Image.DecompressionBombError):
        raise ValidationError(_("The file is damaged or incomplete."), code="malformed") from None
    return ContentFile(out.getvalue(), name=name)


def photos_clean(files) -> list[ContentFile]:
    files = [f for f in files or [] if f]
    if len(files) > MAX_PHOTOS:
        raise ValidationError(_("At most %(n)d photos per report.") % {"n": MAX_PHOTOS})
    return [photo_clean(f) for f in files]
