"""The lists API: scope, writes through the services, errors by field, subtree filters,
bounded query counts."""

import pytest
from rest_framework.test import APIClient

from dangjian.accounts.tokens import api_key
from dangjian.lists import services
from dangjian.lists.models import List, Measure, MeasureStatus, ProgressReport

from .conftest import DEADLINE, PNG, START, make_list, make_measure

API = "/api/v1"


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def _measure_body(lst, org, **extra):
    body = {"list": lst.pk, "org": org.pk, "title": "建成党群服务站", "target": "挂牌运行",
            "start_on": START.isoformat(), "deadline": DEADLINE.isoformat()}
    body.update(extra)
    return body


def test_anonymous_refused(db):
    assert APIClient().get(f"{API}/lists/").status_code in (401, 403)


def test_list_and_measure_lifecycle(city, people):
    api = client_for(people["community"])
    response = api.post(f"{API}/lists/", {"org": city.communities["a"].pk, "kind": "task", "title": "任务清单",
                                          "period_start": START.isoformat(), "period_end": DEADLINE.isoformat()},
                        format="json")
    assert response.status_code == 201, response.content
    lst = List.objects.get(pk=response.json()["id"])
    response = api.post(f"{API}/measures/", _measure_body(lst, city.communities["a"], weight="3"), format="json")
    assert response.status_code == 201, response.content
    measure_id = response.json()["id"]
    with open_png() as photo:
        response = api.post(f"{API}/measures/{measure_id}/report/", {"percent": "100", "note": "完成",
                                                                   "files": [photo]}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["evidence"][0]["kind"] == "photo"
    assert api.post(f"{API}/measures/{measure_id}/accept/", {}, format="json").status_code == 403
    street = client_for(people["street"])
    response = street.post(f"{API}/measures/{measure_id}/send-back/", {"reason": "请补充"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    api.post(f"{API}/measures/{measure_id}/report/", {"percent": 100}, format="json")
    response = street.post(f"{API}/measures/{measure_id}/accept/", {"note": "好"}, format="json")
    assert response.json()["status"] == "accepted"
    rollup = api.get(f"{API}/lists/{lst.pk}/rollup/").json()
    assert rollup["value"] == 100 and rollup["rows"][0]["weight"] == 3 and rollup["rows"][0]["counted"]
    assert len(street.get(f"{API}/measures/{measure_id}/reviews/").json()) == 2


def open_png():
    import io

    stream = io.BytesIO(PNG)
    stream.name = "photo.png"

    class Handle:
        def __enter__(self):
            return stream

        def __exit__(self, *exc):
            stream.close()

    return Handle()


@pytest.mark.parametrize("extra,field", [
    ({"deadline": (START.replace(year=START.year - 1)).isoformat()}, "deadline"),
    ({"weight": "0"}, "weight"),
    ({"weight": "150"}, "weight"),
])
def test_measure_bad_input_is_400_by_field(city, people, extra, field):
    lst = make_list(people["community"], city.communities["a"])
    response = client_for(people["community"]).post(f"{API}/measures/", _measure_body(lst, city.communities["a"],
                                                                                       **extra), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Measure.objects.exists()


def test_measure_outside_scope_is_400(city, people):
    lst = make_list(people["community"], city.communities["a"])
    response = client_for(people["community"]).post(f"{API}/measures/", _measure_body(lst, city.communities["b"]),
                                                    format="json")
    assert response.status_code == 400 and "org" in response.json()
    assert not Measure.objects.exists()


def test_progress_errors(city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    api = client_for(people["community"])
    response = api.post(f"{API}/measures/{measure.pk}/report/", {"percent": "101"}, format="json")
    assert response.status_code == 400 and "percent" in response.json()
    bad = {"percent": "10", "files": [_named(b"MZ\x90\x00", "x.jpg")]}
    response = api.post(f"{API}/progress-reports/", {"measure": measure.pk, **bad}, format="multipart")
    assert response.status_code == 400 and "files" in response.json()
    assert not ProgressReport.objects.exists()
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100)
    services.measure_accept(actor=people["street"], measure=measure)
    response = api.post(f"{API}/measures/{measure.pk}/report/", {"percent": "50"}, format="json")
    assert response.status_code == 409 and "已验收" in response.json()["detail"]
    assert Measure.objects.get().status == MeasureStatus.ACCEPTED


def _named(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_scope_and_within(city, people):
    one = make_list(people["community"], city.communities["a"])
    other = make_list(people["other"], city.communities["b"])
    make_measure(people["community"], one, city.branches["a"])
    make_measure(people["other"], other, city.communities["b"])
    api = client_for(people["community"])
    assert {r["id"] for r in api.get(f"{API}/lists/").json()["results"]} == {one.pk}
    assert api.get(f"{API}/lists/{other.pk}/").status_code == 404
    assert api.get(f"{API}/lists/{other.pk}/rollup/").status_code == 404
    from dangjian.testing import make_user

    admin = client_for(make_user("api_admin", "org_admin", city.city))
    rows = admin.get(f"{API}/measures/?within={city.districts['b'].pk}").json()["results"]
    assert [r["org"] for r in rows] == [city.communities["b"].pk]
    rows = admin.get(f"{API}/measures/?within={city.communities['a'].pk}").json()["results"]
    assert [r["org"] for r in rows] == [city.branches["a"].pk]


def test_published_list_needs_reason_over_api(city, people):
    lst = make_list(people["community"], city.communities["a"])
    api = client_for(people["community"])
    assert api.post(f"{API}/lists/{lst.pk}/publish/").json()["is_public"] is True
    response = api.patch(f"{API}/lists/{lst.pk}/", {"title": "新名称"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api.patch(f"{API}/lists/{lst.pk}/", {"title": "新名称", "reason": "规范名称"}, format="json")
    assert response.status_code == 200
    assert api.get(f"{API}/lists/{lst.pk}/revisions/").json()["results"][0]["reason"] == "规范名称"
    assert api.delete(f"{API}/lists/{lst.pk}/").status_code == 409


def test_board_endpoint(city, people):
    from dangjian.testing import make_user

    admin = make_user("api_admin", "org_admin", city.city)
    lst = make_list(admin, city.city)
    m = make_measure(admin, lst, city.communities["a"])
    services.measure_report_progress(actor=admin, measure=m, percent=50)
    data = client_for(admin).get(f"{API}/lists-board/?root={city.city.pk}&kind=task").json()
    assert [r["org"] for r in data["rows"]][0] == city.districts["a"].pk
    assert data["rows"][0]["completion"] == 50 and "不对个人排名" in data["rule"]
    assert client_for(admin).get(f"{API}/lists-board/?kind=bad").status_code == 400
    assert client_for(admin).get(f"{API}/lists-board/?year=22149140").status_code == 400
    assert client_for(admin).get(f"{API}/lists-board/?root=99999999999999999999").status_code == 400
    assert client_for(admin).get(f"{API}/projects/?programme=-1e261").status_code == 400
    assert client_for(admin).get(f"{API}/measures/?within=1e30").status_code == 400
    assert client_for(people["community"]).get(f"{API}/lists-board/?root={city.city.pk}").status_code == 404


def test_list_endpoints_bounded_queries(city, people, django_assert_max_num_queries):
    lst = make_list(people["community"], city.communities["a"])
    project = services.project_create(actor=people["community"], lst=lst, title="项目")
    for i in range(20):
        m = make_measure(people["community"], lst, city.communities["a"], project=project, title=f"措施{i}")
        services.measure_report_progress(actor=people["community"], measure=m, percent=i)
    api = client_for(people["community"])
    for url in ("lists/", "measures/", "measures/?due=overdue", "projects/", "progress-reports/",
                f"lists/{lst.pk}/rollup/"):
        with django_assert_max_num_queries(8):
            assert api.get(f"{API}/{url}").status_code == 200, url
