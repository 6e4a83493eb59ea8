"""Two roll-overs at once (PostgreSQL, two connections): one set of occurrences, no error."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from dangjian.duties import services
from dangjian.duties.models import Occurrence
from dangjian.testing import City


@pytest.mark.django_db(transaction=True)
def test_two_rollovers_at_once_write_one_set():
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections (PostgreSQL)")
    from django.apps import apps

    from dangjian.duties.defaults import install

    install(apps)
    City()
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    expected = len(services.implied(start, today))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.roll_over(period_start=start, period_end=today, today=today))
        except Exception as exc:  # noqa: BLE001 - the assertion below names it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Occurrence.objects.count() == expected
    assert sum(results) == expected
