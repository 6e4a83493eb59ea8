"""The seed presets: the demo loads through the command with consistent trees, exact
counts, valid people and the demo accounts; the Nantong plan has the published figures."""

import datetime
import importlib.machinery
import io
import random
import stat
import sys
import types
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from dangjian.accounts.models import RoleGrant, User
from dangjian.core import audit, crypto
from dangjian.core.models import AuditEntry
from dangjian.testing import PASSWORD, seeded_module
from dangjian.core.text import search_key
from dangjian.orgs import selectors
from dangjian.orgs.idnumber import birth_date_of, validate_id_number
from dangjian.orgs.models import (Area, AreaKind, HanyangLevel, Member, MemberStatus, Org, OrgKind, Person, Post,
                                  PostKind, Sector)
from dangjian.orgs.seed import loader, plan, planned_counts
from dangjian.orgs.seed.plan import add_years, apportion

EXPECTED_ACCOUNTS = {
    "city_admin": "org_admin", "street_secretary": "secretary", "community_secretary": "secretary",
    "grid_secretary": "secretary", "grid_worker": "grid_worker", "auditor": "auditor", "sys_admin": "system_admin",
    "sec_admin": "security_admin", "audit_admin": "audit_admin",
}


def _hook_stand_in(monkeypatch, calls):
    """A stand-in `<app>.seed` module for the extension hook, on the core app, recording its
    calls in `calls`."""
    module = types.ModuleType("dangjian.core.seed")
    module.__spec__ = importlib.machinery.ModuleSpec("dangjian.core.seed", None)

    def seed(*, preset, rng, stdout):
        calls.append({"preset": preset, "draw": rng.random(), "orgs": Org.objects.count(),
                      "accounts": User.objects.count()})
        stdout.write("core demo data")

    module.seed = seed
    monkeypatch.setitem(sys.modules, "dangjian.core.seed", module)
    return calls


# The demo through the command, once for the TestDemo class (the tests below it need an
# empty database); `demo.extra` holds the hook's calls while it loaded.
demo_seed = seeded_module("demo", command=True, patch=lambda monkeypatch: _hook_stand_in(monkeypatch, []),
                          scope="class")


@pytest.fixture
def demo(db, demo_seed):
    return demo_seed


@pytest.fixture
def hook_calls(demo, monkeypatch):
    """The hook's calls while the demo loaded, then any the test's own seeding makes."""
    return _hook_stand_in(monkeypatch, list(demo.extra))


