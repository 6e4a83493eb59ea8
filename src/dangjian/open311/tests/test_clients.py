"""GeoReport v2 clients this project did not write, from PyPI, against a live server:
`civicbot` (posts a request; reads JSON) and `georeport` (reads services, definitions and
requests in JSON and XML; it cannot post). Between them: list the services, post a
request, read it back in JSON and XML, resolve its token, and get the spec's errors."""

import json

import pytest
from civicbot import Endpoint, HttpError, HttpTransport, Open311Client
from civicbot.http import RateLimiter
from georeport import GeoReport

from dangjian.open311 import services as open311_services
from dangjian.resident_requests.models import Category, Channel, Request
from dangjian.testing import City

from .georeport import validate


@pytest.fixture
def world(transactional_db):
    city = City()
    Category.objects.create(code="repair", name="物业维修", description="楼道灯、电梯、水管等维修",
                            deadline_working_days=3, position=1)
    Category.objects.create(code="sanitation", name="环境卫生", deadline_hours=24, position=2)
    client, key = open311_services.client_create(actor=None, name="市民热线App")
    return city, client, key


def _civicbot(live_server):
    endpoint = Endpoint(id="dangjian-test", name="dangjian", base_url=f"{live_server.url}/open311/v2", write=True)
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport=transport, jurisdiction_id="nantong")


def test_third_party_clients_list_post_and_read_back(live_server, world):
    city, client, key = world
    poster = _civicbot(live_server)
    services = poster.list_services()
    assert [s["service_code"] for s in services] == ["repair", "sanitation"]

    prepared = poster.create_request(
        "repair", dry_run=False, confirm="SEND", api_key=key, validate_remote=True,
        address_string="甲区幸福社区第2网格2号楼", lat=32.01234, lng=120.87654, description="2号楼电梯停了",
        first_name="小明", last_name="王", phone="13812345678", email="wang@example.com")
    answer = validate(prepared.response, "post")[0]
    created = Request.objects.get()
    assert answer["service_request_id"] == created.number and created.channel == Channel.OPEN311
    assert created.grid == city.grids["a"][1] and created.contact_name == "王小明"
    assert validate(poster.get_token(answer["token"]), "token") == [
        {"service_request_id": created.number, "token": answer["token"]}]
    shown = poster.get_request(created.number)
    assert shown["description"] == "2号楼电梯停了" and shown["status"] == "open"
    assert shown["lat"] == 32.012 and "王小明" not in json.dumps(shown, ensure_ascii=False)

    as_json = GeoReport(f"{live_server.url}/open311/v2", jurisdiction="nantong", output_format="json")
    as_xml = GeoReport(f"{live_server.url}/open311/v2", jurisdiction="nantong", output_format="xml")
    assert [s["service_name"] for s in as_json.get_service_list()] == ["物业维修", "环境卫生"]
    xml_services = as_xml.get_service_list()
    assert [s["service_code"] for s in xml_services] == ["repair", "sanitation"]
    assert xml_services[0]["metadata"] == "false" and xml_services[0]["type"] == "realtime"
    assert as_json.get_service_definition("repair") == {"service_code": "repair", "attributes": []}
    assert as_xml.get_service_definition("repair")["service_code"] == "repair"

    from_json = as_json.get_service_request(created.number)
    from_xml = as_xml.get_service_request(created.number)
    assert from_json["service_request_id"] == from_xml["service_request_id"] == created.number
    assert from_json["description"] == from_xml["description"] == "2号楼电梯停了"
    assert from_json["status"] == from_xml["status"] == "open"
    assert from_xml["lat"] == "32.012" and from_json["address"] == from_xml["address"]
    assert from_xml["address"].startswith("甲区幸福社区，") and "phone" not in from_xml
    listed = as_xml.get_service_requests(service_request_id=created.number, status="open")
    assert listed["service_request_id"] == created.number  # xmltodict: one <request> is a dict
    assert [r["service_request_id"] for r in as_json.get_service_requests(service_code="repair")] == [created.number]


def test_third_party_client_gets_the_spec_errors(live_server, world):
    city, client, key = world
    poster = _civicbot(live_server)
    cases = [
        ({"api_key": "o311_wrong", "address_string": "甲区幸福社区", "description": "x"}, 403, "api_key"),
        ({"api_key": key, "address_string": "甲区幸福社区"}, 400, "description"),
        ({"api_key": key, "lat": 32.1, "lng": 120.9, "description": "x"}, 400, "address_string"),
    ]
    for fields, status, words in cases:
        with pytest.raises(HttpError) as caught:
            poster.create_request("repair", dry_run=False, confirm="SEND", **fields)
        assert caught.value.status == status
        errors = validate(json.loads(caught.value.body), "errors")
        assert any(words in e["description"] for e in errors), errors
    with pytest.raises(HttpError) as caught:
        poster.create_request("nope", dry_run=False, confirm="SEND", api_key=key, address_string="甲区幸福社区",
                              description="x")
    assert caught.value.status == 400 and "nope" in caught.value.body
    open311_services.client_revoke(actor=None, client=client)
    with pytest.raises(HttpError) as caught:
        poster.create_request("repair", dry_run=False, confirm="SEND", api_key=key, address_string="甲区幸福社区",
                              description="x")
    assert caught.value.status == 403
    assert not Request.objects.exists()
