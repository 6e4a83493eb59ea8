"""Residents' photos: it must be an image Pillow can read (JPEG, PNG or WebP), under the size
cap, at most MAX_PHOTOS; it is re-encoded so no metadata survives (EXIF, including the GPS
block) unless the resident ticked "share location", in which case the file is kept as sent."""

import hashlib
import io
import os
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

MAX_PHOTOS = 4
MAX_PIXELS = 40_000_000
_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}


def max_bytes():
    return int(getattr(settings, "DANGJIAN_REQUEST_PHOTO_MAX_BYTES", 5 * 1024 * 1024))


class CheckedPhoto:
    def __init__(self, content, content_type, ext):
        self.content, self.content_type, self.ext = content, content_type, ext
        self.size = len(content)
        self.sha256 = hashlib.sha256(content).hexdigest()

    def as_file(self):
        return ContentFile(self.content, name=uuid.uuid4().hex + self.ext)


def _read(upload):
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    upload.seek(0)
    return data


def _clean(data, keep_metadata):
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            if fmt not in _FORMATS or image.width * image.height > MAX_PIXELS:
                raise ValueError(fmt)
            image.load()
            if keep_metadata:
                return data, fmt
            out = io.BytesIO()
            clean = image.copy()
            for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "Raw profile type exif"):
                clean.info.pop(key, None)  # metadata a later save could copy back (XMP can hold GPS too)
            options = {"quality": 90} if fmt == "JPEG" else {}
            if fmt == "JPEG" and clean.mode not in ("RGB", "L", "CMYK"):
                clean = clean.convert("RGB")
            clean.save(out, format=fmt, **options)  # no exif= argument: the metadata is gone
            return out.getvalue(), fmt


def check_photos(photos, *, share_location=False):
    """Checked photos, or ValidationError on `photos`."""
    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("最多上传%(n)d张照片。") % {"n": MAX_PHOTOS}})
    checked, errors = [], []
    limit = max_bytes()
    for upload in photos:
        name = os.path.basename(getattr(upload, "name", "") or "photo")[:100]
        data = _read(upload)
        if len(data) > limit:
            errors.append(_("“%(name)s”超过%(mb)dMB的上限。") % {"name": name, "mb": limit // (1024 * 1024)})
            continue
        if not data:
            errors.append(_("“%(name)s”是空文件。") % {"name": name})
            continue
        try:
            content, fmt = _clean(data, share_location)
        except Exception:  # noqa: BLE001  (whatever Pillow raises, it is not a photo we accept)
            errors.append(_("“%(name)s”不是可识别的照片（可上传JPG、PNG或WEBP）。") % {"name": name})
            continue
        content_type, ext = _FORMATS[fmt]
        checked.append(CheckedPhoto(content, content_type, ext))
    if errors:
        raise ValidationError({"photos": errors})
    return checked
