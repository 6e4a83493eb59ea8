"""The scope matrix (core.testing.ScopeCases) over the co-building pages, exports and API:
anonymous, no grant, own subtree, sibling subtree with data, read-only; by content."""

import datetime

import pytest
from django.urls import reverse

from dangjian.cobuilding import services
from dangjian.cobuilding.models import Agreement, Unit, UnitKind, UnitReport
from dangjian.testing import ScopeCases, ScopeWorld, make_user


@pytest.fixture
def accounts(city, users):
    return {"no_grant": users["none"], "own_user": users["a"], "everyone": users["city_admin"],
            "read_only": make_user("grid_a", "grid_worker", city.districts["a"])}


def _export(name):
    def run(client):
        return client.post(reverse(f"cobuilding:{name}_export"), {"format": "csv"})
    return run


class TestUnitScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts, units):
        return ScopeWorld(
            **accounts,
            own=units["own"], sibling=units["sibling"],
            name=lambda unit: Unit.objects.get(pk=unit.pk).name,
            count=Unit.objects.count,
            list_url=reverse("cobuilding:unit_list"),
            detail_url=lambda unit: reverse("cobuilding:unit_detail", args=[unit.pk]),
            create_url=lambda unit: reverse("cobuilding:unit_create") + f"?area={unit.area_id}",
            create_data={"name": "新登记学校", "kind": UnitKind.SCHOOL, "area": str(city.communities["a"].area_id),
                         "coverage": "none"},
            create_valid=True,
            edit_url=lambda unit: reverse("cobuilding:unit_edit", args=[unit.pk]),
            edit_data=lambda unit: {"name": "篡改的名称", "kind": unit.kind, "area": str(unit.area_id),
                                    "coverage": "none"},
            api_list_url="/api/v1/cobuilding/units/",
            api_detail_url=lambda unit: f"/api/v1/cobuilding/units/{unit.pk}/",
            export=_export("unit"),
        )


class TestUnitReportScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts, units):
        own = services.unit_report_register(actor=None, unit=units["own"], community=city.communities["a"])
        sibling = services.unit_report_register(actor=None, unit=units["sibling"], community=city.communities["b"])
        return ScopeWorld(
            **accounts, own=own, sibling=sibling,
            name=lambda report: UnitReport.objects.get(pk=report.pk).unit.name,
            count=UnitReport.objects.count,
            list_url=reverse("cobuilding:report_list"),
            api_list_url="/api/v1/cobuilding/unit-reports/",
            api_detail_url=lambda report: f"/api/v1/cobuilding/unit-reports/{report.pk}/",
        )


class TestAgreementScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts, units):
        def make(key, unit):
            return services.agreement_create(actor=None, org=city.communities[key], title=f"{unit.name}共建协议",
                                             start_on=datetime.date(2026, 1, 1), end_on=datetime.date(2026, 12, 31),
                                             parties=[unit], commitments=[(None, "共享活动阵地")])
        return ScopeWorld(
            **accounts, own=make("a", units["own"]), sibling=make("b", units["sibling"]),
            name=lambda agreement: Agreement.objects.get(pk=agreement.pk).title,
            count=Agreement.objects.count,
            list_url=reverse("cobuilding:agreement_list"),
            detail_url=lambda agreement: reverse("cobuilding:agreement_detail", args=[agreement.pk]),
            api_list_url="/api/v1/cobuilding/agreements/",
            api_detail_url=lambda agreement: f"/api/v1/cobuilding/agreements/{agreement.pk}/",
            export=_export("agreement"),
        )
