"""Issue 7.3: the chain stays linear under concurrent writers, ids and times agree, and a
long transaction that writes audit entries (an import) does not make logins wait."""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from dangjian.core import audit
from dangjian.core.models import AuditEntry

WRITERS = 20


def _in_thread(target, errors):
    def run():
        try:
            target()
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()
    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_twenty_writers_at_once_keep_one_linear_chain():
    start = threading.Barrier(WRITERS)
    errors = []

    def write(n):
        def run():
            start.wait(timeout=30)
            for i in range(3):
                with transaction.atomic():
                    audit.record(actor=None, action="update", object_type="test.thing", object_id=f"{n}-{i}")
        return run

    threads = [_in_thread(write(n), errors) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    rows = list(AuditEntry.objects.order_by("id").values_list("id", "time", "prev_hash", "entry_hash"))
    assert len(rows) == WRITERS * 3
    assert audit.verify_chain() == []
    # One chain: each entry links to the entry just before it, and time never goes back.
    for (_, time_before, _, hash_before), (_, time_after, prev_after, _) in zip(rows, rows[1:]):
        assert prev_after == hash_before
        assert time_after >= time_before
    call_command("audit", "verify", stdout=open("/dev/null", "w"))


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="SQLite serialises every writing transaction (IMMEDIATE); development only")
@pytest.mark.django_db(transaction=True)
def test_a_login_does_not_wait_for_an_import_in_progress():
    inside, release, errors = threading.Event(), threading.Event(), []

    def long_import():
        with transaction.atomic(), audit.deferred():
            for batch in range(3):
                audit.record(actor=None, action="import", object_type="orgs.member", row_count=1000)
            inside.set()
            release.wait(timeout=30)  # the rest of a long import

    importer = _in_thread(long_import, errors)
    importer.start()
    try:
        assert inside.wait(timeout=30)
        started = time.monotonic()
        with transaction.atomic():
            audit.record(actor=None, action="login", object_type="accounts.user", object_repr="reader")
        waited = time.monotonic() - started
    finally:
        release.set()
        importer.join(timeout=60)
    assert not errors, errors
    assert waited < 2, f"a login waited {waited:.1f} s for the import's chain lock"
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-4:] == ["login", "import", "import", "import"]
    assert audit.verify_chain() == []


@pytest.mark.django_db
def test_entries_inside_deferred_are_appended_at_the_end_or_not_at_all():
    with transaction.atomic(), audit.deferred():
        entry = audit.record(actor=None, action="import", object_type="orgs.member", row_count=10)
        assert entry.pk is None and not AuditEntry.objects.filter(action="import").exists()
    assert AuditEntry.objects.get(action="import").row_count == 10
    with pytest.raises(RuntimeError), transaction.atomic(), audit.deferred():
        audit.record(actor=None, action="import", object_type="orgs.member", row_count=20)
        raise RuntimeError("a bad row")
    assert not AuditEntry.objects.filter(row_count=20).exists()
    assert audit.verify_chain() == []


@pytest.mark.django_db
def test_times_never_go_back_so_pruning_keeps_one_stretch_of_the_chain(settings):
    import datetime

    from django.utils import timezone
    from freezegun import freeze_time

    now = timezone.now()
    with freeze_time(now - datetime.timedelta(days=200)):
        audit.record(actor=None, action="update", object_type="test.thing", object_id="first")
    # A writer whose clock is behind (or that took its time before waiting for the lock)
    # still gets a time no earlier than the entry before it.
    with freeze_time(now - datetime.timedelta(days=300)):
        late = audit.record(actor=None, action="update", object_type="test.thing", object_id="second")
    kept = audit.record(actor=None, action="update", object_type="test.thing", object_id="third")
    assert late.time == AuditEntry.objects.get(object_id="first").time
    cutoff = timezone.localdate(now - datetime.timedelta(days=250))
    call_command("audit", "prune", "--before", cutoff.isoformat(), stdout=open("/dev/null", "w"))
    assert list(AuditEntry.objects.filter(object_type="test.thing").values_list("object_id", flat=True)
                .order_by("id")) == ["first", "second", "third"]
    call_command("audit", "prune", "--before", timezone.localdate(now - datetime.timedelta(days=190)).isoformat(),
                 stdout=open("/dev/null", "w"))
    assert list(AuditEntry.objects.filter(object_type="test.thing").values_list("id", flat=True)) == [kept.pk]
    call_command("audit", "verify", stdout=open("/dev/null", "w"))
