"""One `within=` rule for every list (docs/api.md, "Scope and within"): an org the caller
may see gives its subtree; any other org (an ancestor of the caller's scope included), or
an id that names nothing, gives an empty list, as if it did not exist."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.lists import services as list_services
from dangjian.lists.models import ListKind
from dangjian.orgs import services
from dangjian.orgs.models import Area, Member, Org, OrgKind, Post, Sector

API = "/api/v1"


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def world(city, users):
    member = city.member(city.branches["a"], name="甲党员")
    city.member(city.branches["b"], name="乙党员")
    services.post_assign(actor=None, member=member, org=city.branches["a"], kind="secretary",
                         start_on=datetime.date(2020, 1, 1))
    # A city-level organisation beside the districts that covers the whole city area:
    # outside district A's scope, though its area lies above district A's areas.
    city_unit = services.org_create(actor=None, parent=city.city, name="市直机关工委", kind=OrgKind.WORKING_COMMITTEE,
                                    sector=Sector.ORGAN, area=city.city_area)
    period = dict(period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31), kind=ListKind.TASK)
    list_services.list_create(actor=None, org=city.communities["a"], title="甲清单", **period)
    list_services.list_create(actor=None, org=city.communities["b"], title="乙清单", **period)
    client = APIClient()
    client.force_authenticate(users["a"])
    return {"client": client, "city_unit": city_unit}


def visible(model, user, action="view"):
    return set(model.objects.visible_to(user, action).values_list("pk", flat=True))


@pytest.mark.parametrize("resource,model,action", [
    ("areas", Area, "view"), ("orgs", Org, "view"), ("members", Member, "view_members"), ("posts", Post, "view"),
])
def test_within_follows_one_rule_on_every_list(world, city, users, resource, model, action):
    client, mine = world["client"], visible(model, users["a"], action)
    assert mine, "the rule means something only if the caller sees rows"
    # Its own grant's org: everything the caller sees.
    assert ids(client.get(f"{API}/{resource}/", {"within": city.districts["a"].pk})) == mine
    # Inside the scope: that subtree.
    inside = ids(client.get(f"{API}/{resource}/", {"within": city.streets["a"].pk}))
    assert inside and inside <= mine
    # Above the scope (the city), beside it, or nothing at all: empty, as if it did not exist.
    for other in (city.city.pk, city.districts["b"].pk, world["city_unit"].pk, 2**62):
        assert ids(client.get(f"{API}/{resource}/", {"within": other})) == set(), (resource, other)


def test_areas_within_an_org_outside_scope_covering_the_city_are_empty(world, users):
    # The org is outside the scope, though the area it covers holds all the caller's areas.
    assert ids(world["client"].get(f"{API}/areas/", {"within": world["city_unit"].pk})) == set()


def test_lists_within(world, city, users):
    client = world["client"]
    mine = ids(client.get(f"{API}/lists/"))
    assert len(mine) == 1
    assert ids(client.get(f"{API}/lists/", {"within": city.districts["a"].pk})) == mine
    assert ids(client.get(f"{API}/lists/", {"within": city.city.pk})) == set()
    assert ids(client.get(f"{API}/lists/", {"within": city.districts["b"].pk})) == set()


def test_member_page_within_follows_the_rule(client, world, city, users):
    client.force_login(users["a"])
    own = client.get(reverse("orgs:member_list"), {"within": city.districts["a"].pk}).content.decode()
    assert "甲党员" in own and "乙党员" not in own
    for other in (city.city.pk, city.districts["b"].pk):
        page = client.get(reverse("orgs:member_list"), {"within": other}).content.decode()
        assert "甲党员" not in page and "乙党员" not in page


def test_exports_follow_the_rule(world, city, users):
    from dangjian.orgs import spreadsheets

    def exported(params):
        return set(spreadsheets.member_export_queryset(users["a"], params)[0].values_list("name", flat=True))

    assert exported({"within": city.districts["a"].pk}) == {"甲党员"}
    assert exported({"within": city.city.pk}) == set()
    assert exported({"within": city.districts["b"].pk}) == set()
