"""Roll-up rules, as properties over any tree and any weights, and the SQL subtree
aggregation checked against the pure function."""

import copy
import datetime
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.lists import rollup, selectors, services
from dangjian.lists.models import Measure

from .conftest import make_list, make_measure

values = st.floats(min_value=0, max_value=100, allow_nan=False)
weights = st.integers(min_value=1, max_value=10_000).map(lambda n: n / 100)  # 0.01 … 100, two decimals
rules = st.sampled_from([rollup.WEIGHTED, rollup.PLAIN])
missing_rules = st.sampled_from([rollup.EXCLUDE, rollup.ZERO])


@st.composite
def leaf(draw):
    return rollup.Row(value=draw(values), weight=draw(weights), has_progress=draw(st.booleans()))


def _tree(depth):
    if depth == 0:
        return st.lists(leaf(), min_size=0, max_size=6)
    return st.lists(st.one_of(leaf(), st.tuples(weights, st.deferred(lambda: _tree(depth - 1)))), max_size=5)


def evaluate(node, averaging, missing):
    """Roll a nested tree up the way list_rollup does: children first, then the parent."""
    rows = []
    for child in node:
        if isinstance(child, rollup.Row):
            rows.append(child)
        else:
            weight, grandchildren = child
            result = evaluate(grandchildren, averaging, missing)
            rows.append(rollup.Row(value=result.value, weight=weight, has_progress=result.has_progress,
                                   children=result))
    return rollup.rollup(rows, averaging=averaging, missing=missing)


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=300, deadline=None)
@given(tree=_tree(3), averaging=rules, missing=missing_rules)
def test_parent_between_min_and_max_of_counted_children(tree, averaging, missing):
    def check(result):
        counted = [r for r in result.rows if r.counted]
        if not counted:
            assert result.value is None
        else:
            low = min(r.used_value for r in counted)
            high = max(r.used_value for r in counted)
            assert low - 1e-9 <= result.value <= high + 1e-9
            assert 0 <= result.value <= 100
            assert _close(sum(r.share for r in counted), 1.0)
            assert _close(sum(r.contribution for r in counted), result.value)
        for row in result.rows:
            if row.children is not None:
                check(row.children)

    check(evaluate(tree, averaging, missing))


@given(rows=st.lists(leaf(), min_size=1, max_size=12), missing=missing_rules)
def test_weights_respected(rows, missing):
    result = rollup.rollup(rows, averaging=rollup.WEIGHTED, missing=missing)
    counted = [r for r in result.rows if r.counted]
    if not counted:
        return
    expected = sum(r.weight * r.used_value for r in counted) / sum(r.weight for r in counted)
    assert _close(result.value, expected) or abs(result.value - expected) < 1e-7


@given(rows=st.lists(leaf(), min_size=1, max_size=12), factor=st.integers(min_value=2, max_value=50))
def test_scaling_all_weights_changes_nothing_and_heavier_child_pulls_harder(rows, factor):
    base = rollup.rollup(rows, averaging=rollup.WEIGHTED, missing=rollup.ZERO).value
    scaled = [rollup.Row(value=r.value, weight=r.weight * factor, has_progress=r.has_progress) for r in rows]
    assert math.isclose(rollup.rollup(scaled, averaging=rollup.WEIGHTED, missing=rollup.ZERO).value, base,
                        rel_tol=1e-9, abs_tol=1e-9)
    # Giving the highest child more weight cannot lower the parent.
    used = [r.used_value for r in rollup.rollup(rows, averaging=rollup.WEIGHTED, missing=rollup.ZERO).rows]
    top = max(range(len(rows)), key=lambda i: used[i])
    heavier = [rollup.Row(value=r.value, weight=r.weight * (factor if i == top else 1), has_progress=r.has_progress)
               for i, r in enumerate(rows)]
    assert rollup.rollup(heavier, averaging=rollup.WEIGHTED, missing=rollup.ZERO).value >= base - 1e-9


@given(rows=st.lists(leaf(), min_size=1, max_size=12), extra=st.lists(leaf(), min_size=1, max_size=5),
       averaging=rules)
