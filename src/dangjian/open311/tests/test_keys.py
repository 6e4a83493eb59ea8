"""Client keys: `dangjian open311-key create | list | revoke`, shown once, stored as a hash, audited."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from dangjian.accounts.tokens import digest
from dangjian.core.models import AuditEntry
from dangjian.open311 import services
from dangjian.open311.models import Open311Client
from dangjian.testing import make_user


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", ["open311-key", "open311_key"])
def test_create_prints_the_key_once_and_keeps_only_its_hash(db, command):
    out, err = run(command, "create", "--name", "市民热线App")
    key = out.strip()
    client = Open311Client.objects.get()
    assert key.startswith("o311_") and len(key) > 40
    assert client.name == "市民热线App" and client.key_digest == digest(key) and key.startswith(client.prefix)
    assert key not in err and client.prefix in err
    assert services.client_lookup(key) == client
    listing, _ = run(command, "list")
    assert "市民热线App" in listing and client.prefix in listing and "active" in listing and "never" in listing
    assert key not in listing
    entry = AuditEntry.objects.get(action="open311_key")
    assert entry.after["operation"] == "create" and key not in str(entry.after)


def test_revoke_refuses_the_key_from_then_on(db):
    client, key = services.client_create(actor=None, name="区县平台")
    out, _ = run("open311-key", "revoke", "--id", str(client.pk))
    assert "revoked" in out and services.client_lookup(key) is None
    out, _ = run("open311-key", "revoke", "--id", str(client.pk))
    assert "already" in out
    assert AuditEntry.objects.filter(action="open311_key").count() == 2  # create, revoke; not the repeat
    listing, _ = run("open311-key", "list")
    assert "revoked" in listing


def test_bad_commands(db):
    with pytest.raises(CommandError, match="no Open311 client"):
        run("open311-key", "revoke", "--id", "999")
    with pytest.raises(CommandError):
        run("open311-key", "create", "--name", "  ")
    assert not Open311Client.objects.exists()


def test_only_system_administrators_manage_clients(city):
    secretary = make_user("sec", "secretary", city.communities["a"])
    with pytest.raises(PermissionDenied):
        services.client_create(actor=secretary, name="x")
    client, _ = services.client_create(actor=None, name="x")
    with pytest.raises(PermissionDenied):
        services.client_revoke(actor=secretary, client=client)
    with pytest.raises(ValidationError):
        services.client_create(actor=None, name="长" * 101)
    assert Open311Client.objects.get().revoked_at is None
    admin = make_user("sys", "system_admin", city.city)
    services.client_revoke(actor=admin, client=client)
    assert services.client_create(actor=admin, name="y")[0].name == "y"
    assert Open311Client.objects.usable().get().name == "y"


def test_lookup_ignores_odd_keys(db):
    services.client_create(actor=None, name="x")
    assert services.client_lookup("") is None and services.client_lookup("x" * 500) is None
