"""core.uploads: the type is read from the first bytes, limits hold, and photos lose their
GPS block unless the uploader keeps it."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dangjian.core import uploads


def jpeg_with_location():
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[uploads.GPS_IFD] = {1: "N", 2: (32.0, 1.0, 0.0), 3: "E", 4: (120.0, 52.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def _exif(data):
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return exif.get_ifd(uploads.GPS_IFD), exif.get(0x010F)


def test_a_photo_loses_its_location_and_keeps_the_rest():
    [item] = uploads.check_files([SimpleUploadedFile("现场.jpg", jpeg_with_location())])
    assert (item.kind, item.content_type, item.name) == (uploads.PHOTO, "image/jpeg", "现场.jpg")
    data = item.upload.read()
    assert _exif(data) == ({}, "TestCam")
    assert item.size == len(data)
    import hashlib

    assert item.sha256 == hashlib.sha256(data).hexdigest()


def test_the_uploader_may_keep_the_location():
    [item] = uploads.check_files([SimpleUploadedFile("现场.jpg", jpeg_with_location())], keep_location=True)
    gps, _make = _exif(item.upload.read())
    assert gps[1] == "N"


def test_the_type_comes_from_the_bytes_not_the_name():
    exe = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00" + b"\x00" * 60)
    with pytest.raises(ValidationError) as caught:
        uploads.check_files([exe], field="photos")
    assert "照片.jpg" in caught.value.message_dict["photos"][0]
    assert "类型不受支持" in caught.value.message_dict["photos"][0]
    [pdf] = uploads.check_files([SimpleUploadedFile("纪要.PDF", b"%PDF-1.4 rest")])
    assert (pdf.kind, pdf.content_type) == (uploads.DOCUMENT, "application/pdf")


def test_limits(settings):
    with pytest.raises(ValidationError, match="最多上传2个"):
        uploads.check_files([SimpleUploadedFile(f"{i}.pdf", b"%PDF-1") for i in range(3)], max_files=2)
    settings.DANGJIAN_EVIDENCE_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="超过1MB"):
        uploads.check_files([SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * (1024 * 1024))])
    with pytest.raises(ValidationError, match="空文件"):
        uploads.check_files([SimpleUploadedFile("空.pdf", b"")])
    assert uploads.check_files([]) == [] and uploads.check_files(None) == []


def test_the_form_field_takes_several_files_and_asks_the_camera_when_told():
    field = uploads.MultipleFileField(required=False, accept=uploads.PHOTO_ACCEPT, capture="environment")
    html = field.widget.render("photos", None)
    assert 'capture="environment"' in html and "multiple" in html and ".jpg" in html and ".pdf" not in html
    files = [SimpleUploadedFile("a.pdf", b"%PDF-1"), SimpleUploadedFile("b.pdf", b"%PDF-1")]
    assert len(field.clean(files)) == 2 and field.clean([]) == []
