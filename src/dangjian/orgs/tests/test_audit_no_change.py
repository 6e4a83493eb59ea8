"""Issue 7.10: a PATCH (or form save) that changes nothing writes nothing and no audit entry."""

from rest_framework.test import APIClient

from dangjian.accounts.tokens import api_key
from dangjian.core.models import AuditEntry
from dangjian.orgs import services
from dangjian.orgs.models import Member, Org


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def test_identical_patches_of_an_org_write_one_entry(city, users):
    branch = city.branches["a"]
    client = client_for(users["a"])
    before = AuditEntry.objects.filter(action="update", object_type="orgs.org").count()
    for _ in range(3):
        response = client.patch(f"/api/v1/orgs/{branch.pk}/", {"phone": "051088880000"}, format="json")
        assert response.status_code == 200 and response.json()["phone"] == "051088880000"
    assert AuditEntry.objects.filter(action="update", object_type="orgs.org").count() == before + 1
    updated_at = Org.objects.get(pk=branch.pk).updated_at if hasattr(Org, "updated_at") else None
    client.patch(f"/api/v1/orgs/{branch.pk}/", {"phone": "051088880000", "name": branch.name}, format="json")
    assert AuditEntry.objects.filter(action="update", object_type="orgs.org").count() == before + 1
    if updated_at is not None:
        assert Org.objects.get(pk=branch.pk).updated_at == updated_at


def test_identical_patches_of_a_member_write_one_entry(city, users):
    member = city.member(city.branches["a"], phone="13800001111")
    client = client_for(users["a"])
    count = AuditEntry.objects.filter(action="update", object_type="orgs.member").count
    assert client.patch(f"/api/v1/members/{member.pk}/", {"phone": "13800001111"}, format="json").status_code == 200
    assert count() == 0
    assert client.patch(f"/api/v1/members/{member.pk}/", {"phone": "13800002222"}, format="json").status_code == 200
    assert client.patch(f"/api/v1/members/{member.pk}/", {"phone": "13800002222"}, format="json").status_code == 200
    assert count() == 1
    assert Member.objects.get(pk=member.pk).phone == "13800002222"


def test_a_change_hidden_by_the_mask_is_still_a_change(city):
    member = city.member(city.branches["a"], address="幸福路1号")
    services.member_update(actor=None, member=member, name=member.name)
    assert not AuditEntry.objects.filter(action="update", object_id=str(member.pk)).exists()
    # Both addresses mask to the same text; the full values differ, so this is a change.
    services.member_update(actor=None, member=member, address="幸福路2号")
    entry = AuditEntry.objects.get(action="update", object_id=str(member.pk))
    assert Member.objects.get(pk=member.pk).address == "幸福路2号"
    assert entry.before == entry.after


def test_enabling_an_enabled_account_writes_nothing(users):
    from dangjian.accounts import services as account_services

    account_services.user_set_active(actor=None, user=users["a"], active=True)
    assert not AuditEntry.objects.filter(action="update", object_type="accounts.user").exists()
    account_services.user_set_active(actor=None, user=users["a"], active=False)
    account_services.user_set_active(actor=None, user=users["a"], active=False)
    assert AuditEntry.objects.filter(action="update", object_type="accounts.user").count() == 1
