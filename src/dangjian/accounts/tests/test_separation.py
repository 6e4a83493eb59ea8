"""Issue 4, point 3: 三员分立 — system, security and audit administrators, each × each
action, allowed or 403; no account holds two of these roles; none sees business data."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.accounts import services
from dangjian.accounts.models import RoleGrant, User
from dangjian.core.models import AuditEntry
from dangjian.testing import PASSWORD, make_user
from dangjian.orgs.models import Member


def _target(city):
    return User.objects.get(username="target")


ACTIONS = {
    # name: (method, url for the target account, data, what changed when allowed)
    "list accounts": ("get", "/accounts/users/", None, None),
    "view account": ("get", "/accounts/users/{pk}/", None, None),
    "create account": ("post", "/accounts/users/new/", {"username": "newbie", "password": "New-pass-2026"},
                       lambda t: User.objects.filter(username="newbie").exists()),
    "disable account": ("post", "/accounts/users/{pk}/active/", {"active": "0"},
                        lambda t: not User.objects.get(pk=t.pk).is_active),
    "grant role": ("post", "/accounts/users/{pk}/grant/", {"role": "grid_worker", "org": "甲区幸福社区第1网格党支部"},
                   lambda t: RoleGrant.objects.filter(user=t, role="grid_worker").exists()),
    "revoke role": ("post", "/accounts/grants/{grant}/revoke/", {},
                    lambda t: not RoleGrant.objects.filter(user=t, role="secretary").exists()),
    "reset password": ("post", "/accounts/users/{pk}/reset-password/", {},
                       lambda t: not User.objects.get(pk=t.pk).check_password(PASSWORD)),
    "lock account": ("post", "/accounts/users/{pk}/lock/", {}, lambda t: User.objects.get(pk=t.pk).is_locked()),
    "read audit log": ("get", "/accounts/audit/", None, None),
}

ALLOWED = {
    "system": {"list accounts", "view account", "create account", "disable account"},
    "security": {"list accounts", "view account", "grant role", "revoke role", "reset password", "lock account"},
    "audit": {"read audit log"},
}


@pytest.mark.parametrize("admin", ["system", "security", "audit"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_three_admin_matrix(client, city, admins, admin, action):
    target = make_user("target", "secretary", city.districts["a"])
    grant = target.role_grants.get()
    method, url, data, changed = ACTIONS[action]
    client.force_login(admins[admin])
    response = getattr(client, method)(url.format(pk=target.pk, grant=grant.pk), data)
    if action in ALLOWED[admin]:
        assert response.status_code in (200, 302), response.status_code
        if changed:
            assert changed(target)
    else:
        assert response.status_code == 403
        if changed:
            assert not changed(target)


def test_unlock_is_the_security_admins(client, city, admins):
    target = make_user("target", "secretary", city.districts["a"])
    services.account_lock(actor=admins["security"], user=target)
    for admin, status in (("system", 403), ("audit", 403), ("security", 302)):
        client.force_login(admins[admin])
        assert client.post(f"/accounts/users/{target.pk}/unlock/").status_code == status
    assert not User.objects.get(pk=target.pk).is_locked()


@pytest.mark.parametrize("first, second", [
    ("system_admin", "security_admin"), ("system_admin", "audit_admin"), ("security_admin", "audit_admin"),
    ("audit_admin", "system_admin"),
])
def test_no_account_holds_two_separated_roles(city, admins, first, second):
    user = make_user("double")
    services.role_grant(actor=admins["security"], user=user, role=first, org=city.city)
    with pytest.raises(ValidationError):
        services.role_grant(actor=admins["security"], user=user, role=second, org=city.city)
    assert list(user.role_grants.values_list("role", flat=True)) == [first]


def test_separated_admins_hold_no_business_role(city, admins):
    with pytest.raises(ValidationError):
        services.role_grant(actor=admins["security"], user=admins["audit"], role="org_admin", org=city.city)
    secretary = make_user("sec", "secretary", city.districts["a"])
    with pytest.raises(ValidationError):
        services.role_grant(actor=admins["security"], user=secretary, role="audit_admin", org=city.city)


def test_security_admin_cannot_grant_to_self(city, admins):
    with pytest.raises(Exception):
        services.role_grant(actor=admins["security"], user=admins["security"], role="org_admin", org=city.city)


def test_separated_admins_see_no_business_data(city, admins):
    city.member(city.branches["a"])
    for admin in admins.values():
        assert not Member.objects.visible_to(admin).exists()
        assert not Member.objects.visible_to(admin, "view_full_id").exists()


def test_audit_admin_reads_everything_business_auditor_only_their_subtree(client, city, admins):
    make_user("auditor_a", "auditor", city.districts["a"])
    city.member(city.branches["a"], name="甲区党员")
    city.member(city.branches["b"], name="乙区党员")
    client.force_login(admins["audit"])
    page = client.get("/accounts/audit/").content.decode()
    assert "甲区党员" in page and "乙区党员" in page and "sysadmin" in page
    client.force_login(User.objects.get(username="auditor_a"))
    page = client.get("/accounts/audit/").content.decode()
    assert "甲区党员" in page and "乙区党员" not in page and "sysadmin" not in page


def test_audit_log_filters(client, city, admins):
    city.member(city.branches["a"], name="王五")
    client.force_login(admins["audit"])
    page = client.get("/accounts/audit/", {"q": "王五", "action": "create"}).content.decode()
    assert "王五" in page and "sysadmin" not in page
    assert "没有符合条件的记录" in client.get("/accounts/audit/", {"action": "prune"}).content.decode()


def test_audit_and_account_lists_take_bounded_queries(client, city, admins, django_assert_max_num_queries):
    for n in range(30):
        make_user(f"bulk{n}", "secretary", city.districts["a"])
    client.force_login(admins["audit"])
    with django_assert_max_num_queries(12):
        assert client.get("/accounts/audit/").status_code == 200
    client.force_login(admins["security"])
    with django_assert_max_num_queries(12):
        assert client.get("/accounts/users/").status_code == 200


def test_everyday_accounts_are_not_superusers(city, admins):
    make_user("plain", "secretary", city.districts["a"])
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.filter(is_staff=True).exists()
    assert AuditEntry.objects.filter(action="grant").count() == 4
