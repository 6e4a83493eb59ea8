"""Activity photos and files: optional, checked by core.uploads (the type from the bytes,
the GPS block stripped), listed on the activity page and the API, downloaded only inside
the scope."""

import datetime
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from dangjian.core.models import AuditEntry
from dangjian.core.tests.test_uploads import jpeg_with_location
from dangjian.duties import services
from dangjian.duties.models import Activity, ActivityFile
from dangjian.testing import PASSWORD, make_user

TODAY = timezone.localdate()


@pytest.fixture
def people(city, branch_world):
    return {"own": make_user("grid_sec", "secretary", branch_world["branch"]),
            "sibling": make_user("other_sec", "secretary", city.branches["b"])}


def _login(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _form(kinds, members, **extra):
    now = timezone.localtime() - datetime.timedelta(minutes=5)
    data = {"kinds": [kinds["theme_day"].pk], "day": now.date().isoformat(), "time": now.strftime("%H:%M"),
            "topic": "重温入党誓词", "place": "网格党建驿站"}
    data.update({f"att_{m.pk}": "present" for m in members})
    data.update(extra)
    return data


def _media_files(settings):
    root = settings.MEDIA_ROOT
    return [name for _dir, _sub, names in os.walk(root) for name in names] if os.path.exists(root) else []


def test_a_photo_taken_at_the_meeting_is_kept_without_its_location(client, kinds, branch_world, people, settings):
    branch, members = branch_world["branch"], branch_world["members"]
    _login(client, people["own"])
    page = client.get(reverse("duties:activity_create", args=[branch.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'capture="environment"' in page and "拍照（可选）" in page
    photo = SimpleUploadedFile("现场.jpg", jpeg_with_location(), content_type="image/jpeg")
    minutes = SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    response = client.post(reverse("duties:activity_create", args=[branch.pk]),
                           _form(kinds, members, photos=[photo], files=[minutes]))
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get()
    stored = {f.name: f for f in activity.files.all()}
    assert set(stored) == {"现场.jpg", "会议纪要.pdf"}
    kept = stored["现场.jpg"]
    assert (kept.kind, kept.content_type, kept.uploaded_by) == ("photo", "image/jpeg", people["own"])
    with kept.file.open("rb") as handle, Image.open(handle) as image:
        exif = image.getexif()
        assert exif.get_ifd(0x8825) == {} and exif.get(0x010F) == "TestCam"
    entry = AuditEntry.objects.filter(action="create", object_type="duties.activity").latest("id")
    assert entry.after["files"] == 2
    # The page shows the photo as a thumbnail and the document as a link, both scoped routes.
    detail = client.get(reverse("duties:activity_detail", args=[activity.pk])).content.decode()
    photo_url = reverse("duties:activity_file", args=[kept.pk])
    doc_url = reverse("duties:activity_file", args=[stored["会议纪要.pdf"].pk])
    assert f'<img src="{photo_url}"' in detail and f'href="{doc_url}">会议纪要.pdf</a>' in detail
    download = client.get(photo_url)
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content)[:3] == b"\xff\xd8\xff"
    document = client.get(doc_url)
    assert document.status_code == 200 and "attachment" in document["Content-Disposition"]
    # A sibling subtree gets 404 for the file and the record.
    _login(client, people["sibling"])
    assert client.get(photo_url).status_code == 404
    assert client.get(doc_url).status_code == 404
    assert client.get(reverse("duties:activity_detail", args=[activity.pk])).status_code == 404
    # The API lists the files on the record.
    _login(client, people["own"])
    data = client.get(f"/api/v1/duty-activities/{activity.pk}/").json()
    assert {(f["name"], f["kind"], f["url"]) for f in data["files"]} == {
        ("现场.jpg", "photo", photo_url), ("会议纪要.pdf", "document", doc_url)}


def test_a_renamed_exe_is_refused_and_nothing_is_written(client, kinds, branch_world, people, settings):
    branch, members = branch_world["branch"], branch_world["members"]
    _login(client, people["own"])
    exe = SimpleUploadedFile("活动照片.jpg", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="image/jpeg")
    audits = AuditEntry.objects.count()
    response = client.post(reverse("duties:activity_create", args=[branch.pk]),
                           _form(kinds, members, files=[exe]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "“活动照片.jpg”的类型不受支持" in page
    assert not Activity.objects.exists() and not ActivityFile.objects.exists()
    assert AuditEntry.objects.count() == audits and _media_files(settings) == []
    # The service refuses the same way whatever calls it.
    with pytest.raises(Exception) as caught:
        services.activity_create(actor=people["own"], org=branch, kinds=[kinds["theme_day"]],
                                 starts_at=timezone.now() - datetime.timedelta(hours=1), topic="主题党日",
                                 files=[SimpleUploadedFile("a.pdf", b"MZ\x90")])
    assert "类型不受支持" in str(caught.value)
    assert not Activity.objects.exists()


def test_files_are_optional_added_on_edit_and_removable(client, kinds, branch_world, people):
    branch = branch_world["branch"]
    activity = services.activity_create(actor=people["own"], org=branch, kinds=[kinds["theme_day"]],
                                        starts_at=timezone.now() - datetime.timedelta(hours=1), topic="主题党日")
    assert not activity.files.exists()
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(png, format="PNG")
    services.activity_update(actor=people["own"], activity=activity, kinds=[kinds["theme_day"]],
                             starts_at=activity.starts_at, topic=activity.topic,
                             files=[SimpleUploadedFile("合影.png", png.getvalue())])
    item = activity.files.get()
    with pytest.raises(Exception):
        services.activity_file_delete(actor=people["sibling"], item=item)
    _login(client, people["sibling"])
    assert client.post(reverse("duties:activity_file_delete", args=[item.pk])).status_code == 404
    assert ActivityFile.objects.filter(pk=item.pk).exists()
    _login(client, people["own"])
    response = client.post(reverse("duties:activity_file_delete", args=[item.pk]))
    assert response.status_code == 302 and not ActivityFile.objects.exists()
