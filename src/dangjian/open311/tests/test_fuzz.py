"""Whatever a client sends, the answer is the spec's: a valid document or a valid error
list, never a server error (property test over the query and form parameters)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.resident_requests.models import Request

from .conftest import submit
from .georeport import check

TEXT = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(
    ["open", "closed", "repair", "2026-01-01", "2026-01-01T00:00:00Z", "甲区幸福社区", "91", "-0", "nan", "1e308",
     "R2026-000001", ",", "o311_x"]))
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _params(**values):
    return {key: value for key, value in values.items() if value is not None}


@pytest.fixture
def world(city, categories, key):
    submit(city, categories[0], latitude="32.1", longitude="120.9")
    return key


@FUZZ
@given(fmt=st.sampled_from(["json", "xml"]), status=TEXT, code=TEXT, ids=TEXT, start=TEXT, end=TEXT)
def test_get_requests_never_fails(client, world, fmt, status, code, ids, start, end):
    response = client.get(f"/open311/v2/requests.{fmt}", _params(
        status=status, service_code=code, service_request_id=ids, start_date=start, end_date=end))
    assert response.status_code in (200, 400), response.content[:300]
    check(response, "requests" if response.status_code == 200 else "errors", fmt, status=response.status_code)


@FUZZ
@given(fmt=st.sampled_from(["json", "xml"]), code=TEXT, lat=TEXT, long=TEXT, address=TEXT, address_id=TEXT,
       description=TEXT, phone=TEXT, first=TEXT)
def test_post_requests_never_fails(client, world, fmt, code, lat, long, address, address_id, description, phone,
                                   first):
    before = Request.objects.count()
    response = client.post(f"/open311/v2/requests.{fmt}", _params(
        api_key=world, service_code=code, lat=lat, long=long, address_string=address, address_id=address_id,
        description=description, phone=phone, first_name=first))
    assert response.status_code in (200, 400, 429), response.content[:300]
    if response.status_code == 200:
        check(response, "post", fmt)
        assert Request.objects.count() == before + 1
    else:
        check(response, "errors", fmt, status=response.status_code)
        assert Request.objects.count() == before


@FUZZ
@given(fmt=st.sampled_from(["json", "xml"]), path=st.text(min_size=1, max_size=20))
def test_odd_paths_never_fail(client, world, fmt, path):
    for prefix in ("services", "requests", "tokens"):
        response = client.get(f"/open311/v2/{prefix}/{path}.{fmt}")
        assert response.status_code in (200, 404), (prefix, path, response.status_code)
        if response.status_code == 404 and response["Content-Type"].startswith(("application/json", "text/xml")):
            check(response, "errors", fmt, status=404)


@pytest.mark.django_db
def test_nul_bytes_never_reach_the_database(client):
    """PostgreSQL text cannot hold NUL: paths, filters and posted fields with one answer
    in the spec's way (404, an empty list or a 4xx), never 500."""
    assert client.get("/open311/v2/services/\x00.json").status_code == 404
    assert client.get("/open311/v2/requests/R\x00.json").status_code == 404
    assert client.get("/open311/v2/tokens/\x00.json").status_code == 404
    listed = client.get("/open311/v2/requests.json", {"service_request_id": "R\x00"})
    assert listed.status_code == 200 and listed.json() == []
    posted = client.post("/open311/v2/requests.json", {"api_key": "k\x00", "service_code": "x\x00",
                                                       "description": "a\x00b"})
    assert 400 <= posted.status_code < 500
