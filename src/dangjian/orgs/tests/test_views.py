"""Pages of the organisation system: the scope matrix for every list and detail page
(anonymous, no grant, grant on the row's subtree, grant on a sibling subtree), bounded
query counts on the busy pages, and the forms' error paths."""

import datetime

import pytest
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.testing import make_id_number, make_user
from dangjian.orgs import services
from dangjian.orgs.models import Area, Member, Org, OrgKind, Sector


@pytest.fixture
def rows(city):
    """One member in each district, named so a page shows whose rows it lists."""
    return {
        "member_a": city.member(city.branches["a"], name="甲党员"),
        "member_b": city.member(city.branches["b"], name="乙党员"),
        "community_area_a": Area.objects.get(name="甲区幸福社区"),
    }


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


# The scope matrix ---------------------------------------------------------------------

# (url name, marker that must appear for district A's secretary and never for B's or nobody's)
LISTS = [
    ("orgs:org_list", "甲区幸福社区党委"),
    ("orgs:member_list", "甲党员"),
    ("orgs:area_list", "甲区幸福社区"),
    ("orgs:tree", "中共甲区委"),
    ("orgs:area_tree", "甲区"),
]


@pytest.mark.parametrize("name,marker", LISTS)
def test_list_anonymous_redirects_to_login(client, rows, name, marker):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name,marker", LISTS)
@pytest.mark.parametrize("who,shown", [("a", True), ("b", False), ("none", False), ("city_admin", True)])
def test_list_scope(client, users, rows, name, marker, who, shown):
    response = login(client, users[who]).get(reverse(name))
    assert response.status_code == 200
    assert (marker in response.content.decode()) is shown


def _detail_urls(city, rows):
    return {
        "org_detail": reverse("orgs:org_detail", args=[city.communities["a"].pk]),
        "org_children": reverse("orgs:org_children", args=[city.streets["a"].pk]),
        "org_edit": reverse("orgs:org_edit", args=[city.communities["a"].pk]),
        "org_move": reverse("orgs:org_move", args=[city.communities["a"].pk]),
        "org_close": reverse("orgs:org_close", args=[city.branches["a"].pk]),
        "org_create": reverse("orgs:org_create") + f"?parent={city.communities['a'].pk}",
        "post_assign": reverse("orgs:post_assign", args=[city.communities["a"].pk]),
        "member_detail": reverse("orgs:member_detail", args=[rows["member_a"].pk]),
        "member_edit": reverse("orgs:member_edit", args=[rows["member_a"].pk]),
        "member_create": reverse("orgs:member_create") + f"?org={city.branches['a'].pk}",
        "area_children": reverse("orgs:area_children", args=[rows["community_area_a"].pk]),
        "home_root": reverse("home") + f"?root={city.communities['a'].pk}",
    }


DETAILS = ["org_detail", "org_children", "org_edit", "org_move", "org_close", "org_create", "post_assign",
           "member_detail", "member_edit", "member_create", "area_children", "home_root"]


# What each page must show when allowed (and never when refused): the object it is about.
DETAIL_MARKERS = {
    "org_detail": "甲区幸福社区党委", "org_children": "甲区幸福社区党委", "org_edit": "甲区幸福社区党委",
    "org_move": "甲区幸福社区党委", "org_close": "甲区幸福社区第1网格党支部", "org_create": "甲区幸福社区党委",
    "post_assign": "甲区幸福社区党委", "member_detail": "甲党员", "member_edit": "甲党员",
    "member_create": "甲区幸福社区第1网格党支部", "area_children": "第1网格", "home_root": "甲区幸福社区党委",
}


