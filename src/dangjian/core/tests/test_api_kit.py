"""The API kit in core: page-number and cursor pagination, one error shape, JSON (never
HTML) under /api/, 409 when an object's state refuses an action."""

import base64
import datetime

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from rest_framework.test import APIClient

from dangjian.core.api.errors import flatten

API = "/api/v1"


def api_for(user):
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def members(city):
    return [city.member(city.branches["a"], name=f"党员{n:02d}") for n in range(7)]


def test_page_numbers_give_a_count(users, members):
    body = api_for(users["city_admin"]).get(f"{API}/members/?page_size=3").json()
    assert body["count"] == 7 and len(body["results"]) == 3 and "page=2" in body["next"]


def test_cursor_walks_the_whole_list_in_id_order_without_counting(users, members):
    api = api_for(users["city_admin"])
    seen, url, pages = [], f"{API}/members/?cursor=&page_size=3", 0
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body
        assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries), queries.captured_queries
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert seen == sorted(m.pk for m in members) and pages == 3


def test_cursor_keeps_the_filters(users, city, members):
    city.member(city.branches["b"], name="乙区党员")
    api = api_for(users["city_admin"])
    body = api.get(f"{API}/members/?cursor=&within={city.districts['a'].pk}").json()
    names = [row["name"] for row in body["results"]]
    assert len(names) == 7 and "乙区党员" not in names


def test_with_a_cursor_a_page_number_is_ignored_but_a_bad_page_refused(users, members):
    api = api_for(users["city_admin"])
    body = api.get(f"{API}/members/?cursor=&page=2&page_size=3").json()
    assert "count" not in body and len(body["results"]) == 3  # the cursor's first page
    response = api.get(f"{API}/members/?cursor=&page=null")
    assert response.status_code == 400 and "page" in response.json()


def test_cursor_mode_on_orgs_and_measures(users, city):
    api = api_for(users["city_admin"])
    body = api.get(f"{API}/orgs/?cursor=&page_size=2").json()
    assert len(body["results"]) == 2 and "count" not in body and "cursor=" in body["next"]
    assert api.get(f"{API}/measures/?cursor=").status_code == 200


@pytest.mark.parametrize("value", ["null", "abc", "0", "501", "-3", "1.5"])
def test_page_size_outside_its_range_is_refused(users, value, members):
    response = api_for(users["city_admin"]).get(f"{API}/members/?page_size={value}")
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"] and isinstance(response.json()["page_size"][0], str)


def test_garbled_cursor_is_a_json_404(users, members):
    garbled = base64.b64encode(b"o=x&p=1").decode()
    response = api_for(users["city_admin"]).get(f"{API}/members/?cursor={garbled}")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/programme-domains/a.b/", "/api/v2/orgs/",
                                  "/api/v1/orgs"])
def test_unknown_api_paths_answer_json(users, path):
    response = api_for(users["city_admin"]).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json") and "detail" in response.json()


def test_nested_errors_are_flattened_into_their_field():
    assert flatten({"files": {0: ["不是文件。"], 2: ["太大。"]}, "title": ["必填。"]}) == {
        "files": ["[0] 不是文件。", "[2] 太大。"], "title": ["必填。"]}
    assert flatten({"rows": [{"name": ["必填。"]}, {}]}) == {"rows": ["[0][name] 必填。"]}
    assert flatten(["整体错误。"]) == {"non_field_errors": ["整体错误。"]}


def test_report_with_files_that_are_not_files_has_the_documented_shape(users, city, settings, tmp_path):
    from dangjian.lists import services
    from dangjian.lists.models import ListKind

    settings.MEDIA_ROOT = tmp_path
    actor = users["city_admin"]
    today = datetime.date.today()
    lst = services.list_create(actor=actor, org=city.city, kind=ListKind.TASK, title="清单",
                               period_start=today, period_end=today + datetime.timedelta(days=30))
    measure = services.measure_create(actor=actor, lst=lst, org=city.city, title="措施", target="完成",
                                      start_on=today, deadline=today + datetime.timedelta(days=10))
    response = api_for(actor).post(f"{API}/measures/{measure.pk}/report/", {"percent": 10, "files": ["x", "y"]},
                                   format="json")
    assert response.status_code == 400
    body = response.json()
    assert all(isinstance(m, str) for messages in body.values() for m in messages), body
    assert body["files"][0].startswith("[0] ")


