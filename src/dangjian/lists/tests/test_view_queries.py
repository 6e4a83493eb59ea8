"""Query bounds on lists pages: a page's query count must not grow with its rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.testing import PASSWORD
from dangjian.lists import services

from .conftest import make_list, make_measure


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_measure_detail_queries_do_not_grow_with_reviews(client, city, people):
    lst = make_list(people["community"], city.communities["a"])
    measure = make_measure(people["community"], lst, city.communities["a"])
    url = reverse("lists:measure_detail", args=[measure.pk])
    assert client.login(username="street_secretary", password=PASSWORD)

    def send_back(reason):
        services.measure_report_progress(actor=people["community"], measure=measure, percent=10)
        services.measure_send_back(actor=people["street"], measure=measure, reason=reason)

    send_back("第一次退回")
    one, _page = _queries(client, url)
    for i in range(2, 6):
        send_back(f"第{i}次退回")
    many, page = _queries(client, url)
    assert "第5次退回" in page and "第一次退回" in page
    assert city.streets["a"].name in page  # the reviewing org is named on each review
    assert many == one
