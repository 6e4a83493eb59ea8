"""Thresholds per organisation department: a district (or street) sets the red/yellow/green
thresholds of its subtree; the compliance pages use the nearest ancestor's."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.duties import selectors, services
from dangjian.duties.models import ComplianceThreshold, DutyRule
from dangjian.testing import PASSWORD, make_user

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)


@pytest.fixture
def world(city, kinds):
    """Both districts' branches held two of their three theme days in Q1 2025 (66.7 %)."""
    DutyRule.objects.all().delete()
    services.rule_create(actor=None, kind=kinds["theme_day"], frequency="monthly", org_kinds=["branch"],
                         valid_from=START)
    services.roll_over(period_start=START, period_end=END, today=datetime.date(2025, 4, 10))
    for key in ("a", "b"):
        for month in (1, 2):
            services.activity_create(actor=None, org=city.branches[key], kinds=[kinds["theme_day"]],
                                     starts_at=timezone.make_aware(datetime.datetime(2025, month, 10, 15)),
                                     topic="主题党日", attendance=[])
    return {"a": make_user("district_a", "org_admin", city.districts["a"]),
            "b": make_user("district_b", "org_admin", city.districts["b"]),
            "branch": make_user("grid_sec", "secretary", city.branches["a"])}


def test_each_district_colours_by_its_own_thresholds(client, city, world):
    services.threshold_set(actor=world["a"], org=city.districts["a"], green=60, yellow=50)
    rows = {row.org.pk: row.figures for row in selectors.children_compliance(city.city, START, END)}
    assert rows[city.districts["a"].pk].rate == rows[city.districts["b"].pk].rate
    assert rows[city.districts["a"].pk].colour == "green" and rows[city.districts["b"].pk].colour == "red"
    red = {row.org_id for row in selectors.red_list(city.city, START, END)}
    assert red == {city.branches["b"].pk}
    assert selectors.colour_counts(city.city, START, END)["green"] == 1
    # A street's own row beats the district's below it.
    services.threshold_set(actor=world["a"], org=city.streets["a"], green=95, yellow=90)
    assert selectors.subtree_compliance(city.branches["a"], START, END).colour == "red"
    assert "甲区一街道党工委设置" in selectors.threshold_source(city.communities["a"])
    services.threshold_clear(actor=world["a"], org=city.streets["a"])
    assert selectors.subtree_compliance(city.branches["a"], START, END).colour == "green"
    assert "中共甲区委设置" in selectors.threshold_source(city.communities["a"])
    assert "全市默认" in selectors.threshold_source(city.communities["b"])


def test_the_district_sets_them_on_its_page_and_nobody_else_can(client, city, world):
    url = reverse("duties:org_threshold", args=[city.districts["a"].pk])
    assert client.login(username="district_a", password=PASSWORD)
    compliance = client.get(reverse("duties:compliance") + f"?root={city.districts['a'].pk}&period=2025-Q1")
    assert url in compliance.content.decode() and "全市默认" in compliance.content.decode()
    response = client.post(url, {"green": "60", "yellow": "50"})
    assert response.status_code == 302
    row = ComplianceThreshold.objects.get(org=city.districts["a"])
    assert (row.green, row.yellow) == (60, 50)
    page = client.get(reverse("duties:compliance") + f"?root={city.districts['a'].pk}&period=2025-Q1")
    html = page.content.decode()
    assert "中共甲区委设置" in html and 'data-testid="root-colour">绿' in html
    client.logout()
    assert client.login(username="district_b", password=PASSWORD)
    assert client.get(url).status_code == 404
    assert client.post(url, {"green": "10", "yellow": "5"}).status_code == 404
    client.logout()
    # A branch cannot grade itself.
    assert client.login(username="grid_sec", password=PASSWORD)
    own = reverse("duties:org_threshold", args=[city.branches["a"].pk])
    refused = client.post(own, {"green": "10", "yellow": "5"})
    assert refused.status_code == 200 and "只有区（县）党委和街道（乡镇）党工委" in refused.content.decode()
    assert not ComplianceThreshold.objects.filter(org=city.branches["a"]).exists()
    with pytest.raises(ValidationError):
        services.threshold_set(actor=world["branch"], org=city.branches["a"], green=10, yellow=5)
    assert ComplianceThreshold.objects.get(org=city.districts["a"]).green == 60