def test_refusal_by_the_objects_state_is_409(users, city):
    from dangjian.lists import services
    from dangjian.lists.models import ListKind

    actor = users["city_admin"]
    today = datetime.date.today()
    lst = services.list_create(actor=actor, org=city.city, kind=ListKind.TASK, title="已公示清单",
                               period_start=today, period_end=today + datetime.timedelta(days=30))
    services.list_publish(actor=actor, lst=lst)
    response = api_for(actor).delete(f"{API}/lists/{lst.pk}/")
    assert response.status_code == 409, response.content
    assert "已公示" in response.json()["detail"]
    measure = services.measure_create(actor=actor, lst=lst, org=city.city, title="措施", target="完成",
                                      start_on=today, deadline=today + datetime.timedelta(days=10),
                                      reason="新增")
    response = api_for(actor).post(f"{API}/measures/{measure.pk}/accept/", {}, format="json")
    assert response.status_code == 409 and response.json()["detail"]
    # A refusal that names a field of the request stays a 400 on that field.
    response = api_for(actor).patch(f"{API}/measures/{measure.pk}/", {"title": "改"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_fast_rows_represent_exactly_as_drf(users, city, members, settings, tmp_path):
    """core.api.serializers.FastRowsMixin gives the bytes DRF would, for every API
    serializer that uses it (nulls, foreign keys, dates, decimals, annotations)."""
    from rest_framework import serializers as drf
    from rest_framework.test import APIRequestFactory

    from dangjian.lists import services
    from dangjian.lists.api import serializers as ls
    from dangjian.lists.api.views import ListViewSet, MeasureViewSet, ProgrammeViewSet, ProjectViewSet
    from dangjian.lists.models import ListKind
    from dangjian.orgs.api import serializers as os_
    from dangjian.orgs.api.views import AreaViewSet, MemberViewSet, OrgViewSet, PostViewSet
    from dangjian.core.api.serializers import FastRowsMixin

    settings.MEDIA_ROOT = tmp_path
    actor = users["city_admin"]
    today = datetime.date.today()
    lst = services.list_create(actor=actor, org=city.city, kind=ListKind.TASK, title="清单",
                               period_start=today, period_end=today + datetime.timedelta(days=30))
    programme = services.programme_create(actor=actor, lst=lst, title="工程")
    services.project_create(actor=actor, lst=lst, programme=programme, title="项目", leader=members[0])
    services.measure_create(actor=actor, lst=lst, org=city.city, title="措施", target="完成", start_on=today,
                            deadline=today + datetime.timedelta(days=10), target_value="12.50", target_unit="个",
                            responsible=members[1])
    from dangjian.orgs import services as org_services
    from dangjian.orgs.models import PostKind

    org_services.post_assign(actor=actor, member=members[0], org=city.branches["a"], kind=PostKind.SECRETARY,
                             start_on=today)
    request = APIRequestFactory().get("/")
    request.user = actor
    checked = 0
    for viewset, serializer_class in ((MemberViewSet, os_.MemberSerializer), (OrgViewSet, os_.OrgSerializer),
                                      (AreaViewSet, os_.AreaSerializer), (PostViewSet, os_.PostSerializer),
                                      (ListViewSet, ls.ListSerializer), (MeasureViewSet, ls.MeasureSerializer),
                                      (ProgrammeViewSet, ls.ProgrammeSerializer), (ProjectViewSet, ls.ProjectSerializer)):
        assert issubclass(serializer_class, FastRowsMixin)
        view = viewset(request=request, action="list", format_kwarg=None, kwargs={})
        view.request = request
        rows = list(view.get_queryset())
        assert rows, serializer_class
        serializer = serializer_class(context={"request": request})
        for row in rows:
            assert serializer.to_representation(row) == drf.ModelSerializer.to_representation(serializer, row)
            checked += 1
    assert checked >= 20