def test_excluded_items_are_excluded(rows, extra, averaging):
    without = [r for r in rows if r.has_progress]
    silent = [rollup.Row(value=r.value, weight=r.weight, has_progress=False) for r in extra]
    result = rollup.rollup(rows + silent, averaging=averaging, missing=rollup.EXCLUDE)
    reference = rollup.rollup(without, averaging=averaging, missing=rollup.EXCLUDE)
    assert (result.value is None) == (reference.value is None)
    if result.value is not None:
        assert math.isclose(result.value, reference.value, rel_tol=1e-9, abs_tol=1e-9)
    assert all(not r.counted for r in result.rows[len(rows):])
    assert result.excluded == sum(1 for r in rows + silent if not r.has_progress)


@given(rows=st.lists(leaf(), min_size=1, max_size=12), averaging=rules)
def test_zero_rule_counts_silent_items_as_zero(rows, averaging):
    result = rollup.rollup(rows, averaging=averaging, missing=rollup.ZERO)
    assert result.counted == len(rows)
    assert all(r.used_value == 0 for r in result.rows if not r.has_progress)


@settings(max_examples=200, deadline=None)
@given(tree=_tree(3), averaging=rules, missing=missing_rules)
def test_rollup_leaves_its_input_as_it_was(tree, averaging, missing):
    before = copy.deepcopy(tree)
    result = evaluate(tree, averaging, missing)
    assert tree == before
    rows = [row for row in tree if isinstance(row, rollup.Row)]
    assert all(a is not b for a in rows for b in result.rows)


@settings(max_examples=300, deadline=None)
@given(tree=_tree(3), averaging=rules, missing=missing_rules)
def test_effective_shares_carry_the_whole_value(tree, averaging, missing):
    """Σshare = 1 over the counted measures and Σ(share × value) = the top value, so an
    organisation's Σ(share × progress) / Σshare is the list's figure for a whole list."""
    for position, row in enumerate(_leaves(tree)):
        row.obj = position
    result = evaluate(tree, averaging, missing)
    shares = rollup.effective_shares(result)
    values = {row.obj: (float(row.value) if row.has_progress else 0.0) for row in _leaves(tree)}
    assert sorted(obj for obj, _share in shares) == sorted(values)
    assert all(share >= 0 for _obj, share in shares)
    if result.value is None:
        assert all(share == 0 for _obj, share in shares)
    else:
        assert _close(sum(share for _obj, share in shares), 1.0)
        assert _close(sum(share * values[obj] for obj, share in shares), result.value) or \
            abs(sum(share * values[obj] for obj, share in shares) - result.value) < 1e-7


def _leaves(node):
    for child in node:
        if isinstance(child, rollup.Row):
            yield child
        else:
            yield from _leaves(child[1])


def test_empty_programme_or_project_is_left_out_under_either_rule():
    for missing in (rollup.ZERO, rollup.EXCLUDE):
        empty = rollup.Row(value=None, weight=5, has_progress=False, children=rollup.rollup([], missing=missing))
        result = rollup.rollup([rollup.Row(value=60, weight=1), empty], missing=missing)
        assert result.value == 60 and not result.rows[1].counted


def test_figure_rounds_half_up_without_float_noise():
    assert str(rollup.figure(12.25)) == "12.3"
    assert str(rollup.figure(12.249999999999)) == "12.3"
    assert str(rollup.figure(12.2449)) == "12.2"
    assert str(rollup.figure(0)) == "0.0"
    assert rollup.figure(None) is None


def test_plain_ignores_weights():
    rows = [rollup.Row(value=100, weight=9), rollup.Row(value=0, weight=1)]
    assert rollup.rollup(rows, averaging=rollup.PLAIN).value == 50
    assert rollup.rollup(rows, averaging=rollup.WEIGHTED).value == 90


