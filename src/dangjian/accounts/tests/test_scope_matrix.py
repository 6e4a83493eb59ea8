"""The kit's scope matrix (core.testing.ScopeCases) over the accounts app's scoped page,
the audit log: a business auditor of district A reads A's entries and not B's; an
account without an audit role is refused and reads nothing."""

import pytest
from django.urls import reverse

from dangjian.orgs import services as org_services
from dangjian.testing import ScopeCases, ScopeWorld, make_user


class TestAuditLogScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, users):
        for key in ("a", "b"):  # an entry in each district, written by a district account
            org_services.org_update(actor=users["city_admin"], org=city.communities[key],
                                    short_name=f"{key}社区")
        return ScopeWorld(
            no_grant=users["a"],  # a secretary holds no audit role
            own_user=make_user("auditor_a", "auditor", city.districts["a"]),
            read_only=make_user("auditor_a2", "auditor", city.streets["a"]),
            everyone=make_user("audit_admin", "audit_admin", city.city),
            own=city.communities["a"], sibling=city.communities["b"],
            name=lambda org: org.name,
            list_url=reverse("accounts:audit_list"),
        )
