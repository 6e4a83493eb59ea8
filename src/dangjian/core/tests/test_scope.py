import pytest

from dangjian.accounts import services as account_services
from dangjian.core.scope import scope_paths, user_can
from dangjian.core.testing import make_user
from dangjian.orgs.models import Area, Member, Org


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