class TestDemo:
    """The demo as `dangjian seed --preset demo` loads it (once for the class)."""

    def test_demo_loads_with_exact_planned_counts(self, demo):
        expected = planned_counts("demo")
        assert Member.objects.active().count() == expected["members"] >= 2000
        assert Org.objects.grassroots().count() == expected["grassroots"]
        assert Org.objects.count() == expected["orgs"]
        assert Area.objects.count() == expected["areas"]
        assert Post.objects.count() == expected["posts"]
        assert Post.objects.filter(kind=PostKind.MEMBER_HOUSEHOLD).count() == expected["member_households"] > 0
        assert set(Area.objects.values_list("kind", flat=True)) >= {
            AreaKind.CITY, AreaKind.DISTRICT, AreaKind.STREET, AreaKind.TOWN, AreaKind.COMMUNITY, AreaKind.VILLAGE,
            AreaKind.GRID, AreaKind.BUILDING}
        assert Area.objects.filter(kind=AreaKind.DISTRICT).count() >= 2
        assert set(Org.objects.values_list("sector", flat=True)) == set(Sector.values)
        assert set(Org.objects.values_list("kind", flat=True)) == set(OrgKind.values)
        assert set(Post.objects.values_list("kind", flat=True)) >= {
            PostKind.SECRETARY, PostKind.MEMBER_HOUSEHOLD, PostKind.BUILDING_HEAD, PostKind.RESIDENT_UNIT_REP,
            PostKind.INSTRUCTOR, PostKind.GROUP_LEADER}
        # The overview (what city_admin sees first) agrees with the rows.
        figures = selectors.overview(User.objects.get(username="city_admin"))
        assert figures["grassroots_total"] == expected["grassroots"]
        assert figures["members_total"] == expected["members"]
        assert 0 < figures["coverage"]["grid"]["covered"] < figures["coverage"]["grid"]["total"]

    def test_demo_trees_are_consistent(self, demo):
        assert Org.objects.find_problems() == ([], [], [], [], [])
        assert Area.objects.find_problems() == ([], [], [], [], [])
        city = Org.objects.get(depth=1)
        # treebeard reads the tree we wrote: children, parents and new children all work.
        assert Org.objects.get_parent(Org.objects.filter(depth=3).first()).depth == 2
        district = Org.objects.filter(depth=2, kind=OrgKind.LOCAL_COMMITTEE).first()
        child = Org.objects.add_child(district, {"name": "新建党支部", "kind": OrgKind.BRANCH, "sector": Sector.ORGAN})
        assert child.path.startswith(district.path) and child.depth == 3
        assert Org.objects.find_problems(parent=city) == ([], [], [], [], [])

    def test_demo_hanyang_levels_follow_the_area_tree(self, demo):
        for branch in Org.objects.filter(hanyang_level=HanyangLevel.GRID_BRANCH).select_related("area"):
            assert branch.kind == OrgKind.BRANCH and branch.area.kind == AreaKind.GRID
            parent = Org.objects.get_parent(branch)
            # a community is a 党委 (flagged 大党委) or a 党总支 (issue 9.8)
            assert parent.hanyang_level == HanyangLevel.COMMUNITY_COMMITTEE
            assert parent.is_regional == (parent.kind == OrgKind.COMMITTEE)
            assert parent.kind in (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)
            assert branch.area.path.startswith(parent.area.path)
        for group in Org.objects.filter(hanyang_level=HanyangLevel.BUILDING_GROUP).select_related("area"):
            assert group.kind == OrgKind.GROUP and group.area.kind == AreaKind.BUILDING
            assert group.area.path.startswith(Org.objects.get_parent(group).area.path)
        for street in Org.objects.filter(hanyang_level=HanyangLevel.STREET_WORKING_COMMITTEE):
            assert street.kind == OrgKind.WORKING_COMMITTEE and street.is_regional
        households = Post.objects.filter(kind=PostKind.MEMBER_HOUSEHOLD).select_related("org", "area", "member__org")
        for post in households:
            assert post.area.kind == AreaKind.BUILDING and post.org.kind == OrgKind.GROUP
            assert post.org.path.startswith(post.member.org.path)      # a member of the grid branch above
        # Every organisation except party groups has a secretary; groups have leaders.
        without_secretary = Org.objects.exclude(kind=OrgKind.GROUP).exclude(posts__kind=PostKind.SECRETARY)
        assert not without_secretary.exists()
        assert not Org.objects.filter(kind=OrgKind.GROUP).exclude(posts__kind=PostKind.GROUP_LEADER).exists()
        reps = Post.objects.filter(kind=PostKind.RESIDENT_UNIT_REP).select_related("org")
        assert reps and all(post.org.is_regional and post.representing for post in reps)
        # Every non-public enterprise's own top organisation has an instructor.
        instructed = set(Post.objects.filter(kind=PostKind.INSTRUCTOR).values_list("org_id", flat=True))
        for org in Org.objects.filter(sector=Sector.PRIVATE_ENTERPRISE).exclude(unit_name=""):
            if Org.objects.get_parent(org).sector not in (Sector.PRIVATE_ENTERPRISE, Sector.VILLAGE_ENTERPRISE):
                assert org.pk in instructed, org.name

    def test_demo_members_are_valid_people(self, demo):
        members = list(Member.objects.all())
        today = datetime.date.today()
        hashes = set()
        for member in members:
            number = validate_id_number(member.id_number)
            assert number.startswith("3206")
            assert crypto.blind_index(number) == member.id_number_hash
            assert member.id_number_masked == crypto.mask_id_number(number)
            assert birth_date_of(number) == member.birth_date
            assert member.joined_on > add_years(member.birth_date, 18)
            assert member.joined_on <= today
            assert (member.full_on is None) == (member.status == MemberStatus.PROBATIONARY)
            if member.full_on:
                assert member.full_on <= today and member.full_on > member.joined_on
            assert member.phone.isdigit() and len(member.phone) == 11
            assert member.phone_masked == crypto.mask_phone(member.phone)
            assert member.address and member.address_masked == crypto.mask_address(member.address)
            assert member.gender == ("male" if int(number[16]) % 2 else "female")
            assert member.residence_area_id is not None
            assert member.search_text == search_key(member.name)
            hashes.add(member.id_number_hash)
        assert len(hashes) == len(members)
        statuses = Counter(m.status for m in members)
        assert 0.9 < statuses[MemberStatus.FULL] / len(members) < 0.99
        categories = Counter(m.category for m in members)
        assert len(categories) == 6 and min(categories.values()) > 0
        # Post holders are full members who joined before taking the post, except building heads held
        # by residents outside the member registry (issue 9.1: a 楼栋长 need not be a Party member).
        for post in Post.objects.filter(member__isnull=False).select_related("member"):
            assert post.member.status == MemberStatus.FULL and post.start_on >= post.member.full_on
        residents = Post.objects.filter(member__isnull=True).select_related("person")
        assert residents.exists() and {p.kind for p in residents} == {PostKind.BUILDING_HEAD}
        assert Post.objects.filter(kind=PostKind.BUILDING_HEAD, member__isnull=False).exists()
        assert Post.objects.filter(kind=PostKind.MEMBER_HOUSEHOLD).exists()
        for post in residents:
            assert post.person.name and post.person.org_id == post.org_id and post.holder == post.person
            assert post.person.phone_masked != post.person.phone and post.person.phone.startswith("1")
        # The orgs seed's people are the post holders (later modules add others, such as 党建指导员).
        assert Person.objects.filter(posts__isnull=False).distinct().count() == residents.count()

    def test_demo_accounts_and_grants(self, demo):
        grants = {g.user.username: g for g in RoleGrant.objects.select_related("user", "org")}
        assert {name: g.role for name, g in grants.items()} == EXPECTED_ACCOUNTS
        city = Org.objects.get(depth=1)
        for name in ("city_admin", "auditor", "sys_admin", "sec_admin", "audit_admin"):
            assert grants[name].org == city
        street, community = grants["street_secretary"].org, grants["community_secretary"].org
        grid = grants["grid_worker"].org
        assert grants["grid_secretary"].org == grid
        # The grid worker is governance staff, not the branch secretary's account.
        worker = grants["grid_worker"].user
        assert worker.member is None and worker.display_name == "网格员"
        assert street.kind == OrgKind.WORKING_COMMITTEE and street.hanyang_level == HanyangLevel.STREET_WORKING_COMMITTEE
        assert community.hanyang_level == HanyangLevel.COMMUNITY_COMMITTEE and community.path.startswith(street.path)
        assert grid.hanyang_level == HanyangLevel.GRID_BRANCH and grid.path.startswith(community.path)
        for name, org in (("street_secretary", street), ("community_secretary", community), ("grid_secretary", grid)):
            user = grants[name].user
            assert user.member is not None and user.display_name == user.member.name
            assert Post.objects.filter(member=user.member, org=org, kind=PostKind.SECRETARY).exists()
        assert authenticate(username="community_secretary", password=PASSWORD) is not None
        # Scope: the community secretary sees the community's members and no one else's.
        secretary = User.objects.get(username="community_secretary")
        visible = Member.objects.visible_to(secretary)
        assert 0 < visible.count() == Member.objects.within(community).count() < Member.objects.count()
        for name in EXPECTED_ACCOUNTS:
            assert name in demo.output
        assert PASSWORD in demo.output

    def test_demo_audit_and_extension_hook(self, demo, hook_calls):
        entries = {e.object_type: e for e in AuditEntry.objects.filter(action="seed", object_type__startswith="orgs.")}
        assert set(entries) == {"orgs.area", "orgs.org", "orgs.member", "orgs.person", "orgs.post"}
        assert entries["orgs.person"].row_count == Person.objects.filter(posts__isnull=False).distinct().count() > 0
        assert entries["orgs.member"].row_count == Member.objects.count()
        assert entries["orgs.org"].row_count == Org.objects.count()
        assert audit.verify_chain() == []
        assert len(hook_calls) == 1
        call = hook_calls[0]
        assert call["preset"] == "demo" and call["orgs"] == Org.objects.count() and call["accounts"] == 9
        assert "core demo data" in demo.output

    def test_if_empty_is_idempotent(self, demo, hook_calls):
        counts = (Org.objects.count(), Member.objects.count(), Post.objects.count(), User.objects.count(),
                  AuditEntry.objects.count())
        out = io.StringIO()
        call_command("seed", preset="demo", if_empty=True, password=PASSWORD, stdout=out)
        assert "未重复载入" in out.getvalue() and "community_secretary" in out.getvalue()
        assert (Org.objects.count(), Member.objects.count(), Post.objects.count(), User.objects.count(),
                AuditEntry.objects.count()) == counts
        with pytest.raises(CommandError):
            call_command("seed", preset="demo", password=PASSWORD, stdout=io.StringIO())
        assert len(hook_calls) == 1


