import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dangjian.accounts import services
from dangjian.core.models import AuditEntry


def token(*args):
    out = io.StringIO()
    call_command("token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_create_prints_a_working_token_and_reuses_it(users):
    key = token("create", "--user", "sec_a")
    assert Token.objects.get(user=users["a"]).key == key
    assert token("create", "--user", "sec_a") == key
    entries = AuditEntry.objects.filter(action="token", object_id=str(users["a"].pk)).order_by("id")
    assert [e.after["operation"] for e in entries] == ["create", "reuse"]
    assert all(e.object_repr == "sec_a" for e in entries)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/orgs/").status_code == 200


def test_revoke_ends_api_access(users):
    key = token("create", "--user", "sec_a")
    assert "revoked" in token("revoke", "--user", "sec_a")
    assert not Token.objects.filter(user=users["a"]).exists()
    assert AuditEntry.objects.filter(action="token", after__operation="revoke").count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/orgs/").status_code == 401
    assert "no token" in token("revoke", "--user", "sec_a")
    assert AuditEntry.objects.filter(action="token", after__operation="revoke").count() == 1
    assert token("create", "--user", "sec_a") != key


def test_unknown_or_disabled_account_refused(users):
    with pytest.raises(CommandError):
        token("create", "--user", "ghost")
    services.user_set_active(actor=None, user=users["b"], active=False)
    with pytest.raises(CommandError):
        token("create", "--user", "sec_b")
    assert not Token.objects.exists()
