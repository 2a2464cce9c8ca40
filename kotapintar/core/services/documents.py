"""Uploads: type sniffed from content, size-limited, stored under random names outside every public
root, served only through `views.document_download`, which checks who asks."""

import hashlib
import io
import secrets
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kotapintar.core.models import City, Document
from kotapintar.core.selectors import user_is_official
from kotapintar.core.services.audit import audit_record

DEFAULT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
CHUNK = 64 * 1024


def _check_wellformed(mime: str, data: bytes) -> bool:
    if mime == "application/pdf":
        return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]
    if mime.startswith("image/"):
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except Exception:
            return False
    return True


def document_path(document: Document) -> Path:
    return Path(settings.DOCUMENTS_ROOT) / str(document.city_id) / document.storage_name


def upload_read(file, *, allowed_types=DEFAULT_TYPES, max_bytes: int | None = None) -> tuple[bytes, str]:
    """Read an upload within the size limit and return (content, type sniffed from the content).

    Raises ValidationError (codes too_large, empty, bad_type, malformed) with a message for the user.
    """
    max_bytes = max_bytes or settings.KOTAPINTAR_UPLOAD_MAX_BYTES
    buffer = io.BytesIO()
    for chunk in file.chunks(CHUNK) if hasattr(file, "chunks") else iter(lambda: file.read(CHUNK), b""):
        buffer.write(chunk)
        if buffer.tell() > max_bytes:
            raise ValidationError(_("The file is larger than %(max)s.") % {"max": filesizeformat(max_bytes)},
                                  code="too_large")
    data = buffer.getvalue()
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    kind_guess = filetype.guess(data[:8192])
    mime = kind_guess.mime if kind_guess else "application/octet-stream"
    if mime not in allowed_types:
        allowed = ", ".join(sorted(t.split("/")[-1].upper() for t in allowed_types))
        raise ValidationError(_("This file type is not accepted (its content is %(found)s); allowed: %(allowed)s.")
                              % {"found": mime, "allowed": allowed}, code="bad_type")
    if not _check_wellformed(mime, data):
        raise ValidationError(_("The file is damaged or incomplete."), code="malformed")
    return data, mime


def document_store(
    *, city: City, uploaded_by, file, kind: str = "", allowed_types=DEFAULT_TYPES,
    max_bytes: int | None = None, subject=None,
) -> Document:
    """Validate and store one uploaded file. Nothing is written when a check fails."""
    data, mime = upload_read(file, allowed_types=allowed_types, max_bytes=max_bytes)
    document = Document(
        city=city, uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None,
        kind=kind, original_name=Path(getattr(file, "name", "") or "upload").name[:255], content_type=mime,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), storage_name=secrets.token_hex(20),
        subject=subject,
    )
    path = document_path(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        with transaction.atomic():
            document.save()
            audit_record(city=city, actor=uploaded_by, action="document.upload", target=document,
                         data={"kind": kind, "type": mime, "size": len(data), "sha256": document.sha256})
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return document


def document_can_view(user, document: Document) -> bool:
    """The uploader, the city's officials, platform superusers, and whoever the document's subject
    names through its `document_visible_to(user)` method (e.g. a permit's holder) may see it."""
    if not user.is_authenticated:
        return False
    if document.uploaded_by_id == user.pk or user.is_superuser or user_is_official(user, document.city):
        return True
    visible_to = getattr(document.subject, "document_visible_to", None)
    return bool(visible_to and visible_to(user))
