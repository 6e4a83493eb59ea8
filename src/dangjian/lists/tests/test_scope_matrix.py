"""The kit's scope matrix (core.testing.ScopeCases) over the lists pages and API, with the
sibling subtree the lists tests lacked: a district secretary, a read-only grid worker in
the same district, an account without a grant, and the other district's rows."""

import pytest
from django.urls import reverse

from dangjian.lists import services
from dangjian.lists.models import List, Measure
from dangjian.testing import ScopeCases, ScopeWorld, make_user

from .conftest import make_list, make_measure


@pytest.fixture
def accounts(city, users):
    return {"no_grant": users["none"], "own_user": users["a"], "everyone": users["city_admin"],
            "read_only": make_user("grid_a", "grid_worker", city.districts["a"])}


@pytest.fixture
def two_lists(city, users):
    admin = users["city_admin"]
    return (make_list(admin, city.communities["a"], title="甲区幸福社区任务清单"),
            make_list(admin, city.communities["b"], title="乙区幸福社区任务清单"))


class TestListScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts, two_lists):
        return ScopeWorld(
            **accounts,
            own=two_lists[0], sibling=two_lists[1],
            name=lambda lst: List.objects.get(pk=lst.pk).title,
            count=List.objects.count,
            list_url=reverse("lists:index"),
            detail_url=lambda lst: reverse("lists:list_detail", args=[lst.pk]),
            create_url=lambda lst: reverse("lists:list_create") + f"?org={lst.org_id}",
            create_data={"title": "新建清单", "org": city.communities["b"].pk, "kind": "task"},
            edit_url=lambda lst: reverse("lists:list_edit", args=[lst.pk]),
            edit_data=lambda lst: {"title": "篡改的标题"},
            delete_url=lambda lst: reverse("lists:list_delete", args=[lst.pk]),
            api_list_url="/api/v1/lists/",
            api_detail_url=lambda lst: f"/api/v1/lists/{lst.pk}/",
        )


class TestMeasureScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts, two_lists, users):
        admin = users["city_admin"]
        own = make_measure(admin, two_lists[0], city.communities["a"], title="甲区建成党群服务站")
        sibling = make_measure(admin, two_lists[1], city.communities["b"], title="乙区建成党群服务站")
        services.measure_report_progress(actor=admin, measure=sibling, percent=30)
        return ScopeWorld(
            **accounts,
            own=own, sibling=sibling,
            name=lambda measure: Measure.objects.get(pk=measure.pk).title,
            count=Measure.objects.count,
            list_url=reverse("lists:measure_list"),
            detail_url=lambda measure: reverse("lists:measure_detail", args=[measure.pk]),
            create_url=lambda measure: reverse("lists:measure_create", args=[measure.list_id]),
            create_data={"title": "新措施", "target": "挂牌", "org": city.communities["a"].pk,
                         "start_on": "2026-03-01", "deadline": "2026-04-01", "weight": "1"},
            edit_url=lambda measure: reverse("lists:measure_edit", args=[measure.pk]),
            edit_data=lambda measure: {"title": "篡改的措施"},
            api_list_url="/api/v1/measures/",
            api_detail_url=lambda measure: f"/api/v1/measures/{measure.pk}/",
        )


def test_export_of_a_sibling_list_is_404_and_of_a_read_only_one_403(client, accounts, two_lists):
    own, sibling = two_lists
    client.force_login(accounts["own_user"])
    response = client.get(reverse("lists:list_export", args=[own.pk, "csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200 and own.title in body and sibling.title not in body
    assert client.get(reverse("lists:list_export", args=[sibling.pk, "csv"])).status_code == 404
    client.force_login(accounts["read_only"])
    assert client.get(reverse("lists:list_export", args=[own.pk, "csv"])).status_code == 403
