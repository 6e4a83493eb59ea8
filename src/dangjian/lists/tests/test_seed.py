"""The lists' part of `dangjian seed`: every village and community gets its three lists,
secretary projects sit in domain programmes, progress is spread, pages answer."""

import pytest
from django.db.models import Count

from dangjian.lists import seed as lists_seed
from dangjian.lists import selectors
from dangjian.lists.models import List, Measure, MeasureStatus, Project, Revision
from dangjian.testing import seeded_module


demo_seed = seeded_module("demo")      # once for the module; each test rolls back its own changes


@pytest.fixture
def demo(db, demo_seed):
    return demo_seed.output


def test_demo_preset(demo, client):
    units = lists_seed.grassroots_units()
    assert len(units) == 14
    # The lists this seed makes (community_service adds each community's 共驻共建 project list).
    per_unit = dict(List.objects.filter(org__in=units).exclude(title__contains="共驻共建")
                    .values_list("org").annotate(n=Count("id")))
    assert set(per_unit.values()) == {3} and len(per_unit) == len(units)
    assert List.objects.filter(title__endswith="主题党日计划").count() == len(units)
    secretary = Project.objects.filter(is_secretary_project=True)
    assert secretary.count() == 8 and not secretary.filter(programme__domain__isnull=True).exists()
    statuses = set(Measure.objects.values_list("status", flat=True))
    assert {MeasureStatus.ACCEPTED, MeasureStatus.IN_PROGRESS, MeasureStatus.PLANNED} <= statuses
    assert Measure.objects.overdue().exists()
    # Stored progress agrees with the reports behind it; a measure bound to a platform
    # metric has none (its records are the report) and agrees with a fresh computation.
    for m in Measure.objects.filter(has_progress=True, metric="")[:50]:
        assert m.reports.order_by("-reported_at").first().percent == m.progress
    bound = Measure.objects.filter(metric="orgs.grid_coverage")
    assert bound.exists() and not bound.filter(reports__isnull=False).exists()
    from dangjian.lists import services as list_services

    assert list_services.refresh_bound_measures() == 0
    assert "街道党工委签订的责任书" in demo
    # The shares written with bulk_create are the ones the services keep.
    from dangjian.lists import services

    assert Measure.objects.filter(share__gt=0).exists()
    assert services.refresh_shares(List.objects.values_list("pk", flat=True)) == 0
    assert not Revision.objects.exists()
    from dangjian.accounts.models import User

    admin = User.objects.get(username="city_admin")
    board = selectors.board(admin, selectors.default_root(admin))
    assert [row.rank for row in board["rows"] if row.n][:1] == [1]
    assert client.get("/public/").status_code == 200
    client.force_login(User.objects.get(username="community_secretary"))
    assert client.get("/lists/").status_code == 200


def test_seed_reads_the_articles(demo):
    """Issue 9.8: 书记项目 are Party-building projects; the street signs its responsibility
    list (owner) and the district receives it; the aspect list says which figures are the
    article's and which split is ours."""
    from dangjian.accounts.models import User
    from dangjian.lists.models import ListKind
    from dangjian.orgs.models import OrgKind

    titles = list(Project.objects.filter(is_secretary_project=True).values_list("title", flat=True))
    topics = [t for pool in lists_seed.SECRETARY_TOPICS.values() for t in pool]
    assert titles and all("党" in t or "支部" in t for t in topics)
    economic = ("经济", "产业", "增收", "富民", "招商", "一网通办", "攻坚")
    assert not [t for t in titles if any(word in t for word in economic)]

    signed = List.objects.get(kind=ListKind.RESPONSIBILITY)
    street = User.objects.get(username="street_secretary").role_grants.get().org
    assert signed.org == street and street.kind == OrgKind.WORKING_COMMITTEE and "区委接收" in signed.description
    assert set(signed.measures.values_list("org", flat=True)) == {street.pk}
    district_admin = User.objects.get(username="city_admin")  # above the district: receives it too
    assert List.objects.visible_to(district_admin).filter(pk=signed.pk).exists()
    # the street's tasks for its communities are a task list, and one item is the grid branch's own
    branch = User.objects.get(username="grid_secretary").role_grants.get().org
    assert Measure.objects.filter(org=branch, list__org=street, list__kind=ListKind.TASK).exists()

    aspects = List.objects.get(title__contains="融合党建")
    assert aspects.programmes.count() == 6 and "均分" in aspects.description and "30" in aspects.description


def test_secretary_plan_spreads_202():
    import random

    class Org:
        def __init__(self, name):
            self.name = name

    plan = lists_seed._secretary_plan(Org("city"), [Org(f"d{i}") for i in range(10)],
                                      [Org(f"t{i}") for i in range(100)], 202, random.Random(1))
    assert sum(n for _org, n in plan) == 202
    assert plan[0][1] == 2 and all(n == 2 for _org, n in plan[1:11])


def test_bench_cases_have_fixed_query_counts(demo, django_assert_num_queries):
    """The city board (the GROUP BY + the child orgs), the overview figures (one
    aggregate) and the overdue list (count + page), once the user's scope is known,
    whatever the size of the city."""
    from dangjian.accounts.models import User

    cases = selectors.bench_cases(User.objects.get(username="city_admin"))
    for name, queries in (("lists.progress_board", 2), ("lists.overview", 1), ("lists.overdue_list", 2)):
        fresh = selectors.bench_cases(User.objects.get(username="city_admin"))
        with django_assert_num_queries(queries):
            fresh[name]()
    assert cases["lists.overdue_list"]()[0] == Measure.objects.overdue().count()