@pytest.mark.parametrize("page", DETAILS)
@pytest.mark.parametrize("who,status", [(None, 302), ("none", 404), ("b", 404), ("a", 200), ("city_admin", 200)])
def test_detail_scope(client, city, users, rows, page, who, status):
    url = _detail_urls(city, rows)[page]
    response = login(client, users[who] if who else None).get(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    # Content, not only the status: the allowed page is about the object, a refusal names nothing.
    assert (DETAIL_MARKERS[page] in response.content.decode()) is (status == 200)


def test_member_detail_in_other_district_is_404_and_says_so_in_chinese(client, users, rows):
    response = login(client, users["a"]).get(reverse("orgs:member_detail", args=[rows["member_b"].pk]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_post_end_scope(client, city, users, rows):
    post = services.post_assign(actor=None, member=rows["member_b"], org=city.branches["b"], kind="secretary",
                                start_on=datetime.date(2024, 1, 1))
    url = reverse("orgs:post_end", args=[post.pk])
    assert login(client, users["a"]).get(url).status_code == 404
    client.logout()
    assert login(client, users["b"]).get(url).status_code == 200


def test_view_only_grant_gets_403_on_forms(client, city, rows):
    worker = make_user("grid_worker_a", "grid_worker", city.communities["a"])
    login(client, worker)
    assert client.get(reverse("orgs:org_detail", args=[city.communities["a"].pk])).status_code == 200
    response = client.get(reverse("orgs:org_edit", args=[city.communities["a"].pk]))
    assert response.status_code == 403
    assert "无权操作" in response.content.decode()
    response = client.post(reverse("orgs:member_edit", args=[rows["member_a"].pk]), {"name": "改名"})
    assert response.status_code == 403
    assert Member.objects.get(pk=rows["member_a"].pk).name == "甲党员"


# Home and overview ---------------------------------------------------------------------

def test_home_figures_link_to_their_rows(client, city, users, rows):
    content = login(client, users["a"]).get(reverse("home")).content.decode()
    assert 'href="/orgs/list/?kind=branch"' in content
    assert 'href="/members/?status=full"' in content
    assert 'href="/members/?category=employed"' in content
    assert 'href="/areas/list/?kind=grid&amp;covered=false"' in content
    # district A: one grid of two has a branch
    assert "50.0%" in content


def test_home_root_narrows_links(client, city, users, rows):
    community = city.communities["a"]
    content = login(client, users["a"]).get(reverse("home") + f"?root={community.pk}").content.decode()
    assert f'href="/orgs/list/?kind=branch&amp;within={community.pk}"' in content
    assert f'href="/areas/list/?kind=grid&amp;covered=false&amp;within={community.area_id}"' in content


def test_home_without_grant_says_so(client, users):
    content = login(client, users["none"]).get(reverse("home")).content.decode()
    assert "还没有任何党组织的授权" in content


def _demo_panel(calls):
    def panel(user, root):
        calls.append((user, root))
        Org.objects.filter(pk=root.pk if root else 0).exists()  # a query, as every real panel makes
        return {"key": "demo", "title": "测试面板",
                "figures": [{"label": "演示数字", "value": 7, "url": f"/orgs/list/?within={root.pk if root else ''}"}]}
    return panel


def test_home_shows_a_placeholder_per_panel_and_loads_it_after_the_page(client, city, users, rows, monkeypatch):
    from dangjian.core import overview

    calls = []
    monkeypatch.setattr(overview, "_panels", [overview.Panel("demo", "测试面板", _demo_panel(calls))])
    login(client, users["a"])
    content = client.get(reverse("home")).content.decode()
    url = reverse("orgs:overview_panel", args=["demo"])
    assert calls == []  # the page did not compute the panel
    assert "测试面板" in content and "加载中…" in content and "演示数字" not in content
    assert f'hx-get="{url}"' in content and 'hx-trigger="load"' in content
    assert f'<noscript> <a href="{url}">' in content
    community = city.communities["a"]
    fragment = client.get(url, {"root": community.pk}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and fragment["Cache-Control"] == "private, no-store"
    assert "<html" not in body and "测试面板" in body and "演示数字" in body and ">7<" in body
    assert f"/orgs/list/?within={community.pk}" in body
    assert calls == [(users["a"], community)]
    page = client.get(url).content.decode()  # the plain link: a page of its own
    assert "<html" in page and "演示数字" in page


def test_panel_fragment_checks_the_scope(client, city, users, rows, monkeypatch):
    from dangjian.core import overview

    calls = []
    monkeypatch.setattr(overview, "_panels", [overview.Panel("demo", "测试面板", _demo_panel(calls))])
    url = reverse("orgs:overview_panel", args=["demo"])
    assert client.get(url).status_code == 302  # signed out: to the login page
    login(client, users["a"])
    sibling = city.communities["b"]
    assert client.get(url, {"root": sibling.pk}, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(url, {"root": "1.5"}, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(reverse("orgs:overview_panel", args=["nothing"]), HTTP_HX_REQUEST="true").status_code == 404
    assert calls == []


def test_a_panel_with_nothing_to_show_is_removed(client, users, rows, monkeypatch):
    from dangjian.core import overview

    monkeypatch.setattr(overview, "_panels", [overview.Panel("empty", "空面板", lambda user, root: None)])
    login(client, users["a"])
    fragment = client.get(reverse("orgs:overview_panel", args=["empty"]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and fragment.content.decode().strip() == ""
    assert "暂无统计数据" in client.get(reverse("orgs:overview_panel", args=["empty"])).content.decode()


def test_coverage_link_lists_the_uncovered_grids(client, city, users, rows):
    login(client, users["a"])
    uncovered = client.get(reverse("orgs:area_list") + "?kind=grid&covered=false").content.decode()
    covered = client.get(reverse("orgs:area_list") + "?kind=grid&covered=true").content.decode()
    assert "第2网格" in uncovered and "第1网格" not in uncovered
    assert "第1网格" in covered and "第2网格" not in covered
    assert "共 1 条" in uncovered


def test_area_tree_redirects_filtered_links_to_the_list(client, users, rows):
    response = login(client, users["a"]).get("/areas/?kind=grid&covered=0")
    assert response.status_code == 302
    assert response["Location"] == "/areas/list/?kind=grid&covered=0"


def test_area_children_show_coverage(client, city, users, rows):
    street_area = Area.objects.get(name="甲区一街道")
    content = login(client, users["a"]).get(reverse("orgs:area_children", args=[street_area.pk])).content.decode()
    assert "甲区幸福社区" in content
    assert "网格有支部 1/2" in content
    community_area = rows["community_area_a"]
    assert f'href="/orgs/list/?area={community_area.pk}"' in content  # its org count links to the orgs


def test_org_list_by_area(client, city, users, rows):
    content = login(client, users["a"]).get(
        reverse("orgs:org_list"), {"area": rows["community_area_a"].pk}).content.decode()
    table = content.split("<tbody>")[1]
    assert "甲区幸福社区党委" in table and "第1网格党支部" not in table


# Lists ---------------------------------------------------------------------------------

def test_member_search_is_script_and_pinyin_insensitive(client, city, users, rows):
    city.member(city.branches["a"], name="党建华")
    login(client, users["a"])
    for query in ("黨建", "党建", "dangjian", "djh"):
        content = client.get(reverse("orgs:member_list"), {"q": query}).content.decode()
        assert "党建华" in content, query
        assert "甲党员" not in content, query


def test_member_search_by_full_id_number(client, city, users, rows):
    number = make_id_number()
    city.member(city.branches["a"], name="王身份", id_number=number)
    content = login(client, users["a"]).get(reverse("orgs:member_list"), {"q": number}).content.decode()
    table = content.split("<tbody>")[1].split("</tbody>")[0]
    assert "王身份" in table and "甲党员" not in table
    assert number not in table  # the list shows the masked form only
    assert number[:6] + "********" + number[-4:] in table


def test_member_list_within_an_org_outside_scope_is_empty(client, city, users, rows):
    content = login(client, users["a"]).get(
        reverse("orgs:member_list"), {"within": city.districts["b"].pk}).content.decode()
    assert "乙党员" not in content and "甲党员" not in content


def test_list_with_a_bad_filter_shows_the_error_and_no_rows(client, users, rows):
    content = login(client, users["a"]).get(reverse("orgs:member_list"), {"status": "bogus"}).content.decode()
    assert "甲党员" not in content
    assert "field-errors" in content


def test_org_list_hides_closed_orgs_unless_asked(client, city, users, rows):
    extra = services.org_create(actor=None, parent=city.communities["a"], name="待撤销支部", kind=OrgKind.BRANCH,
                                sector=Sector.URBAN_COMMUNITY)
    services.org_close(actor=None, org=extra)
    login(client, users["a"])
    assert "待撤销支部" not in client.get(reverse("orgs:org_list")).content.decode()
    assert "待撤销支部" in client.get(reverse("orgs:org_list"), {"closed": "true"}).content.decode()


# Query counts --------------------------------------------------------------------------

@pytest.fixture
def crowd(city):
    """Ten branches under community A with three or four members each (35 members)."""
    branches = []
    for i in range(10):
        branches.append(services.org_create(actor=None, parent=city.communities["a"], name=f"第{i + 3}支部",
                                            kind=OrgKind.BRANCH, sector=Sector.URBAN_COMMUNITY))
    for i in range(35):
        city.member(branches[i % 10], name=f"党员{i:02d}", category=("employed", "retired", "student")[i % 3])
    return branches


def test_home_query_count(client, users, crowd, django_assert_max_num_queries):
    login(client, users["a"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_tree_children_query_count(client, city, users, crowd, django_assert_max_num_queries):
    login(client, users["a"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("orgs:org_children", args=[city.communities["a"].pk]))
    content = response.content.decode()
    assert content.count('class="tree-node') == 11  # the grid branch and the ten new ones
    assert "4 人" in content and "3 人" in content


def test_org_list_query_count(client, users, crowd, django_assert_max_num_queries):
    login(client, users["a"])
    with django_assert_max_num_queries(9):
        response = client.get(reverse("orgs:org_list"))
    assert "第12支部" in response.content.decode()


def test_member_list_query_count(client, city, users, crowd, django_assert_max_num_queries):
    login(client, users["a"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("orgs:member_list"), {"within": city.communities["a"].pk})
    content = response.content.decode()
    assert content.count("/members/") >= 35
    assert "共 35 条" in content


def test_org_detail_query_count(client, city, users, crowd, django_assert_max_num_queries):
    login(client, users["a"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("orgs:org_detail", args=[city.communities["a"].pk]))
    assert response.status_code == 200


def test_panels_do_not_add_queries_to_the_pages(client, city, users, crowd, monkeypatch):
    """Every module's panel loads after the page: the org page and the home page make the
    same queries with all the registered panels as with none."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.core import overview

    assert len(overview.registered()) >= 6  # lists, duties, responsibilities, requests, co-building, service
    login(client, users["a"])
    urls = [reverse("orgs:org_detail", args=[city.communities["a"].pk]),
            reverse("home") + "?root=%d" % city.districts["a"].pk]
    client.get(urls[0])  # warm the session and caches

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    with_panels = counts()
    content = client.get(urls[0]).content.decode()
    assert content.count('data-testid="panel-placeholder"') == len(overview.registered())
    monkeypatch.setattr(overview, "_panels", [])
    assert counts() == with_panels


def test_area_list_query_count(client, city, users, rows, django_assert_max_num_queries):
    for i in range(20):  # more grids, half of them with a branch, so an N+1 would show
        grid = services.area_create(actor=None, parent=rows["community_area_a"], name=f"加密网格{i}", kind="grid")
        if i % 2:
            services.org_create(actor=None, parent=city.communities["a"], name=f"加密网格{i}党支部",
                                kind=OrgKind.BRANCH, sector=Sector.URBAN_COMMUNITY, area=grid)
    login(client, users["a"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("orgs:area_list"))
    content = response.content.decode()
    assert "甲区一街道" in content
    assert "测试市" not in content  # the parent of the user's top area lies outside the scope
    assert "网格有支部 11/22" in content


# Forms ---------------------------------------------------------------------------------

def test_move_under_own_descendant_shows_error_and_changes_nothing(client, city, users, rows):
    before = list(Org.objects.order_by("pk").values_list("pk", "path"))
    response = login(client, users["a"]).post(
        reverse("orgs:org_move", args=[city.streets["a"].pk]), {"new_parent": city.branches["a"].pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert "不能把组织移动到它自己或它的下级组织之下" in form.errors["new_parent"][0]
    assert 'aria-invalid="true"' in response.content.decode()
    assert list(Org.objects.order_by("pk").values_list("pk", "path")) == before


def test_move_to_sibling_subtree_is_refused_on_the_field(client, city, users, rows):
    response = login(client, users["a"]).post(
        reverse("orgs:org_move", args=[city.communities["a"].pk]), {"new_parent": city.streets["b"].pk})
    assert response.status_code == 200
    assert "new_parent" in response.context["form"].errors


def test_move_inside_scope(client, city, users, rows):
    target = services.org_create(actor=None, parent=city.districts["a"], name="甲区二街道党工委",
                                 kind=OrgKind.WORKING_COMMITTEE, sector=Sector.URBAN_COMMUNITY)
    response = login(client, users["a"]).post(
        reverse("orgs:org_move", args=[city.communities["a"].pk]), {"new_parent": target.pk})
    assert response.status_code == 302
    assert Org.objects.get(pk=city.communities["a"].pk).path.startswith(Org.objects.get(pk=target.pk).path)


def _member_post(org, **overrides):
    data = {"name": "新党员", "id_number": make_id_number(), "gender": "", "ethnicity": "汉族", "education": "",
            "phone": "13900001111", "address": "", "joined_on": "2012-07-01", "full_on": "", "status": "full",
            "category": "employed", "job": "", "employer_name": "", "org": org.pk, "residence_area": ""}
    data.update(overrides)
    return data


def test_member_with_bad_check_digit_shows_field_error(client, city, users, rows):
    number = make_id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    count = Member.objects.count()
    response = login(client, users["a"]).post(
        reverse("orgs:member_create") + f"?org={city.branches['a'].pk}", _member_post(city.branches["a"], id_number=wrong))
    assert response.status_code == 200
    assert "校验位" in response.context["form"].errors["id_number"][0]
    assert Member.objects.count() == count


def test_member_create_and_edit_keep_secrets(client, city, users, rows):
    login(client, users["a"])
    number = make_id_number()
    response = client.post(reverse("orgs:member_create"), _member_post(city.branches["a"], id_number=number))
    assert response.status_code == 302
    member = Member.objects.get(name="新党员")
    assert member.id_number == number
    data = _member_post(city.branches["a"], name="新党员改", id_number="", phone="")
    response = client.post(reverse("orgs:member_edit", args=[member.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    member.refresh_from_db()
    assert (member.name, member.id_number, member.phone) == ("新党员改", number, "13900001111")


def test_member_create_in_sibling_org_is_refused_on_the_field(client, city, users, rows):
    response = login(client, users["a"]).post(reverse("orgs:member_create"), _member_post(city.branches["b"]))
    assert response.status_code == 200
    assert "org" in response.context["form"].errors
    assert not Member.objects.filter(name="新党员").exists()


def test_org_create_edit_close(client, city, users, rows):
    login(client, users["a"])
    response = client.post(reverse("orgs:org_create") + f"?parent={city.communities['a'].pk}",
                           {"name": "新建党支部", "kind": "branch", "sector": "urban_community",
                            "area": city.grids["a"][1].pk})
    assert response.status_code == 302
    org = Org.objects.get(name="新建党支部")
    assert org.area_id == city.grids["a"][1].pk
    response = client.post(reverse("orgs:org_edit", args=[org.pk]),
                           {"name": "", "kind": "branch", "sector": "urban_community"})
    assert response.status_code == 200 and "name" in response.context["form"].errors
    response = client.post(reverse("orgs:org_edit", args=[org.pk]),
                           {"name": "改名党支部", "kind": "branch", "sector": "urban_community"})
    assert response.status_code == 302
    assert Org.objects.get(pk=org.pk).name == "改名党支部"
    response = client.post(reverse("orgs:org_close", args=[city.communities["a"].pk]), {"closed_at": "2026-01-01"})
    assert response.status_code == 200 and "closed_at" in response.context["form"].errors
    response = client.post(reverse("orgs:org_close", args=[org.pk]), {"closed_at": "2026-01-01"})
    assert response.status_code == 302
    assert Org.objects.get(pk=org.pk).closed_at == datetime.date(2026, 1, 1)


def test_org_create_with_area_outside_scope_is_refused(client, city, users, rows):
    response = login(client, users["a"]).post(
        reverse("orgs:org_create") + f"?parent={city.communities['a'].pk}",
        {"name": "越界支部", "kind": "branch", "sector": "urban_community", "area": city.grids["b"][1].pk})
    assert response.status_code == 200 and "area" in response.context["form"].errors
    assert not Org.objects.filter(name="越界支部").exists()


def test_post_assign_and_end(client, city, users, rows):
    login(client, users["a"])
    response = client.post(reverse("orgs:post_assign", args=[city.branches["a"].pk]),
                           {"member": rows["member_a"].pk, "kind": "secretary", "start_on": "2024-03-01"})
    assert response.status_code == 302
    page = client.get(reverse("orgs:org_detail", args=[city.branches["a"].pk])).content.decode()
    assert "书记" in page and "甲党员" in page
    post = rows["member_a"].posts.get()
    response = client.post(reverse("orgs:post_end", args=[post.pk]), {"end_on": "2023-01-01"})
    assert response.status_code == 200 and "end_on" in response.context["form"].errors
    response = client.post(reverse("orgs:post_end", args=[post.pk]), {"end_on": "2025-01-01"})
    assert response.status_code == 302
    assert "甲党员" not in client.get(reverse("orgs:org_detail", args=[city.branches["a"].pk])).content.decode().split(
        'id="h-posts"')[1].split("</section>")[0]


def test_org_page_offers_post_form_only_to_who_may_change(client, city, users, rows):
    url = reverse("orgs:org_detail", args=[city.branches["a"].pk])
    assert f'action="/orgs/{city.branches["a"].pk}/posts/new/"' in login(client, users["a"]).get(url).content.decode()
    client.logout()
    worker = make_user("grid_worker_a", "grid_worker", city.communities["a"])
    assert "/posts/new/" not in login(client, worker).get(url).content.decode()


def test_error_pages_are_in_chinese(rf):
    from django.views import defaults

    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


def test_post_assign_member_outside_scope_is_refused(client, city, users, rows):
    response = login(client, users["a"]).post(
        reverse("orgs:post_assign", args=[city.branches["a"].pk]),
        {"member": rows["member_b"].pk, "kind": "secretary", "start_on": "2024-03-01"})
    assert response.status_code == 200 and "member" in response.context["form"].errors


# Full personal data --------------------------------------------------------------------

def test_reveal_needs_view_full_id_and_is_audited(client, users, rows):
    member = rows["member_a"]
    url = reverse("orgs:member_detail", args=[member.pk])
    reveal = reverse("orgs:member_reveal", args=[member.pk])

    login(client, users["a"])  # a secretary: masked data only
    content = client.get(url).content.decode()
    assert "查看完整信息" not in content and member.id_number not in content
    assert client.post(reveal).status_code == 403
    client.logout()

    login(client, users["city_admin"])  # the organisation department may see it, audited
    content = client.get(url).content.decode()
    assert "查看完整信息" in content and member.id_number not in content
    assert client.get(reveal).status_code == 405
    response = client.post(reveal)
    assert response.status_code == 200
    assert member.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="view_pii", object_id=str(member.pk)).count() == 1
    assert member.id_number not in client.get(url).content.decode()
