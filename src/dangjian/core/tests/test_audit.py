"""Issue 4, point 4: audit entries are append-only, chained, verified, pruned only past
the retention, exported for a log server, with personal data masked."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from freezegun import freeze_time

from dangjian.core import audit
from dangjian.core.models import AuditEntry
from dangjian.testing import make_id_number

TABLE = AuditEntry._meta.db_table


def entries(n=5, **kwargs):
    return [audit.record(actor=None, action="update", object_type="test.thing", object_id=str(i),
                         object_repr=f"thing {i}", **kwargs) for i in range(n)]


def drop_guard():
    """What someone with the database owner's rights could do; the chain still tells."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER core_auditentry_append_only ON {TABLE}")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_append_only")


def verify_output():
    try:
        call_command("audit", "verify", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    except CommandError as exc:
        return str(exc)
    return "ok"


def test_an_intact_chain_verifies(db, capsys):
    entries()
    call_command("audit", "verify")
    assert "audit chain intact: 5 entries" in capsys.readouterr().out


def test_the_orm_refuses_to_change_or_delete(db):
    entry = entries(1)[0]
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="delete")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_a_raw_update(db):
    entry = entries(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET object_repr = 'forged' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "thing 0"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_a_raw_delete(db):
    entry = entries(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])


def test_verify_finds_an_edited_row(db):
    rows = entries()
    drop_guard()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET object_repr = 'forged' WHERE id = %s", [rows[2].pk])
    message = verify_output()
    assert str(rows[2].pk) in message and str(rows[3].pk) not in message


def test_verify_finds_a_deleted_row(db):
    rows = entries()
    drop_guard()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [rows[2].pk])
    message = verify_output()
    assert f"ids {rows[3].pk}" in message


def test_verify_finds_the_oldest_rows_removed_outside_prune(db):
    rows = entries()
    drop_guard()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id <= %s", [rows[1].pk])
    assert str(rows[2].pk) in verify_output()


def test_prune_only_past_the_retention(db, settings):
    now = timezone.now()
    with freeze_time(now - datetime.timedelta(days=200)):
        old = entries(3)
    recent = entries(2)
    too_soon = timezone.localdate() - datetime.timedelta(days=settings.DANGJIAN_AUDIT_RETENTION_DAYS - 1)
    with pytest.raises(CommandError, match="kept 180 days"):
        call_command("audit", "prune", "--before", too_soon.isoformat())
    settings.DANGJIAN_AUDIT_RETENTION_DAYS = 30  # a shorter setting cannot go below 180 days
    with pytest.raises(CommandError):
        call_command("audit", "prune", "--before", too_soon.isoformat())

    cutoff = timezone.localdate() - datetime.timedelta(days=190)
    call_command("audit", "prune", "--before", cutoff.isoformat(), stdout=open("/dev/null", "w"))
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in recent]).count() == 2
    prune = AuditEntry.objects.get(action="prune")
    assert prune.row_count == 3 and prune.after["first_kept_id"] == recent[0].pk
    assert verify_output() == "ok"


def test_export_jsonl_for_a_log_server(db, tmp_path):
    with freeze_time("2026-01-10 08:00:00"):
        entries(2)
    with freeze_time("2026-02-10 08:00:00"):
        later = entries(3)
        out = tmp_path / "audit.jsonl"
        call_command("audit", "export", "--since", "2026-02-01", "--format", "jsonl", "-o", str(out),
                     stdout=open("/dev/null", "w"))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [e.pk for e in later]
    assert lines[0]["entry_hash"] == later[0].entry_hash and lines[0]["time"].startswith("2026-02-10")
    assert AuditEntry.objects.filter(action="export", object_type="core.auditentry", row_count=3).exists()


def test_personal_data_is_masked_inside_entries(city):
    number = make_id_number(serial=12)
    member = city.member(city.branches["a"], id_number=number, phone="13912345678")
    entry = audit.record(actor=None, action="update", obj=member,
                         before={"id_number": number, "phone": "13912345678", "address": "幸福路1号"},
                         after={"name": "张三"})
    entry.refresh_from_db()
    assert entry.before == {"id_number": number[:6] + "********" + number[-4:], "phone": "139****5678",
                            "address": "幸****"}
    for stored in AuditEntry.objects.values_list("before", "after"):
        text = json.dumps(stored, ensure_ascii=False)
        assert number not in text and "13912345678" not in text
