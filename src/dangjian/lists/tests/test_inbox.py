"""Issue 9.2: the to-do inbox and its digest, as the lists fill them."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.core import inbox
from dangjian.core.models import Digest, InboxSettings
from dangjian.lists import services
from dangjian.lists.models import Notification
from dangjian.testing import PASSWORD, make_user

from .conftest import REAL_TODAY, make_list, make_measure


def _counts(user):
    return {s.key: s.count for s in inbox.sections(user, entries=False)}


@pytest.fixture
def reported(city, people):
    """A community measure reported complete: it waits for the street."""
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"], title="建成党群服务站")
    services.measure_report_progress(actor=people["community"], measure=measure, percent=100)
    return measure


def test_the_reviewer_sees_what_to_accept_and_the_owner_what_was_sent_back(city, people, reported):
    assert _counts(people["street"]).get("to_accept") == 1
    # The owner does not review its own measure; a sibling sees nothing of it.
    assert "to_accept" not in _counts(people["community"])
    assert _counts(people["other"]) == {}
    services.measure_send_back(actor=people["street"], measure=reported, reason="请补充服务站挂牌的说明")
    assert "to_accept" not in _counts(people["street"])
    assert _counts(people["community"]).get("returned") == 1
    assert "returned" not in _counts(people["street"])  # the reviewer sent it back; it is not the street's to redo
    page = {s.key: s for s in inbox.sections(people["community"], entries=True)}
    assert page["returned"].entries[0].url == reverse("lists:measure_detail", args=[reported.pk])


def test_top_level_measures_are_reviewed_by_their_own_org(city):
    admin = make_user("city_admin", "org_admin", city.city)
    lst = make_list(admin, city.city)
    measure = make_measure(admin, lst, city.city)
    services.measure_report_progress(actor=admin, measure=measure, percent=100)
    assert _counts(admin).get("to_accept") == 1


def test_due_and_overdue_in_scope(city, people):
    lst = make_list(people["community"], city.communities["a"])
    make_measure(people["community"], lst, city.communities["a"], title="下周到期",
                 deadline=REAL_TODAY + datetime.timedelta(days=3))
    make_measure(people["community"], lst, city.communities["a"], title="已过期",
                 deadline=REAL_TODAY - datetime.timedelta(days=2))
    make_measure(people["community"], lst, city.communities["a"], title="还早",
                 deadline=REAL_TODAY + datetime.timedelta(days=40))
    counts = _counts(people["community"])
    assert counts["due_soon"] == 1 and counts["overdue"] == 1
    assert _counts(people["other"]) == {}
    rows = {s.key: s for s in inbox.sections(people["community"], entries=True)}
    assert rows["overdue"].entries[0].title.startswith("已过期") and rows["overdue"].entries[0].late


def test_badge_and_page_in_a_fixed_number_of_queries(client, city, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lst = make_list(people["community"], city.communities["a"])

    def add(first, n):
        for k in range(first, first + n):
            m = make_measure(people["community"], lst, city.communities["a"], title=f"措施{k}",
                             deadline=REAL_TODAY + datetime.timedelta(days=k % 5))
            services.measure_report_progress(actor=people["community"], measure=m, percent=100 if k % 2 else 40)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries), response.content.decode()

    add(0, 12)
    client.login(username="street_secretary", password=PASSWORD)
    page_queries, html = queries(reverse("inbox"))
    badge_queries, fragment = queries(reverse("inbox_badge"))
    assert 'data-section="to_accept"' in html and "措施1（" in html
    assert 'data-testid="inbox-badge"' in html
    # The street waits on the six complete ones; the other six are open and due within a week.
    counts = _counts(people["street"])
    assert counts["to_accept"] == 6 and counts["due_soon"] == 6
    assert f'data-testid="inbox-count" title="{sum(counts.values())} 项等待处理">{sum(counts.values())}<' in html
    assert f">{sum(counts.values())}</span>" in fragment
    # Every module's provider counts in a fixed number of queries: twice the rows, the same queries.
    add(12, 12)
    assert queries(reverse("inbox"))[0] == page_queries
    assert queries(reverse("inbox_badge"))[0] == badge_queries
    assert badge_queries < page_queries
    # Other pages fetch the badge after loading, so their query bounds do not change.
    other = client.get(reverse("home")).content.decode()
    assert reverse("inbox_badge") in other and "inbox-count" not in other


def test_the_digest_is_one_message_per_user_and_period(city, people, reported, capsys):
    InboxSettings.objects.create(user=people["community"], digest="weekly")
    monday = REAL_TODAY - datetime.timedelta(days=REAL_TODAY.weekday())
    call_command("inbox_digest", "--today", monday.isoformat())
    call_command("inbox_digest", "--today", monday.isoformat())
    street = Notification.objects.filter(recipient=people["street"], kind="core.digest")
    assert street.count() == 1
    assert "待验收的措施：1" in street.get().body and street.get().url == reverse("inbox")
    # The community has nothing waiting (its measure awaits the street): no empty digest.
    assert not Digest.objects.filter(user=people["community"]).exists()
    services.measure_send_back(actor=people["street"], measure=reported, reason="请补充服务站挂牌的说明")
    # A weekly reader gets nothing on Tuesday; a daily reader gets Tuesday's digest.
    call_command("inbox_digest", "--today", (monday + datetime.timedelta(days=1)).isoformat())
    assert not Digest.objects.filter(user=people["community"]).exists()
    call_command("inbox_digest", "--today", (monday + datetime.timedelta(days=7)).isoformat())
    assert Digest.objects.get(user=people["community"]).period.startswith("weekly:")
    assert "digests sent: 0" in capsys.readouterr().out.splitlines()[1]


def test_digest_choice_from_the_inbox_page(client, people):
    client.login(username="community_secretary", password=PASSWORD)
    response = client.post(reverse("inbox"), {"digest": "weekly"})
    assert response.status_code == 302
    assert InboxSettings.objects.get(user=people["community"]).digest == "weekly"
    bad = client.post(reverse("inbox"), {"digest": "hourly"})
    assert bad.status_code == 400 and InboxSettings.objects.get(user=people["community"]).digest == "weekly"


def test_the_digest_computes_scope_sections_once_per_scope(city, people, reported, monkeypatch):
    """Ten more street secretaries with the same grant: the lists' sections are counted
    once for all of them, and each still gets the same digest."""
    from dangjian.core.inbox import services as inbox_services
    from dangjian.lists import inbox as lists_inbox

    colleagues = [make_user(f"street_{n}", "secretary", city.streets["a"], also=("data_exchange",)) for n in range(10)]
    calls = []
    original = lists_inbox.measure_sections

    def counting(user, *, entries):
        calls.append(user.pk)
        return original(user, entries=entries)

    # Swap the registered function in place, keeping its per-scope mark.
    monkeypatch.setattr(inbox, "_providers", [counting if p is original else p for p in inbox._providers])
    monkeypatch.setattr(inbox, "_per_scope", {counting} | (inbox._per_scope - {original}))
    inbox_services.digests_send(today=REAL_TODAY)
    bodies = {n.body for n in Notification.objects.filter(recipient__in=[people["street"], *colleagues],
                                                          kind="core.digest")}
    assert bodies == {"待验收的措施：1"}
    assert Notification.objects.filter(kind="core.digest", recipient__in=colleagues).count() == 10
    street_scope_calls = [pk for pk in calls if pk in {u.pk for u in [people["street"], *colleagues]}]
    assert len(street_scope_calls) == 1
