import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core import audit
from dangjian.resident_requests import selectors, services
from dangjian.resident_requests.models import Category, Channel, Request, Status
from dangjian.testing import make_user


def jpeg_with_gps(size=(40, 30)):
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x8825] = {1: "N", 2: (32.0, 0.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def category(db):
    return Category.objects.create(code="repair", name="物业维修", deadline_working_days=3)


def grid_area(city, key="a", n=0):
    return city.grids[key][n]


def test_submit_resolves_the_grid_org_and_keeps_personal_data_encrypted(city, category):
    from dangjian.orgs.models import Area

    building = Area.objects.get(path__startswith=grid_area(city).path, kind="building")
    request = services.request_submit(channel=Channel.WEB, category=category, description="楼道灯坏了",
                                      area=building, name="王小明", phone="13912345678",
                                      client_address="10.0.0.1")
    assert request.org == city.branches["a"]  # the grid branch whose area holds the building
    assert request.grid == grid_area(city) and request.community.name == "甲区幸福社区"
    assert request.status == Status.SUBMITTED
    assert request.number.startswith("R20") and request.number.endswith("000001")
    assert len(request.tracking_code) == 16
    assert request.phone_masked == "139****5678" and "13912345678" not in request.phone_encrypted
    assert request.phone == "13912345678" and request.contact_name == "王小明"
    assert request.name_masked == "王**"
    assert request.deadline_at > request.submitted_at
    assert selectors.public_status(request) == "已提交，等待受理"
    assert request.events.get().kind == "submitted"
    from dangjian.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="request_submit", object_id=str(request.pk)).count() == 1
    assert audit.is_declared("request_submit")


def test_submit_in_a_grid_without_its_own_org_goes_to_the_community(city, category):
    request = services.request_submit(channel=Channel.WEB, category=category.code, description="垃圾没清",
                                      area=grid_area(city, "b", 1))
    assert request.org == city.communities["b"]
    second = services.request_submit(channel=Channel.WEB, category=category, description="x",
                                      area=city.communities["b"].area)
    assert second.number.endswith("000002") and second.tracking_code != request.tracking_code


@pytest.mark.parametrize("kwargs, field", [
    ({"description": "  "}, "description"),
    ({"category": "nope"}, "category"),
    ({"category": 99999}, "category"),
    ({"area": None}, "area"),
    ({"area": None, "latitude": "32.0", "longitude": "120.8"}, "area"),
    ({"phone": "abc"}, "phone"),
    ({"latitude": "200"}, "latitude"),
    ({"linked_measure": 99999}, "linked_measure"),
])
def test_bad_input_names_the_field_and_writes_nothing(city, category, kwargs, field):
    args = dict(channel=Channel.WEB, category=category, description="路灯不亮", area=grid_area(city))
    args.update(kwargs)
    with pytest.raises(ValidationError) as exc:
        services.request_submit(**args)
    assert field in exc.value.message_dict
    assert Request.objects.count() == 0


def test_place_outside_every_area(city, category):
    from dangjian.orgs import services as org_services
    from dangjian.orgs.models import AreaKind

    lonely = org_services.area_create(actor=None, parent=None, name="别的市", kind=AreaKind.CITY)
    street = org_services.area_create(actor=None, parent=lonely, name="某街道", kind=AreaKind.STREET)
    place = org_services.area_create(actor=None, parent=street, name="无人社区", kind=AreaKind.COMMUNITY)
    with pytest.raises(ValidationError) as exc:
        services.request_submit(channel=Channel.WEB, category=category, description="x", area=place)
    assert "area" in exc.value.message_dict and Request.objects.count() == 0
    with pytest.raises(ValidationError) as exc:  # a street is not a place a resident picks
        services.request_submit(channel=Channel.WEB, category=category, description="x", area=city.streets["a"].area)
    assert "area" in exc.value.message_dict


def test_photos_lose_exif_unless_shared_and_non_images_are_refused(city, category, settings, tmp_path):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    request = services.request_submit(channel=Channel.WEB, category=category, description="墙皮脱落",
                                      area=grid_area(city), photos=[jpeg_with_gps()])
    photo = request.photos.get()
    with Image.open(photo.file.path) as image:
        assert image.format == "JPEG" and not image.getexif()
    shared = services.request_submit(channel=Channel.WEB, category=category, description="墙皮脱落",
                                     area=grid_area(city), photos=[jpeg_with_gps()], share_location=True)
    with Image.open(shared.photos.get().file.path) as image:
        assert 0x8825 in image.getexif()
    fake = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff not really a jpeg", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.request_submit(channel=Channel.WEB, category=category, description="x", area=grid_area(city),
                                photos=[fake])
    assert "photos" in exc.value.message_dict
    settings.DANGJIAN_REQUEST_PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        services.request_submit(channel=Channel.WEB, category=category, description="x", area=grid_area(city),
                                photos=[jpeg_with_gps()])
    assert "MB" in str(exc.value.message_dict["photos"])
    assert Request.objects.count() == 2


def test_flood_from_one_address(city, category, settings):
    settings.DANGJIAN_REQUESTS_PER_WINDOW = 2
    for _ in range(2):
        services.request_submit(channel=Channel.WEB, category=category, description="x", area=grid_area(city),
                                client_address="10.1.1.1")
    with pytest.raises(services.Flooded):
        services.request_submit(channel=Channel.WEB, category=category, description="x", area=grid_area(city),
                                client_address="10.1.1.1")
    services.request_submit(channel=Channel.WEB, category=category, description="x", area=grid_area(city),
                            client_address="10.1.1.2")
    assert Request.objects.count() == 3


def test_staff_entry_on_behalf_needs_the_place_in_scope(city, category):
    worker = make_user("grid_a", "grid_worker", city.branches["a"])
    request = services.request_submit(actor=worker, channel=Channel.WEB, category=category, description="代办",
                                      area=grid_area(city))
    assert request.channel == Channel.STAFF and request.created_by == worker
    with pytest.raises(ValidationError) as exc:
        services.request_submit(actor=worker, channel=Channel.PHONE, category=category, description="x",
                                area=grid_area(city, "b"))
    assert "area" in exc.value.message_dict


def test_tracking_code_lookup_ignores_case_and_dashes(city, category):
    request = services.request_submit(channel=Channel.WEB, category=category, description="x", area=grid_area(city))
    assert selectors.by_tracking_code(request.tracking_code_display.lower()) == request
    assert selectors.by_tracking_code("AAAA-BBBB-CCCC-DDDD") is None
    assert selectors.by_tracking_code("") is None


def test_xmp_metadata_goes_too():
    from PIL import Image

    from dangjian.resident_requests.photos import check_photos

    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "JPEG", xmp=b"<x:xmpmeta><exif:GPSLatitude>32</exif:GPSLatitude></x:xmpmeta>")
    assert b"GPSLatitude" in out.getvalue()
    (photo,) = check_photos([SimpleUploadedFile("x.jpg", out.getvalue())])
    assert b"GPSLatitude" not in photo.content and photo.content_type == "image/jpeg"
