"""Checks on uploaded photos and files, for every module that keeps them (lists' evidence,
duties' activity files): size, count, and the type read from the file's first bytes (a
renamed .exe is not a photo, whatever its name says). Photos lose the location in their
EXIF data unless the uploader chooses to keep it (burden rules: no accidental traces).

Nothing is written here: `check_files` validates everything first and returns
`CheckedFile`s, so a refused upload leaves nothing behind; the caller's service stores
them (`CheckedFile.storage_name` is a fresh random name with the checked extension)."""

import hashlib
import io
import os
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

MAX_FILES = 9

# The two kinds every module stores (lists.EvidenceKind and duties.FileKind use these values).
PHOTO = "photo"
DOCUMENT = "document"


def _jpeg(head):
    return head.startswith(b"\xff\xd8\xff")


def _zip(head):
    return head.startswith(b"PK\x03\x04")


# extension -> (content type, kind, magic test)
_TYPES = {
    ".jpg": ("image/jpeg", PHOTO, _jpeg),
    ".jpeg": ("image/jpeg", PHOTO, _jpeg),
    ".png": ("image/png", PHOTO, lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ".gif": ("image/gif", PHOTO, lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", PHOTO, lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    ".pdf": ("application/pdf", DOCUMENT, lambda h: h.startswith(b"%PDF-")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", DOCUMENT, _zip),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", DOCUMENT, _zip),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", DOCUMENT, _zip),
}

ACCEPT = ",".join(sorted(_TYPES))  # the `accept=` of a file input taking photos and documents
PHOTO_ACCEPT = ",".join(sorted(ext for ext, spec in _TYPES.items() if spec[1] == PHOTO))


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


def check_files(files, *, keep_location=False, field="files", max_files=MAX_FILES):
    """Validate uploads; return CheckedFile objects or raise ValidationError on `field`.
    Photos lose their EXIF location unless `keep_location`."""
    files = [f for f in (files or []) if f]
    if len(files) > max_files:
        raise ValidationError({field: _("每次最多上传%(n)d个文件。") % {"n": max_files}})
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
        if spec[1] == PHOTO and not keep_location:
            upload = without_location(upload, spec[0])
            size = upload.size
        digest = hashlib.sha256()
        for chunk in iter(lambda: upload.read(1024 * 1024), b""):
            digest.update(chunk)
        upload.seek(0)
        checked.append(CheckedFile(upload, name, spec[0], spec[1], size, digest.hexdigest()))
    if errors:
        raise ValidationError({field: errors})
    return checked


def store(checked, make):
    """Save each checked file as a row: `make(item)` returns the unsaved row (its FileField
    named `file`); the file goes to storage under a fresh name, then the row is saved."""
    rows = []
    for item in checked:
        row = make(item)
        row.file.save(item.storage_name, item.upload, save=False)
        row.save()
        rows.append(row)
    return rows


# Form fields ----------------------------------------------------------------------------

class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (optional photos and documents); cleans to a list."""

    def __init__(self, *args, accept=ACCEPT, capture=None, **kwargs):
        attrs = {"accept": accept}
        if capture:
            attrs["capture"] = capture  # a phone opens its camera for this input
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []
