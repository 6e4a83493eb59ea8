"""The organisation API: scope matrix (NetBox style) for every read, writes through the
services, error shapes and languages, bounded query counts, and the committed schema."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from dangjian.accounts.tokens import api_key
from dangjian.core import overview as overview_panels
from dangjian.core.models import AuditEntry
from dangjian.testing import make_id_number, make_user
from dangjian.orgs import services
from dangjian.orgs.models import Area, AreaKind, Member, Org, OrgKind, Post, Sector

API = "/api/v1"
OPENAPI_FILE = Path(__file__).resolve().parents[4] / "docs" / "openapi.yaml"


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def bad_check_digit(number):
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.fixture
def world(city, users):
    """One object of every kind inside district A's subtree, plus an org admin per district."""
    member = city.member(city.branches["a"], name="张三")
    post = services.post_assign(actor=None, member=member, org=city.branches["a"], kind="secretary",
                                start_on=datetime.date(2020, 1, 1))
    users["admin_a"] = make_user("admin_a", "org_admin", city.districts["a"])
    users["admin_b"] = make_user("admin_b", "org_admin", city.districts["b"])
    return {
        "areas": city.grids["a"][0],
        "orgs": city.branches["a"],
        "members": member,
        "posts": post,
    }


# Scope matrix ------------------------------------------------------------------------

