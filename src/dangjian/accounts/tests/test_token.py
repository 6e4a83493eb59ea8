"""Issue 7.5: API tokens are stored only as hashes, expire, have a name and a last use,
are shown once, revocable (command and security page), and audited."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from freezegun import freeze_time
from rest_framework.test import APIClient

from dangjian.accounts import services, tokens
from dangjian.accounts.models import ApiToken
from dangjian.core.models import AuditEntry


def token(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def api(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_create_prints_a_new_key_once_and_keeps_only_its_hash(users):
    key, note = token("create", "--user", "sec_a", "--name", "报表系统")
    again, _ = token("create", "--user", "sec_a", "--name", "报表系统")
    assert key != again, "a second create is a second token, never the first key again"
    assert "shown only now" in note
    stored = ApiToken.objects.filter(user=users["a"]).order_by("id")
    assert [t.name for t in stored] == ["报表系统", "报表系统"]
    assert stored[0].digest == tokens.digest(key) and stored[0].prefix == key[:9]
    # The database holds no usable key: not in the token table, nor anywhere in the audit log.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        assert not any(key in str(value) for row in cursor.fetchall() for value in row)
    assert not any(key in str(row) for row in AuditEntry.objects.values_list("before", "after"))
    entries = AuditEntry.objects.filter(action="token", object_id=str(users["a"].pk)).order_by("id")
    assert [e.after["operation"] for e in entries] == ["create", "create"]
    assert entries[0].after["prefix"] == key[:9]
    assert api(key).get("/api/v1/orgs/").status_code == 200
    assert ApiToken.objects.get(pk=stored[0].pk).last_used_at is not None


def test_revoke_by_id_and_by_account_ends_api_access(users):
    first, _ = token("create", "--user", "sec_a")
    second, _ = token("create", "--user", "sec_a")
    listing, _ = token("list", "--user", "sec_a")
    assert first[:9] in listing and second[:9] in listing and listing.count("active") == 2
    pk = ApiToken.objects.get(digest=tokens.digest(first)).pk
    assert "revoked token" in token("revoke", "--id", str(pk))[0]
    assert api(first).get("/api/v1/orgs/").status_code == 401
    assert api(second).get("/api/v1/orgs/").status_code == 200
    assert "revoked 1 token(s)" in token("revoke", "--user", "sec_a")[0]
    assert api(second).get("/api/v1/orgs/").status_code == 401
    assert AuditEntry.objects.filter(action="token", after__operation="revoke").count() == 2
    with pytest.raises(CommandError):
        token("revoke", "--id", "999999")


def test_a_token_expires(users):
    key = tokens.api_key(users["a"], days=1)
    assert api(key).get("/api/v1/orgs/").status_code == 200
    with freeze_time(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1, minutes=1)):
        response = api(key).get("/api/v1/orgs/")
    assert response.status_code == 401
    with pytest.raises(CommandError, match="有效期"):
        token("create", "--user", "sec_a", "--days", "400")


def test_unknown_or_disabled_account_refused(users):
    with pytest.raises(CommandError):
        token("create", "--user", "ghost")
    services.user_set_active(actor=None, user=users["b"], active=False)
    with pytest.raises(CommandError):
        token("create", "--user", "sec_b")
    assert not ApiToken.objects.exists()


def test_the_holder_creates_and_revokes_on_the_security_page(client, users):
    client.force_login(users["a"])
    page = client.post("/accounts/security/", {"action": "create_token", "name": "值班脚本", "days": "30"})
    token_row = ApiToken.objects.get(user=users["a"])
    body = page.content.decode()
    key = body.split("<p><code>")[1].split("</code>")[0]
    assert tokens.digest(key) == token_row.digest and "值班脚本" in body
    assert key not in client.get("/accounts/security/").content.decode(), "the key is shown once"
    other = tokens.token_create(actor=None, user=users["b"], name="乙区")[0]
    client.post("/accounts/security/", {"action": "revoke_token", "token": str(other.pk)})
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None, "only one's own tokens"
    client.post("/accounts/security/", {"action": "revoke_token", "token": str(token_row.pk)})
    assert ApiToken.objects.get(pk=token_row.pk).revoked_at is not None
    assert api(key).get("/api/v1/orgs/").status_code == 401
    assert AuditEntry.objects.filter(action="token", actor=users["a"]).count() == 2
