"""List pages and API lists take a bounded number of queries, whatever the number of rows."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.responsibilities import services

from .conftest import TODAY, give_all_levels, make_point


@pytest.fixture
def many(city, leaders):
    for key in ("a", "b"):
        give_all_levels(city.districts[key], leaders[key])
        for _ in range(3):
            point = make_point(city, key, leaders[key]["secretary"])
            services.visit_record(actor=None, point=point, visited_on=TODAY, summary="走访")
            services.document_create(actor=None, org=city.districts[key], kind="pledge", title="责任书",
                                     signed_on=TODAY, member=leaders[key]["secretary"])


PAGES = ["responsibilities:index", "responsibilities:documents", "responsibilities:points", "responsibilities:visits"]
APIS = ["/api/v1/responsibilities/", "/api/v1/responsibility-documents/", "/api/v1/contact-points/",
        "/api/v1/contact-visits/", "/api/v1/leader-duty-records/"]


def test_list_pages_and_api_lists_are_bounded(client, users, many, django_assert_max_num_queries):
    client.force_login(users["city_admin"])
    for name in PAGES:
        with django_assert_max_num_queries(25):
            response = client.get(reverse(name))
        assert response.status_code == 200
    api = APIClient()
    api.force_authenticate(users["city_admin"])
    for url in APIS:
        with django_assert_max_num_queries(8):
            response = api.get(url)
        assert response.status_code == 200
    assert len(api.get("/api/v1/contact-points/").json()["results"]) == 6


def test_leader_page_is_bounded(client, users, leaders, many, django_assert_max_num_queries):
    client.force_login(users["a"])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("responsibilities:leader_member", args=[leaders["a"]["secretary"].pk]))
    assert response.status_code == 200 and response.content.decode().count('data-testid="leader-point"') == 3
