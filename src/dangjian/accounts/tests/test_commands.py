import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.accounts.models import User
from dangjian.core.models import AuditEntry


def test_create_admin_grants_a_separated_role_at_the_root(city, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Strong-pass-2026\n"))
    call_command("create_admin", "firstsec", "--role", "security_admin", "--password-stdin", stdout=io.StringIO())
    user = User.objects.get(username="firstsec")
    assert not user.is_superuser and user.check_password("Strong-pass-2026")
    assert list(user.role_grants.values_list("role", "org")) == [("security_admin", city.city.pk)]
    assert AuditEntry.objects.filter(action="grant", object_id=str(user.pk), request_id__startswith="create-admin").exists()


def test_create_admin_keeps_the_password_policy(city, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("weak\n"))
    with pytest.raises(CommandError):
        call_command("create_admin", "weakling", "--role", "audit_admin", "--password-stdin")
    assert not User.objects.filter(username="weakling").exists()
