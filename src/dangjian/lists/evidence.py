"""Checks on evidence uploads: size, count, and the type read from the file's first
bytes (a renamed .exe is not a photo, whatever its name says). Photos lose the location
in their EXIF data unless the uploader chooses to keep it (burden rules: no accidental
traces)."""

import hashlib
import io
import os
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import EvidenceKind

MAX_FILES = 9

# extension -> (content type, kind, magic test)
_TYPES = {
    ".jpg": ("image/jpeg", EvidenceKind.PHOTO, lambda h: h.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", EvidenceKind.PHOTO, lambda h: h.startswith(b"\xff\xd8\xff")),
    ".png": ("image/png", EvidenceKind.PHOTO, lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ".gif": ("image/gif", EvidenceKind.PHOTO, lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", EvidenceKind.PHOTO, lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    ".pdf": ("application/pdf", EvidenceKind.DOCUMENT, lambda h: h.startswith(b"%PDF-")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", EvidenceKind.DOCUMENT,
              lambda h: h.startswith(b"PK\x03\x04")),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", EvidenceKind.DOCUMENT,
              lambda h: h.startswith(b"PK\x03\x04")),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", EvidenceKind.DOCUMENT,
              lambda h: h.startswith(b"PK\x03\x04")),
}

ACCEPT = ",".join(sorted(_TYPES))


def max_bytes():
    return int(getattr(settings, "DANGJIAN_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


class CheckedFile:
    def __init__(self, upload, name, content_type, kind, size, sha256):
        self.upload, self.name, self.content_type, self.kind = upload, name, content_type, kind
        self.size, self.sha256 = size, sha256

    @property
    def storage_name(self):
        return uuid.uuid4().hex + os.path.splitext(self.name)[1].lower()


GPS_IFD = 0x8825  # the EXIF tag that holds the GPS block (latitude, longitude, altitude)
_PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def without_location(upload, content_type):
    """The photo with its EXIF GPS block removed, or the upload itself when it holds none.
    A JPEG keeps its quantisation tables (`quality="keep"`), so the picture is unchanged."""
    from PIL import Image

    fmt = _PIL_FORMATS.get(content_type)
    if fmt is None:
        return upload
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            exif = image.getexif()
            if GPS_IFD not in exif:
                return upload
            del exif[GPS_IFD]
            out = io.BytesIO()
            options = {"quality": "keep"} if fmt == "JPEG" else {}
            image.save(out, format=fmt, exif=exif.tobytes(), **options)
    except (OSError, ValueError, SyntaxError):  # a photo Pillow cannot re-encode keeps no GPS we can read either
        return upload
    finally:
        upload.seek(0)
    return SimpleUploadedFile(getattr(upload, "name", "photo"), out.getvalue(), content_type=content_type)


def check_files(files, *, keep_location=False):
    """Validate uploads; return CheckedFile objects or raise ValidationError on `files`.
    Photos lose their EXIF location unless `keep_location`."""
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("每次最多上传%(n)d个文件。") % {"n": MAX_FILES}})
    checked, errors = [], []
    limit = max_bytes()
    for upload in files:
        name = os.path.basename(getattr(upload, "name", "") or "file")[:200]
        size = getattr(upload, "size", None)
        if size is None:
            upload.seek(0, os.SEEK_END)
            size = upload.tell()
        if size > limit:
            errors.append(_("“%(name)s”超过%(mb)dMB的上限。") % {"name": name, "mb": limit // (1024 * 1024)})
            continue
        if size == 0:
            errors.append(_("“%(name)s”是空文件。") % {"name": name})
            continue
        ext = os.path.splitext(name)[1].lower()
        upload.seek(0)
        head = upload.read(16)
        spec = _TYPES.get(ext)
        if spec is None or not spec[2](head):
            errors.append(_("“%(name)s”的类型不受支持（可上传照片JPG/PNG/GIF/WEBP或PDF、Word、Excel、PPT文件）。")
                          % {"name": name})
            continue
        upload.seek(0)
        if spec[1] == EvidenceKind.PHOTO and not keep_location:
            upload = without_location(upload, spec[0])
            size = upload.size
        digest = hashlib.sha256()
        for chunk in iter(lambda: upload.read(1024 * 1024), b""):
            digest.update(chunk)
        upload.seek(0)
        checked.append(CheckedFile(upload, name, spec[0], spec[1], size, digest.hexdigest()))
    if errors:
        raise ValidationError({"files": errors})
    return checked
