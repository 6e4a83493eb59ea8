"""Two bookings of the last place at the same moment: the item row is locked while the
places are counted, so one succeeds and the other is refused (PostgreSQL; SQLite
serialises writers anyway)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from .. import services
from ..models import Booking
from .world import World, _id


@pytest.mark.django_db(transaction=True)
def test_last_place_booked_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    w = World()
    members = [w.member, w.city.member(w.organ, name="孙在职", residence_area=w.community.area, id_number=_id())]
    for member in members:
        services.report_accept(actor=None, report=services.report_register(actor=None, member=member,
                                                                           community=w.community))
    item = services.item_create(actor=None, org=w.community, kind="post", title="最后一个名额", place="甲",
                                starts_on=w.today, capacity=1)
    barrier, outcomes = threading.Barrier(2), []

    def book(member):
        try:
            barrier.wait()
            services.booking_create(actor=None, item=item, member=member)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.message_dict.get("item", ["?"])[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "ok" and "名额已满" in sorted(outcomes)[1], outcomes
    assert Booking.objects.filter(item=item).count() == 1
