"""The requests' part of `dangjian seed`: categories, units, a year of requests in every
state, and the demo accounts find work in their inbox."""

import pytest

from dangjian.core import inbox
from dangjian.resident_requests import selectors
from dangjian.resident_requests.models import Category, DispatchUnit, Request, RequestCounter, Status
from dangjian.testing import seeded_module


demo_seed = seeded_module("demo")      # once for the module; each test rolls back its own changes


@pytest.fixture
def demo(db, demo_seed):
    return demo_seed.output, demo_seed.seconds


def test_demo_preset(demo, client):
    from dangjian.accounts.models import User

    out, _seconds = demo
    assert "居民诉求" in out and "查询码示例" in out
    assert {"物业维修", "环境卫生", "停车充电", "邻里纠纷", "养老助残", "政策咨询"} <= set(
        Category.objects.values_list("name", flat=True))
    assert DispatchUnit.objects.filter(kind="property_company").exists()
    assert DispatchUnit.objects.filter(kind="street_department").exists()
    assert 300 <= Request.objects.count() <= 310
    assert set(Request.objects.values_list("status", flat=True)) >= {
        Status.SUBMITTED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}
    assert Request.objects.filter(escalation_level__gt=0).exists()
    assert Request.objects.filter(rating__isnull=False).exists() and Request.objects.filter(reopen_count=1).exists()
    # numbers are unique and the counter continues after them
    year = max(RequestCounter.objects.values_list("year", flat=True))
    last = RequestCounter.objects.get(year=year).last
    assert Request.objects.filter(number=f"R{year}-{last:06d}").exists()
    admin = User.objects.get(username="city_admin")
    total = selectors.figures(admin)["total"]
    assert total["received"] == Request.objects.count() and 50 < (total["on_time_rate"] or 0) <= 100
    worker = User.objects.get(username="grid_worker")
    keys = {s.key for s in inbox.sections(worker)}
    assert "requests_intake" in keys and "requests_mine" in keys
    client.force_login(worker)
    assert client.get("/requests/?queue=intake").status_code == 200


def test_bench_agrees_with_hand_written_sql(demo):
    import sys
    from pathlib import Path

    bench = str(Path(__file__).resolve().parents[4] / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    import bench_requests

    result = bench_requests.measure(1)
    assert result["checks"] == {"total": True, "by_category": True, "by_grid": True}, result
    figure = result["figures"]["requests.city_figures"]
    assert figure["same"] and figure["ours_queries"] <= 5 and result["requests"] >= 300
