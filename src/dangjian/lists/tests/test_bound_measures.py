"""Measures bound to a platform metric (core.metrics): their progress comes from the
records, nobody reports it, and the page links to the rows behind it (基层减负)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.core import metrics
from dangjian.lists import services
from dangjian.lists.models import ListKind, Measure, MeasureStatus
from dangjian.orgs import services as org_services
from dangjian.orgs.models import AreaKind, OrgKind, Sector
from dangjian.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

YEAR = datetime.date.today().year
START, END = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)


@pytest.fixture
def world(city):
    sec = make_user("sec_bound", "secretary", city.districts["a"])
    lst = services.list_create(actor=sec, org=city.communities["a"], kind=ListKind.TASK, title="年度任务",
                               period_start=START, period_end=END)
    return city, sec, lst


def _bound(sec, lst, org, metric, **kwargs):
    return services.measure_create(actor=sec, lst=lst, org=org, title="发展党员", target="发展党员2名",
                                   start_on=START, deadline=END, metric=metric, **kwargs)


def test_count_metric_follows_the_registry_without_a_report(world):
    city, sec, lst = world
    measure = _bound(sec, lst, city.communities["a"], "orgs.members_developed", target_value=2, target_unit="名")
    assert (measure.progress, measure.has_progress) == (Decimal(0), False)
    # A member who joined this year in the community's subtree moves it; one in the sibling
    # district and one who joined years ago do not.
    city.member(city.branches["a"], name="新党员", joined_on=datetime.date(YEAR, 1, 1))
    city.member(city.branches["b"], name="乙区新党员", joined_on=datetime.date(YEAR, 1, 1))
    city.member(city.branches["a"], name="老党员", joined_on=datetime.date(2001, 7, 1))
    measure.refresh_from_db()
    assert (measure.progress, measure.progress_value, measure.status) == (
        Decimal(50), Decimal(1), MeasureStatus.IN_PROGRESS)
    city.member(city.communities["a"], name="又一名新党员", joined_on=datetime.date(YEAR, 1, 1))
    measure.refresh_from_db()
    assert (measure.progress, measure.status) == (Decimal(100), MeasureStatus.SUBMITTED)
    assert not measure.reports.exists()  # nobody reported it


def test_rate_metric_and_the_rows_behind_it(world, client):
    city, sec, lst = world
    measure = _bound(sec, lst, city.communities["a"], "orgs.grid_coverage")
    measure.refresh_from_db()
    # Two grids, one with a grid branch (testing.City): 50 %.
    assert measure.progress == Decimal(50)
    org_services.org_create(actor=sec, parent=city.communities["a"], name="第2网格党支部", kind=OrgKind.BRANCH,
                            sector=Sector.URBAN_COMMUNITY, area=city.grids["a"][1])
    measure.refresh_from_db()
    assert measure.progress == Decimal(100)
    client.login(username="sec_bound", password=PASSWORD)
    page = client.get(f"/lists/measures/{measure.pk}/").content.decode()
    assert 'data-testid="bound-metric"' in page and "网格党组织覆盖率" in page
    assert f"/areas/list/?within={city.communities['a'].area_id}&amp;kind=grid" in page
    assert "h-report\"" not in page and "提交进展" not in page  # no report form on a bound measure
    rows = client.get(f"/areas/list/?within={city.communities['a'].area_id}&kind=grid").content.decode()
    assert "第1网格" in rows and "第2网格" in rows


def test_a_bound_measure_refuses_reports_and_unknown_metrics(world):
    city, sec, lst = world
    measure = _bound(sec, lst, city.communities["a"], "orgs.grid_coverage")
    with pytest.raises(ValidationError) as exc:
        services.measure_report_progress(actor=sec, measure=measure, percent=80)
    assert "percent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _bound(sec, lst, city.communities["a"], "no.such_metric")
    assert "metric" in exc.value.message_dict
    assert Measure.objects.filter(metric="no.such_metric").count() == 0


def test_refresh_reads_each_metric_once_for_many_measures(world, django_assert_max_num_queries):
    city, sec, lst = world
    for org in (city.communities["a"], city.branches["a"]):
        _bound(sec, lst, org, "orgs.members_developed", target_value=1)
    Measure.objects.update(progress=0, has_progress=False)
    calls = []
    original = metrics.get("orgs.members_developed").compute

    def counting(orgs, start, end):
        calls.append(len(list(orgs)))
        return original(orgs, start, end)

    metric = metrics.get("orgs.members_developed")
    object.__setattr__(metric, "compute", counting)
    try:
        services.refresh_bound_measures()
    finally:
        object.__setattr__(metric, "compute", original)
    assert calls == [2]  # one read for both organisations


def test_metrics_api_lists_the_registry(world, client):
    client.login(username="sec_bound", password=PASSWORD)
    keys = [m["key"] for m in client.get("/api/v1/metrics/").json()]
    assert "orgs.grid_coverage" in keys and "orgs.members_developed" in keys


def test_import_refreshes_bound_measures(world):
    # An import calls changed(key, None): every measure bound to the metric is recomputed.
    city, sec, lst = world
    measure = _bound(sec, lst, city.communities["a"], "orgs.members_developed", target_value=4)
    Measure.objects.filter(pk=measure.pk).update(progress=99)
    metrics.changed("orgs.members_developed", None)
    measure.refresh_from_db()
    assert measure.progress == Decimal(0)
    assert AreaKind.GRID  # the area kinds the coverage metric counts
