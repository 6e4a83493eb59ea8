import pytest
from django.db import connection
from django.urls import reverse

from dangjian.accounts import services as account_services
from dangjian.core.scope import scope_paths, user_can
from dangjian.testing import make_user
from dangjian.core.tree import subtree_q
from dangjian.orgs import selectors
from dangjian.orgs import services as org_services
from dangjian.orgs.models import Area, Member, Org, OrgKind, Sector

pytestmark = pytest.mark.scope


def test_scope_is_the_union_of_grants(city, users):
    user = users["a"]
    assert set(Org.objects.visible_to(user)) == set(Org.objects.within(city.districts["a"]))
    account_services.role_grant(actor=None, user=user, role="secretary", org=city.communities["b"])
    visible = set(Org.objects.visible_to(user))
    assert city.branches["b"] in visible and city.districts["b"] not in visible


def test_no_grant_sees_nothing(city, users):
    assert not Org.objects.visible_to(users["none"]).exists()
    assert not Area.objects.visible_to(users["none"]).exists()
    assert scope_paths(None) == []


def test_areas_follow_the_granted_orgs(city, users):
    areas = set(Area.objects.visible_to(users["a"]))
    assert city.grids["a"][0] in areas and city.grids["b"][0] not in areas


def test_member_role_sees_orgs_but_only_own_record(city):
    me = city.member(city.branches["a"], name="本人")
    other = city.member(city.branches["a"], name="他人")
    user = make_user("plain_member", "member", city.branches["a"], member=me)
    assert list(Member.objects.visible_to(user)) == [me]
    assert other not in Member.objects.visible_to(user)
    assert user_can(user, "view", city.branches["a"]) and not user_can(user, "change", city.branches["a"])


def test_closed_grant_org_gives_nothing(city, users):
    grid_user = make_user("closing", "secretary", city.branches["a"])
    Org.objects.filter(pk=city.branches["a"].pk).update(closed_at="2026-01-01")
    assert not Org.objects.visible_to(grid_user).exists()


@pytest.mark.parametrize("action", ["view", "view_members", "change", "export"])
def test_sibling_grant_cannot_act(city, users, action):
    assert not user_can(users["b"], action, city.branches["a"])


def _child_whose_path_ends_in(parent, last):
    """Add branches under `parent` until one's path ends in `last` (9 is the 9th child, Z the 35th)."""
    for n in range(36):
        org = org_services.org_create(actor=None, parent=parent, name=f"第{n + 1}党支部", kind=OrgKind.BRANCH,
                                      sector=Sector.URBAN_COMMUNITY)
        if org.path.endswith(last):
            return org
    raise AssertionError(f"no child path ended in {last}")


@pytest.mark.parametrize("last", ["9", "Z"])
def test_secretary_of_an_org_whose_path_ends_in_9_or_z_sees_its_subtree(city, client, last):
    # The old upper bound was chr(ord(last) + 1): ':' or '[', which ICU and glibc
    # collations sort before the digits, so the range came out empty there.
    org = _child_whose_path_ends_in(city.communities["a"], last)
    group = org_services.org_create(actor=None, parent=org, name="第一党小组", kind=OrgKind.GROUP,
                                    sector=Sector.URBAN_COMMUNITY)
    in_org, in_group = city.member(org, name="甲"), city.member(group, name="乙")
    neighbour = org_services.org_create(actor=None, parent=city.communities["a"], name="邻支部",
                                        kind=OrgKind.BRANCH, sector=Sector.URBAN_COMMUNITY)
    city.member(neighbour, name="丙")
    user = make_user(f"sec_{last}", "secretary", org)

    assert set(Org.objects.visible_to(user)) == {org, group}
    assert set(Member.objects.visible_to(user, "view_members")) == {in_org, in_group}
    assert user_can(user, "change", group)
    figures = selectors.overview(user)
    assert (figures["orgs_total"], figures["members_total"]) == (2, 2)
    assert selectors.overview(make_user(f"street_{last}", "secretary", city.streets["a"]), org)["members_total"] == 2
    client.force_login(user)
    page = client.get(reverse("orgs:org_detail", args=[group.pk]))
    assert page.status_code == 200 and "第一党小组" in page.content.decode()
    members = client.get(reverse("orgs:member_list")).content.decode()
    assert "甲" in members and "乙" in members and "丙" not in members


@pytest.mark.postgres
def test_path_columns_are_bytewise_and_ranges_use_the_index(city):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite compares text bytewise (BINARY) already")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, collation_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND (table_name, column_name) IN "
            "(('orgs_org', 'path'), ('orgs_area', 'path'), ('core_auditentry', 'org_path'), "
            "('core_importjob', 'org_path'))"
        )
        collations = {(table, column): collation for table, column, collation in cursor.fetchall()}
        assert collations == {("orgs_org", "path"): "C", ("orgs_area", "path"): "C",
                              ("core_auditentry", "org_path"): "C", ("core_importjob", "org_path"): "C"}
        # The test tables are tiny, so forbid the sequential scan to see which index could serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Org.objects.filter(subtree_q("path", [city.districts["a"].path])).explain()
    assert "orgs_org_path" in plan and "Seq Scan" not in plan


def test_core_imports_no_app():
    # Layers (issue 8.6): accounts registers the access policy; core never imports an app.
    import ast
    from pathlib import Path

    core = Path(__file__).resolve().parents[1]
    modules = [p for p in core.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]
    assert len(modules) > 20
    for path in modules:
        name = str(path.relative_to(core))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        apps = [m for m in imported if m.startswith("dangjian.") and m.split(".")[1] in {"accounts", "orgs", "lists"}]
        assert not apps, (name, apps)
