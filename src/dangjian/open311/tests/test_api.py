"""GeoReport v2 endpoints: every answer, JSON and XML, valid against the spec's schemas;
filters; posting with a key; what stays private; bad input refused with nothing written."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.open311 import services as open311_services
from dangjian.open311.formats import w3c_datetime
from dangjian.open311.models import Open311Client, Submission
from dangjian.orgs import services as org_services
from dangjian.orgs.models import AreaKind
from dangjian.resident_requests import services as request_services
from dangjian.resident_requests.models import Channel, Request, Status
from dangjian.testing import make_user

from .conftest import building, submit
from .georeport import SCHEMAS, SHARED, check

FORMATS = ("json", "xml")
BASE = "/open311/v2"


def test_the_copied_schemas_are_the_shared_ones():
    if not SHARED.is_dir():
        pytest.skip("shared/ is not beside the work tree")
    for path in SHARED.iterdir():
        assert (SCHEMAS / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, db, fmt):
    data = check(client.get(f"{BASE}/discovery.{fmt}"), "discovery", fmt)
    endpoint = data["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_list_the_active_categories_in_order(client, categories, fmt):
    response = client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "anything"})
    data = check(response, "services", fmt)
    assert [s["service_code"] for s in data] == ["repair", "sanitation"]
    assert data[0]["service_name"] == "物业维修" and data[0]["description"] == "楼道灯、电梯、水管等维修"
    assert data[0]["metadata"] is False and data[0]["type"] == "realtime"
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_and_unknown_codes(client, categories, fmt):
    data = check(client.get(f"{BASE}/services/repair.{fmt}"), "service_definition", fmt)
    assert data == {"service_code": "repair", "attributes": []}
    for code in ("nope", "retired"):
        errors = check(client.get(f"{BASE}/services/{code}.{fmt}"), "errors", fmt, status=404)
        assert errors[0]["code"] == 404 and code in errors[0]["description"]


def test_an_unknown_format_is_not_found(client, categories):
    assert client.get(f"{BASE}/services.html").status_code == 404


@pytest.fixture
def two_requests(city, categories):
    repair, sanitation = categories[:2]
    first = submit(city, repair, description="3号楼楼道灯坏了，联系我13912345678", name="王小明",
                   phone="13812345678", address="幸福路8号3号楼502室", latitude="32.0123456", longitude="120.8765432")
    second = submit(city, sanitation, key="b", description="垃圾没清运", area=city.grids["b"][1])
    handler = make_user("handler_b", "secretary", city.communities["b"])
    unit = request_services.unit_create(actor=None, org=city.communities["b"], name="乙区幸福物业",
                                        kind="property_company")
    request_services.request_accept(actor=handler, request=second)
    request_services.request_dispatch(actor=handler, request=second, unit=unit)
    request_services.request_resolve(actor=handler, request=second, resolution="已清运，联系了张师傅13700001111")
    request_services.request_confirm(request=second)
    second.refresh_from_db()
    assert second.status == Status.CLOSED
    return first, second


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_are_listed_without_personal_data(client, two_requests, fmt):
    first, second = two_requests
    response = client.get(f"{BASE}/requests.{fmt}")
    data = check(response, "requests", fmt)
    assert [r["service_request_id"] for r in data] == [second.number, first.number]
    shown = {r["service_request_id"]: r for r in data}[first.number]
    assert shown["status"] == "open" and shown["status_notes"] == "已提交，等待受理"
    assert shown["service_code"] == "repair" and shown["service_name"] == "物业维修"
    assert shown["description"] == "3号楼楼道灯坏了，联系我139****5678"
    assert shown["address"] == "甲区幸福社区，甲区一街道，甲区，测试市"
    assert shown["lat"] == 32.012 and shown["long"] == 120.877
    assert shown["agency_responsible"] is None  # not dispatched yet; the intake org's name can name the grid
    assert shown["expected_datetime"] is not None
    closed = {r["service_request_id"]: r for r in data}[second.number]
    assert closed["status"] == "closed" and closed["address"].startswith("乙区幸福社区")
    assert closed["status_notes"] == "已完成" and closed["agency_responsible"] == "乙区幸福物业"
    assert closed["updated_datetime"] == w3c_datetime(second.closed_at)
    assert closed["lat"] is None
    body = response.content.decode()
    for private in ("王小明", "13812345678", "13912345678", "幸福路8号", "502", "第1网格", "1号楼",
                    first.tracking_code, "138****5678", "张师傅", "13700001111", "handler_b"):
        assert private not in body


def test_resolved_is_closed_until_the_resident_reopens(client, city, categories):
    request = submit(city, categories[0])
    handler = make_user("handler_a", "secretary", city.communities["a"])
    request_services.request_accept(actor=handler, request=request)
    request_services.request_resolve(actor=handler, request=request, resolution="灯已换")

    def shown():
        return check(client.get(f"{BASE}/requests/{request.number}.json"), "requests", "json")[0]

    assert (shown()["status"], shown()["status_notes"]) == ("closed", "已办结，请您确认")
    request_services.request_reopen(request=request, reason="又坏了")
    assert shown()["status"] == "open"
    assert [r["service_request_id"] for r in check(client.get(f"{BASE}/requests.json", {"status": "open"}),
                                                   "requests", "json")] == [request.number]


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_filters(client, two_requests, fmt):
    first, second = two_requests

    def numbers(**params):
        data = check(client.get(f"{BASE}/requests.{fmt}", params), "requests", fmt)
        return [r["service_request_id"] for r in data]

    assert numbers(status="open") == [first.number]
    assert numbers(status="closed") == [second.number]
    assert numbers(status="open,closed") == [second.number, first.number]
    assert numbers(service_code="sanitation") == [second.number]
    assert numbers(status=["open", "closed"], service_code=["repair", "sanitation"]) == [second.number, first.number]
    assert numbers(service_code="repair,sanitation", jurisdiction_id="x") == [second.number, first.number]
    # service_request_id overrides every other filter, as the spec says
    assert numbers(service_request_id=f"{first.number}, nope", status="closed") == [first.number]
    now = timezone.localtime()
    assert numbers(start_date=(now - datetime.timedelta(days=1)).isoformat()) == [second.number, first.number]
    assert numbers(end_date=(now - datetime.timedelta(days=1)).isoformat()) == []
    assert numbers(start_date=f"{now:%Y-%m-%d}", end_date=(now + datetime.timedelta(hours=1)).isoformat()) \
        == [second.number, first.number]
    assert numbers(start_date="2026-01-01T00:00:00Z", end_date="2026-02-01T00:00:00Z") == []
    unescaped = client.get(f"{BASE}/requests.{fmt}?start_date={now - datetime.timedelta(days=1):%Y-%m-%dT%H:%M:%S}"
                           "+08:00")  # the "+" arrives as a space
    assert len(check(unescaped, "requests", fmt)) == 2


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("params, words", [
    ({"status": "pending"}, "status"),
    ({"start_date": "yesterday"}, "start_date"),
    ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90"),
    ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "end_date"),
])
def test_bad_filters_are_refused_in_the_spec_format(client, two_requests, fmt, params, words):
    errors = check(client.get(f"{BASE}/requests.{fmt}", params), "errors", fmt, status=400)
    assert errors[0]["code"] == 400 and words in errors[0]["description"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request(client, two_requests, fmt):
    first, _ = two_requests
    data = check(client.get(f"{BASE}/requests/{first.number}.{fmt}"), "requests", fmt)
    assert len(data) == 1 and data[0]["service_request_id"] == first.number
    errors = check(client.get(f"{BASE}/requests/R2000-000001.{fmt}"), "errors", fmt, status=404)
    assert "R2000-000001" in errors[0]["description"]
    # the resident's tracking code is not a public identifier
    check(client.get(f"{BASE}/requests/{first.tracking_code}.{fmt}"), "errors", fmt, status=404)
    check(client.get(f"{BASE}/tokens/{first.tracking_code}.{fmt}"), "errors", fmt, status=404)


def _post(client, fmt, key=None, **fields):
    data = {"service_code": "repair", "address_string": "甲区幸福社区第1网格1号楼", "description": "电梯停了",
            "jurisdiction_id": "nantong"}
    if key is not None:
        data["api_key"] = key
    data.update(fields)
    return client.post(f"{BASE}/requests.{fmt}", {k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_a_request_then_read_it_and_its_token(city, categories, client_key, fmt):
    csrf_client = Client(enforce_csrf_checks=True)  # a client system has no CSRF token: the key is enough
    response = _post(csrf_client, fmt, client_key[1], first_name="小明", last_name="王", phone="13812345678",
                     email="x@example.com", lat="32.0001", long="120.9", media_url="http://example.com/a.jpg")
    data = check(response, "post", fmt)
    created = Request.objects.get()
    assert data[0]["service_request_id"] == created.number
    assert created.number in data[0]["service_notice"] and created.org.name in data[0]["service_notice"]
    assert created.channel == Channel.OPEN311 and created.area == building(city)
    assert created.org == city.branches["a"] and created.address == "甲区幸福社区第1网格1号楼"
    assert created.contact_name == "王小明" and created.phone == "13812345678"
    submission = Submission.objects.get()
    assert submission.client == client_key[0] and submission.request == created
    assert data[0]["token"] == submission.token and submission.token != created.tracking_code
    assert Open311Client.objects.get().last_used_at is not None

    token = check(csrf_client.get(f"{BASE}/tokens/{submission.token}.{fmt}"), "token", fmt)
    assert token == [{"service_request_id": created.number, "token": submission.token}]
    shown = check(csrf_client.get(f"{BASE}/requests/{created.number}.{fmt}"), "requests", fmt)[0]
    assert shown["description"] == "电梯停了" and shown["status"] == "open"
    assert shown["address"].startswith("甲区幸福社区，") and shown["lat"] == 32.0
    assert "王小明" not in json.dumps(shown, ensure_ascii=False)


def test_post_by_address_id_the_places_statistical_code(city, categories, key, client):
    org_services.area_create(actor=None, parent=city.streets["b"].area, name="乙区新村社区",
                             kind=AreaKind.COMMUNITY, code="320602001001")
    community = city.communities["b"].area
    community.code = "320602001002"
    community.save(update_fields=["code"])
    response = _post(client, "json", key, address_string=None, address_id="320602001002")
    check(response, "post", "json")
    assert Request.objects.get().area == community


def test_post_a_request_whose_text_would_break_xml(city, categories, key, client):
    text = '<request><status>closed</status></request> & "引号"\x01。'
    data = check(_post(client, "xml", key, description=text), "post", "xml")
    shown = check(client.get(f"{BASE}/requests/{data[0]['service_request_id']}.xml"), "requests", "xml")
    assert shown[0]["status"] == "open"
    assert shown[0]["description"] == '<request><status>closed</status></request> & "引号"。'  # \x01 dropped


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("fields, status, words", [
    ({"api_key": None}, 403, "api_key"),
    ({"api_key": "o311_not-a-key"}, 403, "api_key"),
    ({"service_code": "nope"}, 400, "nope"),
    ({"service_code": "retired"}, 400, "retired"),
    ({"service_code": ""}, 400, "service_code"),
    ({"address_string": None}, 400, "address_string"),
    ({"address_string": None, "lat": "32.1", "long": "120.9"}, 400, "经纬度"),
    ({"lat": "32.1"}, 400, "long"),
    ({"lat": "91", "long": "120"}, 400, "lat"),
    ({"address_string": "月球背面"}, 400, "address_string"),
    ({"address_string": None, "address_id": "999"}, 400, "address_id"),
    ({"description": "  "}, 400, "description"),
    ({"description": "长" * 2001}, 400, "description"),
    ({"phone": "abc"}, 400, "phone"),
])
def test_bad_posts_are_refused_and_write_nothing(city, categories, key, client, fmt, fields, status, words):
    fields = dict(fields)
    response = _post(client, fmt, fields.pop("api_key", key), **fields)
    errors = check(response, "errors", fmt, status=status)
    assert all(e["code"] == status for e in errors)
    assert any(words in e["description"] for e in errors), errors
    assert not Request.objects.exists() and not Submission.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_revoked_key_is_refused(city, categories, client_key, client, fmt):
    open311_services.client_revoke(actor=None, client=client_key[0])
    errors = check(_post(client, fmt, client_key[1]), "errors", fmt, status=403)
    assert "api_key" in errors[0]["description"]
    assert not Request.objects.exists()


def test_posts_are_limited_per_key_and_per_address(city, categories, client_key, client, settings):
    settings.DANGJIAN_OPEN311_POSTS_PER_MINUTE = 2
    for _ in range(2):
        check(_post(client, "json", client_key[1]), "post", "json")
    response = _post(client, "json", client_key[1])
    errors = check(response, "errors", "json", status=429)
    assert response["Retry-After"] == "60" and errors[0]["code"] == 429
    assert Request.objects.count() == 2
    other = open311_services.client_create(actor=None, name="另一个系统")[1]
    check(_post(client, "json", other), "post", "json")  # the limit is the key's
    settings.DANGJIAN_OPEN311_POSTS_PER_MINUTE_PER_ADDRESS = 4  # 4 posts from this address so far
    check(_post(client, "xml", other), "errors", "xml", status=429)
    check(_post(client, "json", None), "errors", "json", status=429)  # before the key is even read
    assert Request.objects.count() == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_methods_are_refused(client, categories, fmt):
    response = client.put(f"{BASE}/requests.{fmt}")
    check(response, "errors", fmt, status=405)
    assert response["Allow"] == "GET, POST"
    check(client.post(f"{BASE}/services.{fmt}"), "errors", fmt, status=405)


def test_lists_are_limited_per_address(client, categories, settings):
    settings.DANGJIAN_OPEN311_LISTS_PER_MINUTE_PER_ADDRESS = 2
    for _ in range(2):
        check(client.get(f"{BASE}/requests.json"), "requests", "json")
    response = client.get(f"{BASE}/requests.xml")
    check(response, "errors", "xml", status=429)
    assert response["Retry-After"] == "60"
    check(client.get(f"{BASE}/services.json"), "services", "json")  # other reads are not counted
