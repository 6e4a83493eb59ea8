"""The kit's scope matrix (core.testing.ScopeCases) over the orgs pages, exports and API:
anonymous, no grant, own subtree, sibling subtree and a read-only role, checked by
content (the sibling's names absent, the own present), not only by status."""

import pytest
from django.urls import reverse

from dangjian.orgs.models import Member, Org, OrgKind, Sector
from dangjian.testing import ScopeCases, ScopeWorld, make_user


@pytest.fixture
def accounts(city, users):
    return {"no_grant": users["none"], "own_user": users["a"], "everyone": users["city_admin"],
            "read_only": make_user("grid_a", "grid_worker", city.districts["a"])}


def _export(kind):
    def run(client):
        return client.post(reverse(f"orgs_io:{kind}_export") + "?closed=unknown&left=unknown", {"format": "csv"})
    return run


class TestOrgScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts):
        return ScopeWorld(
            **accounts,
            own=city.communities["a"], sibling=city.communities["b"],
            name=lambda org: Org.objects.get(pk=org.pk).name,
            count=Org.objects.count,
            list_url=reverse("orgs:org_list"),
            detail_url=lambda org: reverse("orgs:org_detail", args=[org.pk]),
            create_url=lambda org: reverse("orgs:org_create") + f"?parent={org.pk}",
            create_data={"name": "新建测试支部", "kind": OrgKind.BRANCH, "sector": Sector.URBAN_COMMUNITY},
            create_valid=True,
            edit_url=lambda org: reverse("orgs:org_edit", args=[org.pk]),
            edit_data=lambda org: {"name": "篡改的名称", "kind": org.kind, "sector": org.sector},
            api_list_url="/api/v1/orgs/",
            api_detail_url=lambda org: f"/api/v1/orgs/{org.pk}/",
            export=_export("org"),
        )


class TestMemberScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts):
        return ScopeWorld(
            **accounts,
            own=city.member(city.branches["a"], name="甲区测试党员"),
            sibling=city.member(city.branches["b"], name="乙区测试党员"),
            name=lambda member: Member.objects.get(pk=member.pk).name,
            count=Member.objects.count,
            list_url=reverse("orgs:member_list"),
            detail_url=lambda member: reverse("orgs:member_detail", args=[member.pk]),
            create_url=lambda member: reverse("orgs:member_create") + f"?org={member.org_id}",
            create_data={"name": "新登记党员"},
            edit_url=lambda member: reverse("orgs:member_edit", args=[member.pk]),
            edit_data=lambda member: {"name": "篡改的姓名"},
            api_list_url="/api/v1/members/",
            api_detail_url=lambda member: f"/api/v1/members/{member.pk}/",
            export=_export("member"),
        )