RESOURCES = ["areas", "orgs", "members", "posts"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_is_refused(world, resource):
    obj = world[resource]
    client = client_for()
    assert client.get(f"{API}/{resource}/").status_code == 401
    assert client.get(f"{API}/{resource}/{obj.pk}/").status_code == 401


@pytest.mark.parametrize("resource", RESOURCES)
def test_no_grant_sees_nothing(world, users, resource):
    obj = world[resource]
    client = client_for(users["none"])
    response = client.get(f"{API}/{resource}/")
    assert ids(response) == set() and response.json()["count"] == 0
    assert client.get(f"{API}/{resource}/{obj.pk}/").status_code == 404


@pytest.mark.parametrize("resource", RESOURCES)
def test_grant_on_subtree_sees_object(world, users, resource):
    obj = world[resource]
    client = client_for(users["a"])
    assert obj.pk in ids(client.get(f"{API}/{resource}/"))
    response = client.get(f"{API}/{resource}/{obj.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == obj.pk


@pytest.mark.parametrize("resource", RESOURCES)
def test_grant_on_sibling_subtree_does_not(world, users, resource):
    obj = world[resource]
    client = client_for(users["b"])
    assert obj.pk not in ids(client.get(f"{API}/{resource}/"))
    assert client.get(f"{API}/{resource}/{obj.pk}/").status_code == 404


def test_sibling_lists_are_not_empty(world, city, users):
    """The sibling-subtree case above means something: district B's account sees B's rows."""
    client = client_for(users["b"])
    assert city.branches["b"].pk in ids(client.get(f"{API}/orgs/"))
    assert city.grids["b"][0].pk in ids(client.get(f"{API}/areas/"))


@pytest.mark.parametrize("detail_action", ["summary", "children"])
def test_org_detail_actions_scope(world, city, users, detail_action):
    url = f"{API}/orgs/{city.communities['a'].pk}/{detail_action}/"
    assert client_for().get(url).status_code == 401
    assert client_for(users["none"]).get(url).status_code == 404
    assert client_for(users["b"]).get(url).status_code == 404
    assert client_for(users["a"]).get(url).status_code == 200


def test_org_summary_counts_the_subtree(world, city, users):
    city.member(city.branches["b"], name="李四")
    data = client_for(users["a"]).get(f"{API}/orgs/{city.streets['a'].pk}/summary/").json()
    overview = data["overview"]
    assert overview["orgs_total"] == 3  # street, community, grid branch
    assert overview["members_total"] == 1
    assert overview["coverage"]["grid"] == {"total": 2, "covered": 1, "rate": 50.0}
    assert isinstance(data["panels"], list)


def test_whole_scope_summary(world, city, users):
    city.member(city.branches["b"], name="李四")
    url = f"{API}/summary/"
    assert client_for().get(url).status_code == 401
    assert client_for(users["none"]).get(url).json()["overview"]["orgs_total"] == 0
    a = client_for(users["a"]).get(url).json()["overview"]
    assert (a["orgs_total"], a["members_total"]) == (4, 1)  # district, street, community, branch
    everything = client_for(users["city_admin"]).get(url).json()["overview"]
    assert (everything["orgs_total"], everything["members_total"]) == (9, 2)


def test_summary_includes_registered_panels(world, users, monkeypatch):
    def panel(user, root):
        return {"key": "demo", "title": "演示", "figures": [{"label": "数量", "value": 3, "url": "/x"}]}

    monkeypatch.setattr(overview_panels, "_panels", [overview_panels.Panel("demo", "演示", panel)])
    data = client_for(users["a"]).get(f"{API}/summary/").json()
    assert data["panels"] == [{"key": "demo", "title": "演示", "figures": [{"label": "数量", "value": 3, "url": "/x"}]}]


def test_children_lists_direct_children(world, city, users):
    response = client_for(users["a"]).get(f"{API}/orgs/{city.districts['a'].pk}/children/")
    assert ids(response) == {city.streets["a"].pk}
    assert response.json()["results"][0]["parent"] == city.districts["a"].pk


def test_reveal_scope_and_permission(world, users):
    member = world["members"]
    url = f"{API}/members/{member.pk}/reveal/"
    assert client_for().post(url).status_code == 401
    assert client_for(users["none"]).post(url).status_code == 404
    assert client_for(users["admin_b"]).post(url).status_code == 404
    assert client_for(users["a"]).post(url).status_code == 403  # a secretary may not see full IDs
    assert not AuditEntry.objects.filter(action="view_pii").exists()
    response = client_for(users["admin_a"]).post(url)
    assert response.status_code == 200
    assert response.json() == {"id_number": member.id_number, "phone": "13812345678", "address": "幸福路1号"}
    assert AuditEntry.objects.filter(action="view_pii", actor=users["admin_a"], object_id=str(member.pk)).count() == 1


def test_member_output_is_masked_only(world, users):
    member = world["members"]
    data = client_for(users["a"]).get(f"{API}/members/{member.pk}/").json()
    assert data["id_number_masked"] == member.id_number_masked
    assert data["phone_masked"] == "138****5678"
    assert not {"id_number", "phone", "address"} & set(data)
    text = str(data)
    assert member.id_number not in text
    assert "13812345678" not in text
    assert not any(key.endswith(("_encrypted", "_hash")) for key in data)
    assert member.id_number_encrypted not in text and member.id_number_hash not in text


def test_area_within_org(world, city, users):
    client = client_for(users["city_admin"])
    found = ids(client.get(f"{API}/areas/", {"within": city.communities["a"].pk}))
    assert found == set(Area.objects.within(city.communities["a"].area).values_list("pk", flat=True))
    assert city.grids["b"][0].pk not in found


@pytest.mark.parametrize("resource", ["orgs", "members", "posts"])
def test_within_filters_to_a_subtree(world, city, users, resource):
    client = client_for(users["city_admin"])
    obj = world[resource]
    assert obj.pk in ids(client.get(f"{API}/{resource}/", {"within": city.streets["a"].pk}))
    assert obj.pk not in ids(client.get(f"{API}/{resource}/", {"within": city.streets["b"].pk}))
    # An org outside the caller's scope in `within` gives nothing, not an error.
    assert ids(client_for(users["a"]).get(f"{API}/{resource}/", {"within": city.streets["b"].pk})) == set()


# Writes ------------------------------------------------------------------------------

def member_payload(org, **changes):
    data = {"name": "王五", "id_number": make_id_number(), "phone": "13900001111", "address": "和平路2号",
            "joined_on": "2012-07-01", "status": "full", "category": "employed", "org": org.pk}
    data.update(changes)
    return data


def test_member_create_through_service(world, city, users):
    payload = member_payload(city.branches["a"])
    response = client_for(users["a"]).post(f"{API}/members/", payload, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    member = Member.objects.get(pk=data["id"])
    assert member.id_number == payload["id_number"]
    assert data["id_number_masked"] == member.id_number_masked and "id_number" not in data
    assert data["gender"] in ("male", "female")  # derived from the ID number
    assert AuditEntry.objects.filter(action="create", object_type="orgs.member", object_id=str(member.pk),
                                     actor=users["a"]).count() == 1


def test_member_create_bad_check_digit(world, city, users):
    before = Member.objects.count()
    payload = member_payload(city.branches["a"], id_number=bad_check_digit(make_id_number()))
    response = client_for(users["a"]).post(f"{API}/members/", payload, format="json")
    assert response.status_code == 400
    assert "校验位" in response.json()["id_number"][0]
    assert Member.objects.count() == before


@pytest.mark.parametrize("org_key", ["outside_scope", "view_only"])
def test_member_create_outside_scope(world, city, users, org_key):
    before = Member.objects.count()
    if org_key == "outside_scope":
        user = users["a"]
    else:
        user = make_user("grid_a", "grid_worker", city.districts["b"])  # may view B, not change it
    response = client_for(user).post(f"{API}/members/", member_payload(city.branches["b"]), format="json")
    assert response.status_code == 400
    assert "org" in response.json()
    assert Member.objects.count() == before


def test_member_partial_update(world, users):
    member = world["members"]
    response = client_for(users["a"]).patch(f"{API}/members/{member.pk}/", {"phone": "13700002222"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["phone_masked"] == "137****2222"
    member.refresh_from_db()
    assert member.phone == "13700002222"
    response = client_for(users["a"]).patch(f"{API}/members/{member.pk}/", {"phone": "12ab"}, format="json")
    assert response.status_code == 400 and "phone" in response.json()
    assert client_for(users["b"]).patch(f"{API}/members/{member.pk}/", {"job": "x"}, format="json").status_code == 404


def test_member_move_to_org_outside_scope_refused(world, city, users):
    member = world["members"]
    response = client_for(users["a"]).patch(f"{API}/members/{member.pk}/", {"org": city.branches["b"].pk},
                                            format="json")
    assert response.status_code == 400 and "org" in response.json()
    member.refresh_from_db()
    assert member.org_id == city.branches["a"].pk


def test_org_create_update_close(world, city, users):
    client = client_for(users["a"])
    response = client.post(f"{API}/orgs/", {"name": "第2网格党支部", "kind": "branch", "sector": "urban_community",
                                            "parent": city.communities["a"].pk, "area": city.grids["a"][1].pk},
                           format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["parent"] == city.communities["a"].pk and data["area"] == city.grids["a"][1].pk
    org = Org.objects.get(pk=data["id"])
    assert org.path.startswith(city.communities["a"].path)

    response = client.patch(f"{API}/orgs/{org.pk}/", {"short_name": "二支部"}, format="json")
    assert response.status_code == 200 and response.json()["short_name"] == "二支部"
    response = client.patch(f"{API}/orgs/{org.pk}/", {"parent": city.streets["a"].pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()

    response = client.post(f"{API}/orgs/{org.pk}/close/", {}, format="json")
    assert response.status_code == 200 and response.json()["closed_at"]
    response = client.post(f"{API}/orgs/{city.communities['a'].pk}/close/", {}, format="json")
    # Refused by the org's state (open children), not by anything sent: 409.
    assert response.status_code == 409 and "下级组织" in response.json()["detail"]
    assert AuditEntry.objects.filter(object_type="orgs.org", object_id=str(org.pk), actor=users["a"]) \
        .values_list("action", flat=True).count() == 3


def test_org_create_needs_parent_in_scope(world, city, users):
    before = Org.objects.count()
    client = client_for(users["a"])
    payload = {"name": "新支部", "kind": "branch", "sector": "urban_community"}
    response = client.post(f"{API}/orgs/", {**payload, "parent": city.communities["b"].pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    response = client.post(f"{API}/orgs/", payload, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    assert Org.objects.count() == before


def test_org_update_without_change_right_is_forbidden(world, city):
    viewer = make_user("grid_a", "grid_worker", city.districts["a"])
    response = client_for(viewer).patch(f"{API}/orgs/{city.branches['a'].pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 403
    assert Org.objects.get(pk=city.branches["a"].pk).name != "改名"


def test_move_under_own_descendant_refused(world, city, users):
    before = list(Org.objects.order_by("pk").values_list("path", flat=True))
    response = client_for(users["a"]).post(f"{API}/orgs/{city.streets['a'].pk}/move/",
                                           {"new_parent": city.branches["a"].pk}, format="json")
    assert response.status_code == 400
    assert "new_parent" in response.json()
    assert list(Org.objects.order_by("pk").values_list("path", flat=True)) == before


def test_move(world, city, users):
    response = client_for(users["city_admin"]).post(f"{API}/orgs/{city.branches['a'].pk}/move/",
                                                    {"new_parent": city.communities["b"].pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["parent"] == city.communities["b"].pk
    # The secretary of A no longer sees it; B's does.
    assert client_for(users["a"]).get(f"{API}/orgs/{city.branches['a'].pk}/").status_code == 404
    assert client_for(users["b"]).get(f"{API}/orgs/{city.branches['a'].pk}/").status_code == 200


def test_move_to_parent_outside_scope_refused(world, city, users):
    response = client_for(users["a"]).post(f"{API}/orgs/{city.branches['a'].pk}/move/",
                                           {"new_parent": city.communities["b"].pk}, format="json")
    assert response.status_code == 400 and "new_parent" in response.json()
    assert Org.objects.get(pk=city.branches["a"].pk).path.startswith(city.communities["a"].path)


def test_post_create_and_end(world, city, users):
    client = client_for(users["a"])
    member = world["members"]
    response = client.post(f"{API}/posts/", {"member": member.pk, "org": city.communities["a"].pk,
                                             "kind": "committee_member", "start_on": "2021-03-01"}, format="json")
    assert response.status_code == 201, response.content
    post_id = response.json()["id"]
    assert response.json()["member_name"] == "张三"
    response = client.post(f"{API}/posts/{post_id}/end/", {"end_on": "2020-01-01"}, format="json")
    assert response.status_code == 400 and "end_on" in response.json()
    response = client.post(f"{API}/posts/{post_id}/end/", {"end_on": "2022-01-01"}, format="json")
    assert response.status_code == 200 and response.json()["end_on"] == "2022-01-01"
    assert client_for(users["b"]).post(f"{API}/posts/{post_id}/end/", {"end_on": "2022-01-01"},
                                       format="json").status_code == 404


def test_post_for_member_outside_scope_refused(world, city, users):
    other = city.member(city.branches["b"], name="李四")
    before = Post.objects.count()
    response = client_for(users["a"]).post(f"{API}/posts/", {"member": other.pk, "org": city.branches["a"].pk,
                                                             "kind": "committee_member", "start_on": "2021-03-01"},
                                           format="json")
    assert response.status_code == 400 and "member" in response.json()
    assert Post.objects.count() == before


# Authentication, errors, languages ---------------------------------------------------

def test_token_from_command_authenticates(world, users):
    out = io.StringIO()
    call_command("token", "create", "--user", "sec_a", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert world["orgs"].pk in ids(client.get(f"{API}/orgs/"))
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(f"{API}/orgs/").status_code == 401


def test_session_auth_works(world, users):
    client = APIClient()
    client.force_login(users["a"])
    assert world["orgs"].pk in ids(client.get(f"{API}/orgs/"))


def test_errors_in_the_callers_language(world, city, users):
    client = client_for(users["a"])
    payload = member_payload(city.branches["a"])
    del payload["name"]
    default = client.post(f"{API}/members/", payload, format="json")
    assert default.status_code == 400 and default.json()["name"] == ["该字段是必填项。"]
    english = client.post(f"{API}/members/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["name"] == ["This field is required."]
    traditional = client.post(f"{API}/members/", payload, format="json", HTTP_ACCEPT_LANGUAGE="zh-Hant")
    assert traditional.status_code == 400 and traditional.json()["name"] != english.json()["name"]


@pytest.mark.parametrize("method,url,body", [
    ("get", "/orgs/?within=abc", None),
    ("get", "/orgs/?kind=nonsense", None),
    ("get", "/members/?status=x&page_size=abc", None),
    ("post", "/members/", [1, 2]),
    ("post", "/members/", {"org": "abc", "joined_on": "yesterday", "status": "x"}),
    ("post", "/members/", {"org": [1], "name": "a\x00b"}),
    ("post", "/orgs/", {"parent": 99999999999999999999999, "name": "x", "kind": "branch", "sector": "rural"}),
    ("post", "/orgs/", {"parent": True, "name": "x" * 500, "kind": "branch", "sector": "rural"}),
    ("post", "/posts/", {"member": None, "org": None, "kind": "secretary", "start_on": "2020-13-40"}),
])
def test_bad_input_is_400(world, users, method, url, body):
    response = getattr(client_for(users["a"]), method)(f"{API}{url}", body, format="json")
    assert response.status_code == 400, response.content
    assert isinstance(response.json(), dict)


@pytest.mark.parametrize("url", [
    "/orgs/99999999999999999999999/", "/orgs/abc/", "/members/-1/", "/orgs/?page=999", "/posts/1.5/",
    "/orgs/0.5/summary/", "/members/-2.8e-283/",
])
def test_unknown_is_404(world, users, url):
    response = client_for(users["a"]).get(f"{API}{url}")
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("url", [
    "/members/?org=9223372036854775807", "/posts/?org=9223372036854775807&member=9223372036854775807",
    "/orgs/?parent=9223372036854775807&within=9223372036854775807", "/areas/?parent=9223372036854775807",
])
def test_ids_that_name_nothing_in_filters_find_nothing(world, users, url):
    response = client_for(users["a"]).get(f"{API}{url}")
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []


@pytest.mark.parametrize("path,name", [
    ("/members/", "org"), ("/members/", "within"), ("/posts/", "org"), ("/posts/", "member"),
    ("/orgs/", "parent"), ("/orgs/", "within"), ("/areas/", "parent"), ("/areas/", "within"),
])
@pytest.mark.parametrize("value,reason", [
    ("1.5", "整数"), ("99999999999999999999", "9223372036854775807"), ("1e40", "整数"),
    ("-3", "1"), ("0", "1"),
])
def test_an_id_filter_that_is_not_an_id_is_400_naming_it(world, users, path, name, value, reason):
    """Every id filter is core.filters.IdFilter: a decimal, a number past 64 bits or below 1
    is a 400 that names the parameter and says why, never a server error or a silent empty page."""
    response = client_for(users["a"]).get(f"{API}{path}", {name: value})
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [name] and reason in body[name][0], body


def test_a_whole_id_written_as_a_decimal_is_that_id(world, city, users):
    parent = city.districts["a"]
    response = client_for(users["a"]).get(f"{API}/orgs/", {"parent": f"{parent.pk}.0"})
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert names == {city.streets["a"].name}


def test_malformed_json_is_400(world, users):
    response = client_for(users["a"]).post(f"{API}/members/", "{not json", content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


def test_long_names_do_not_break_the_database(world, city, users):
    """Search keys of long Chinese names stay within their columns (PostgreSQL enforces lengths)."""
    client = client_for(users["a"])
    response = client.post(f"{API}/members/", member_payload(city.branches["a"], name="龘" * 60), format="json")
    assert response.status_code == 201, response.content
    response = client.post(f"{API}/orgs/", {"name": "龘" * 120, "short_name": "龘" * 60, "kind": "branch",
                                            "sector": "rural", "parent": city.communities["a"].pk}, format="json")
    assert response.status_code == 201, response.content
    response = client.patch(f"{API}/orgs/{response.json()['id']}/", {"name": "爨" * 120}, format="json")
    assert response.status_code == 200, response.content


# Query counts ------------------------------------------------------------------------

@pytest.fixture
def crowded(city, users):
    """Thirty-plus rows of every kind under district A."""
    community = city.communities["a"]
    for i in range(32):
        grid_area = services.area_create(actor=None, parent=community.area, name=f"网格{i}", kind=AreaKind.GRID)
        services.org_create(actor=None, parent=community, name=f"支部{i}", kind=OrgKind.BRANCH,
                            sector=Sector.URBAN_COMMUNITY, area=grid_area)
        member = city.member(city.branches["a"], name=f"党员{i}")
        services.post_assign(actor=None, member=member, org=city.branches["a"], kind="committee_member",
                             start_on=datetime.date(2020, 1, 1))
    return users


def test_lists_of_many_rows_take_few_queries(crowded, city, django_assert_max_num_queries):
    client = client_for(crowded["a"])
    community = city.communities["a"].pk
    cases = [
        ("/areas/", {}), ("/orgs/", {}), ("/members/", {}), ("/posts/", {}),
        ("/orgs/", {"within": community}), ("/members/", {"within": community, "q": "dangyuan"}),
        (f"/orgs/{community}/children/", {}),
    ]
    client.get(f"{API}/")  # a token's first use is written once (accounts.tokens.LAST_USED_GRAIN)
    for url, params in cases:
        with django_assert_max_num_queries(5):
            response = client.get(f"{API}{url}", {**params, "page_size": 100})
        assert response.status_code == 200
        assert len(response.json()["results"]) >= 30, url


def test_pagination(crowded):
    client = client_for(crowded["a"])
    first = client.get(f"{API}/members/", {"page_size": 10}).json()
    assert first["count"] == 32 and len(first["results"]) == 10 and first["next"]
    last = client.get(f"{API}/members/", {"page_size": 10, "page": 4}).json()
    assert len(last["results"]) == 2 and last["next"] is None


# Health and schema -------------------------------------------------------------------

@pytest.mark.django_db
def test_healthz():
    response = APIClient().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_schema_has_no_warnings_and_is_valid():
    call_command("spectacular", "--validate", "--fail-on-warn", "--lang", "zh-hans", stdout=io.StringIO(),
                 stderr=io.StringIO())


@pytest.mark.django_db
def test_schema_documents_error_responses():
    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out, stderr=io.StringIO())
    schema = json.loads(out.getvalue())
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) >= 20
    for path, method, op in operations:
        codes = set(op["responses"])
        assert {"401", "403"} <= codes, (method, path)
        paginated = "Paginated" in json.dumps(op["responses"].get("200", {}))
        if "{id}" in path or paginated:
            assert "404" in codes, (method, path)  # out of scope, or a page past the end
        if op.get("requestBody") or any(p["in"] == "query" for p in op.get("parameters", [])):
            assert "400" in codes, (method, path)
    assert schema["components"]["schemas"]["ValidationError"]["type"] == "object"


@pytest.mark.django_db
def test_committed_schema_is_current(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--lang", "zh-hans", "--file", str(generated), stderr=io.StringIO())
    assert OPENAPI_FILE.read_text() == generated.read_text(), (
        "docs/openapi.yaml is out of date: run `.venv/bin/dangjian spectacular --lang zh-hans "
        "--file docs/openapi.yaml` and commit it"
    )


@pytest.mark.django_db
def test_schema_and_docs_pages_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