def test_nothing_counted_is_none():
    rows = [rollup.Row(value=0, has_progress=False)]
    assert rollup.rollup(rows, missing=rollup.EXCLUDE).value is None
    assert rollup.rollup([], missing=rollup.ZERO).value is None
    assert rollup.rollup(rows, missing=rollup.ZERO).value == 0


# The list roll-up and the SQL subtree aggregation ------------------------------------

def test_list_rollup_follows_the_chain(city, people):
    actor = people["street"]
    lst = make_list(actor, city.streets["a"], kind="project", averaging="weighted", missing_progress="exclude")
    programme = services.programme_create(actor=actor, lst=lst, title="工程", weight=3)
    project = services.project_create(actor=actor, lst=lst, programme=programme, title="项目", weight=2)
    m1 = make_measure(actor, lst, city.communities["a"], project=project, weight=1)
    m2 = make_measure(actor, lst, city.communities["a"], project=project, weight=3)
    loose = make_measure(actor, lst, city.streets["a"], weight=1)
    make_measure(actor, lst, city.communities["a"], project=project, weight=5, title="未报进度")
    services.measure_report_progress(actor=actor, measure=m1, percent=100)
    services.measure_report_progress(actor=actor, measure=m2, percent=20)
    services.measure_report_progress(actor=actor, measure=loose, percent=50)
    data = selectors.list_rollup(lst)
    project_row = data.result.rows[0].children.rows[0]
    assert math.isclose(project_row.value, (100 * 1 + 20 * 3) / 4)  # the silent measure is left out
    assert project_row.children.excluded == 1
    # list = programme (weight 3, value 40) and the loose measure (weight 1, value 50)
    assert math.isclose(data.value, (40 * 3 + 50 * 1) / 4)
    services.list_update(actor=actor, lst=lst, missing_progress="zero")
    lst.refresh_from_db()
    zero = selectors.list_rollup(lst)
    assert math.isclose(zero.result.rows[0].value, (100 + 60 + 0) / 9)


@pytest.mark.parametrize("averaging", [rollup.WEIGHTED, rollup.PLAIN])
@pytest.mark.parametrize("missing", [rollup.EXCLUDE, rollup.ZERO])
def test_sql_subtree_rollup_matches_the_pure_function(city, people, averaging, missing):
    """One list spread over the tree: each district's figure from the SQL sums is the
    share-weighted mean of its measures, and the city's total is the list's own figure."""
    from dangjian.testing import make_user

    city_admin = make_user("city_root", "org_admin", city.city)
    lst = make_list(city_admin, city.city, averaging=averaging, missing_progress=missing)
    plan = [(city.communities["a"], 3, 80), (city.communities["a"], 1, None), (city.branches["a"], 2, 10),
            (city.streets["a"], 5, 100), (city.communities["b"], 1, 30), (city.districts["b"], 2, None),
            (city.city, 4, 70)]
    for org, weight, percent in plan:
        m = make_measure(city_admin, lst, org, weight=weight)
        if percent is not None:
            services.measure_report_progress(actor=city_admin, measure=m, percent=percent)
    figures = selectors.subtree_figures(Measure.objects.all(), depth=city.city.depth + 1,
                                        today=datetime.date(2026, 1, 1))
    result = rollup.rollup([rollup.Row(value=float(m.progress), weight=float(m.weight), has_progress=m.has_progress,
                                       obj=m) for m in Measure.objects.filter(list=lst)],
                           averaging=averaging, missing=missing)
    shares = {m.pk: share for m, share in rollup.effective_shares(result)}
    for district in city.districts.values():
        inside = list(Measure.objects.within(district))
        weight = sum(shares[m.pk] for m in inside)
        expected = sum(shares[m.pk] * float(m.progress) for m in inside) / weight if weight else None
        got = selectors.completion(figures.get(district.path))
        assert got == rollup.figure(expected)
    total = selectors.completion(selectors._combine(figures.values()))
    assert total == selectors.list_rollup(lst).value == rollup.figure(result.value)
    # The city's own measure is its own row, not mixed into a district.
    assert figures[city.city.path]["n"] == 1
    assert people["street"]  # the street secretary exists but plays no part here