def test_seed_is_deterministic(db):
    call_command("seed", preset="demo", password=PASSWORD, stdout=io.StringIO())
    planned = plan("demo")
    loaded = list(Org.objects.order_by("pk").values_list("name", flat=True))
    assert [o.name for o in planned.dfs([planned.city])] == loaded
    assert [h.members for h in planned.holders] == [h.members for h in plan("demo").holders]
    today = datetime.date.today()
    first, second = (loader.People(random.Random("same"), today) for _ in range(2))
    assert [first.person("community", "320602") for _ in range(20)] == [
        second.person("community", "320602") for _ in range(20)]


def test_weak_password_is_refused(db):
    with pytest.raises(CommandError):
        call_command("seed", preset="demo", password="short", stdout=io.StringIO())
    assert not Org.objects.exists()


def test_demo_password_is_generated_once(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("DANGJIAN_DEMO_PASSWORD", raising=False)
    settings.VAR_DIR = tmp_path
    password = loader.demo_password()
    validate_password(password)
    path = tmp_path / "demo-password"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert loader.demo_password() == password
    monkeypatch.setenv("DANGJIAN_DEMO_PASSWORD", "Given-pass-2026")
    assert loader.demo_password() == "Given-pass-2026"
    for _ in range(50):
        validate_password(loader.generate_password())


@pytest.fixture(scope="module")
def nantong():
    return plan("nantong")


def test_nantong_plan_has_the_published_figures(nantong):
    counts = nantong.counts()
    assert counts["grassroots"] == 25_199
    # Liaison stations (托管型党员联络站) are not Party organisations: none is planned as one, so
    # none counts among the 25,199 (issue 9.8).
    assert not [o for o in nantong.orgs if "托管" in o.name + o.short_name or "联络站" in o.name + o.short_name]
    # Communities are 党委 or 党总支; "大党委" is the regional flag of a committee, not a kind.
    kinds = Counter(org.kind for _area, org in nantong.communities)
    assert set(kinds) == {OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH} and kinds[OrgKind.GENERAL_BRANCH] > 40
    assert all(org.is_regional == (org.kind == OrgKind.COMMITTEE) for _area, org in nantong.communities)
    assert counts["members"] == 465_134
    assert counts["communities"] == 229
    assert counts["grid_branches"] == 1_633
    assert counts["building_groups"] == 2_855
    assert counts["member_households"] >= 5_000
    assert counts["villages_and_communities"] == 1_800
    assert (counts["park"], counts["business_district"], counts["village_enterprise"]) == (104, 14, 1_026)
    assert counts["orgs_by_kind"][OrgKind.LOCAL_COMMITTEE] == 8        # 市委 + 7 districts/counties/cities
    assert {d.name for d, _, _ in nantong.district_orgs} >= {"崇川区", "通州区", "海门区", "如东县", "启东市",
                                                             "如皋市", "海安市"}
    # Every sector is present with a sensible share; holders have at least three members.
    sectors = counts["orgs_by_sector"]
    assert set(sectors) == set(Sector.values)
    assert sectors[Sector.PRIVATE_ENTERPRISE] > sectors[Sector.ORGAN] > 0
    assert min(h.members for h in nantong.holders) >= 3
    assert sum(h.members for h in nantong.holders) == 465_134
    # The loader can address every member a post or account names.
    assert all(0 <= p.index < p.holder.members for p in nantong.posts)
    # Names read like Nantong's.
    names = {o.name for o in nantong.orgs}
    assert "中共南通市崇川区和平桥街道党工委" in names
    assert any(n.endswith("社区党委") for n in names) and any(n.endswith("村党总支") for n in names)
    assert any(n.startswith("南通") and n.endswith("有限公司党支部") for n in names)
    assert len(names) == len(nantong.orgs)


def test_nantong_grid_system_is_nested(nantong):
    for grid, branch in nantong.grid_branches:
        assert grid.kind == AreaKind.GRID and branch.parent.area is grid.parent
    for building, group in nantong.building_groups:
        assert building.parent is group.parent.area
    assert planned_counts("nantong") == nantong.counts()     # the same plan every time


def test_apportion_is_exact():
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(apportion(465_134, [0.3, 1.7, 2.2, 5.0] * 100, minimum=3)) == 465_134
    with pytest.raises(ValueError):
        apportion(5, [1, 1], minimum=3)


def test_tree_steps_match_treebeard():
    assert loader.step(1) == "0001" and loader.step(36) == "0010" and loader.step(36**4 - 1) == "ZZZZ"
    assert Org._get_path("", 1, 1234) == loader.step(1234)
    with pytest.raises(ValueError):
        loader.step(36**4)
