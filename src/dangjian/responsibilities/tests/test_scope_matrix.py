"""The kit's scope matrix over the module's pages: a district secretary (own subtree A),
a read-only grid worker in A, an account without a grant, and district B's rows."""

import pytest
from django.urls import reverse

from dangjian.responsibilities.models import ContactPoint, ContactVisit, Responsibility, ResponsibilityDocument
from dangjian.responsibilities import services
from dangjian.testing import ScopeCases, ScopeWorld, make_user

from .conftest import TODAY, give_all_levels, make_point


@pytest.fixture
def accounts(city, users):
    return {"no_grant": users["none"], "own_user": users["a"], "everyone": users["city_admin"],
            "read_only": make_user("grid_a", "grid_worker", city.districts["a"])}


class TestResponsibilityScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts, leaders):
        own = give_all_levels(city.districts["a"], leaders["a"])[1]
        sibling = give_all_levels(city.districts["b"], leaders["b"])[1]
        services.responsibility_update(actor=None, responsibility=own, portfolio="甲区组织工作")
        services.responsibility_update(actor=None, responsibility=sibling, portfolio="乙区组织工作")
        return ScopeWorld(
            **accounts, own=own, sibling=sibling,
            name=lambda r: Responsibility.objects.get(pk=r.pk).portfolio,
            count=Responsibility.objects.count,
            list_url=reverse("responsibilities:index"),
            detail_url=lambda r: reverse("responsibilities:org", args=[r.org_id]),
            create_url=lambda r: reverse("responsibilities:responsibility_create", args=[r.org_id]),
            create_data={"level": "specific", "member": leaders["a"]["other"].pk, "portfolio": "新分管",
                         "start_on": TODAY.isoformat()},
            create_valid=True,
            edit_url=lambda r: reverse("responsibilities:responsibility_edit", args=[r.pk]),
            edit_data=lambda r: {"level": r.level, "member": r.member_id, "portfolio": "篡改", "start_on": "2020-01-01"},
            delete_url=lambda r: reverse("responsibilities:responsibility_delete", args=[r.pk]),
            api_list_url="/api/v1/responsibilities/",
            api_detail_url=lambda r: f"/api/v1/responsibilities/{r.pk}/",
        )


class TestDocumentScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts, leaders):
        def doc(key, title):
            return services.document_create(actor=None, org=city.districts[key], kind="pledge", title=title,
                                            signed_on=TODAY, member=leaders[key]["secretary"])
        return ScopeWorld(
            **accounts, own=doc("a", "甲区党建责任书"), sibling=doc("b", "乙区党建责任书"),
            name=lambda d: ResponsibilityDocument.objects.get(pk=d.pk).title,
            count=ResponsibilityDocument.objects.count,
            list_url=reverse("responsibilities:documents"),
            detail_url=lambda d: reverse("responsibilities:document", args=[d.pk]),
            create_url=lambda d: reverse("responsibilities:document_create", args=[d.org_id]),
            create_data={"kind": "commitment", "title": "公开承诺", "member": leaders["a"]["secretary"].pk,
                         "signed_on": TODAY.isoformat()},
            create_valid=True,
            edit_url=lambda d: reverse("responsibilities:document_edit", args=[d.pk]),
            edit_data=lambda d: {"kind": "pledge", "title": "篡改", "member": d.member_id, "signed_on": "2024-01-01"},
            delete_url=lambda d: reverse("responsibilities:document_delete", args=[d.pk]),
            api_list_url="/api/v1/responsibility-documents/",
            api_detail_url=lambda d: f"/api/v1/responsibility-documents/{d.pk}/",
        )


class TestContactPointScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts, leaders):
        own = make_point(city, "a", leaders["a"]["secretary"], note="甲区书记联系点")
        sibling = make_point(city, "b", leaders["b"]["secretary"], note="乙区书记联系点")
        return ScopeWorld(
            **accounts, own=own, sibling=sibling,
            name=lambda p: ContactPoint.objects.get(pk=p.pk).point_org.name,
            count=ContactVisit.objects.count,
            list_url=reverse("responsibilities:points"),
            detail_url=lambda p: reverse("responsibilities:point", args=[p.pk]),
            # Recording a visit is the create under a point.
            create_url=lambda p: reverse("responsibilities:visit_create", args=[p.pk]),
            create_data={"visited_on": TODAY.isoformat(), "summary": "走访调研"},
            create_valid=True,
            edit_url=lambda p: reverse("responsibilities:point_edit", args=[p.pk]),
            edit_data=lambda p: {"point_org": p.point_org_id, "since": "2020-01-01", "note": "篡改"},
            api_list_url="/api/v1/contact-points/",
            api_detail_url=lambda p: f"/api/v1/contact-points/{p.pk}/",
        )


class TestVisitScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts, leaders):
        def visit(key, summary):
            point = make_point(city, key, leaders[key]["secretary"])
            return services.visit_record(actor=None, point=point, visited_on=TODAY, summary=summary)
        return ScopeWorld(
            **accounts, own=visit("a", "甲区走访网格"), sibling=visit("b", "乙区走访网格"),
            name=lambda v: ContactVisit.objects.get(pk=v.pk).summary,
            count=ContactVisit.objects.count,
            list_url=reverse("responsibilities:visits"),
            detail_url=lambda v: reverse("responsibilities:point", args=[v.point_id]),
            delete_url=lambda v: reverse("responsibilities:visit_delete", args=[v.pk]),
            api_list_url="/api/v1/contact-visits/",
            api_detail_url=lambda v: f"/api/v1/contact-visits/{v.pk}/",
        )


def test_leader_page_is_404_outside_scope(client, city, users, leaders):
    point = make_point(city, "b", leaders["b"]["secretary"])
    services.visit_record(actor=None, point=point, visited_on=TODAY, summary="乙区走访网格")
    url = reverse("responsibilities:leader_member", args=[leaders["b"]["secretary"].pk])
    client.force_login(users["city_admin"])
    response = client.get(url)
    assert response.status_code == 200 and "乙区走访网格" in response.content.decode()
    client.force_login(users["a"])
    response = client.get(url)
    assert response.status_code == 404 and "乙区走访网格" not in response.content.decode()
    client.force_login(users["none"])
    assert client.get(url).status_code == 404
