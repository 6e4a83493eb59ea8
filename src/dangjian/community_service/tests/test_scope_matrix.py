"""The kit's scope matrix over the community_service pages, API and exports: anonymous,
no grant, own subtree, sibling subtree and a read-only role, checked by content."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.testing import ScopeCases, ScopeWorld, make_user

from .. import services
from ..models import Claim, MemberReport, ServiceItem, Whistle
from .world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return World()


def _accounts(w, at):
    return {"no_grant": make_user("nobody_cs"),
            "own_user": make_user("own_cs", "secretary", at, also=("data_exchange",)),
            "read_only": make_user("ro_cs", "grid_worker", at),
            "everyone": w.city_admin}


def _export(kind):
    return lambda client: client.get(reverse("community_service:export", args=[kind, "csv"]))


class TestReportScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, w):
        own = services.report_register(actor=None, member=w.member, community=w.community, offer="甲方服务")
        sibling = services.report_register(actor=None, member=w.member_b, community=w.sibling, offer="乙方服务")
        return ScopeWorld(
            **_accounts(w, w.community), own=own, sibling=sibling,
            name=lambda r: MemberReport.objects.get(pk=r.pk).member.name,
            count=MemberReport.objects.count,
            list_url=reverse("community_service:report_list"),
            detail_url=lambda r: reverse("community_service:report_detail", args=[r.pk]),
            api_list_url="/api/v1/community-reports/",
            api_detail_url=lambda r: f"/api/v1/community-reports/{r.pk}/",
            export=_export("reports"),
        )


class TestItemScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, w):
        own = services.item_create(actor=None, org=w.street, kind="activity", title="甲街道义诊", place="甲",
                                   starts_on=w.today, capacity=3)
        sibling = services.item_create(actor=None, org=w.street_b, kind="activity", title="乙街道义剪", place="乙",
                                       starts_on=w.today, capacity=3)
        return ScopeWorld(
            **_accounts(w, w.street), own=own, sibling=sibling,
            name=lambda i: ServiceItem.objects.get(pk=i.pk).title,
            count=ServiceItem.objects.count,
            list_url=reverse("community_service:item_list"),
            detail_url=lambda i: reverse("community_service:item_detail", args=[i.pk]),
            api_list_url="/api/v1/service-items/",
            api_detail_url=lambda i: f"/api/v1/service-items/{i.pk}/",
        )


class TestWhistleScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, w):
        due = timezone.now() + datetime.timedelta(hours=2)
        own = services.whistle_blow(actor=None, street=w.street, title="甲街道积水", place="甲", due_at=due,
                                    units=[w.unit])
        sibling = services.whistle_blow(actor=None, street=w.street_b, title="乙街道断电", place="乙", due_at=due,
                                        units=[w.unit_b])
        return ScopeWorld(
            **_accounts(w, w.street), own=own, sibling=sibling,
            name=lambda x: Whistle.objects.get(pk=x.pk).title,
            count=Whistle.objects.count,
            list_url=reverse("community_service:whistle_list"),
            detail_url=lambda x: reverse("community_service:whistle_detail", args=[x.pk]),
            api_list_url="/api/v1/whistles/",
            api_detail_url=lambda x: f"/api/v1/whistles/{x.pk}/",
        )


class TestClaimScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, w):
        deadline = w.today + datetime.timedelta(days=10)
        own = services.claim_demand(actor=None, demand=services.demand_create(
            actor=None, community=w.community, title="甲社区路灯"), claimant_name="甲单位", deadline=deadline)
        sibling = services.claim_demand(actor=None, demand=services.demand_create(
            actor=None, community=w.sibling, title="乙社区绿化"), claimant_name="乙单位", deadline=deadline)
        return ScopeWorld(
            **_accounts(w, w.community), own=own, sibling=sibling,
            name=lambda x: str(Claim.objects.get(pk=x.pk)),
            count=Claim.objects.count,
            list_url=reverse("community_service:claim_list"),
            detail_url=lambda x: reverse("community_service:claim_detail", args=[x.pk]),
            api_list_url="/api/v1/claims/",
            api_detail_url=lambda x: f"/api/v1/claims/{x.pk}/",
            export=_export("claims"),
        )
