"""One set of figures on every surface: lists of mixed shapes, and the list page, the
progress board (page and API), the overview panel, the roll-up API and the export all
show the figure an independent computation (written here, with exact fractions) gives
for each list and organisation. Ranks tie on the displayed figure."""

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from rest_framework.test import APIClient

from dangjian.testing import make_user, overview_panel
from dangjian.lists import selectors, services
from dangjian.lists.models import Measure
from dangjian.lists.selectors import BoardRow, rank
from dangjian.orgs.models import Org

from .conftest import make_list, make_measure


# The independent computation ---------------------------------------------------------
# A list is a tree of ("node", weight, children) and ("measure", weight, key) items. A
# measure's share of its list is the product, along its path, of weight ÷ Σweight (or
# 1 ÷ n) over the siblings that count; a measure counts when it has progress, or always
# under the "zero" rule; a node counts when something under it counts.

def _counts(item, progress, missing):
    if item[0] == "measure":
        return item[2] in progress or missing == "zero"
    return any(_counts(child, progress, missing) for child in item[2])


def expected_shares(items, progress, *, averaging, missing, scale=Fraction(1)):
    counted = [item for item in items if _counts(item, progress, missing)]
    weights = {id(item): (Fraction(str(item[1])) if averaging == "weighted" else Fraction(1)) for item in counted}
    total = sum(weights.values())
    shares = {}
    for item in items:
        share = scale * weights[id(item)] / total if id(item) in weights else Fraction(0)
        if item[0] == "measure":
            shares[item[2]] = share
        else:
            shares.update(expected_shares(item[2], progress, averaging=averaging, missing=missing, scale=share))
    return shares


def shown(value):
    """What a page shows for an exact completion: one decimal, half up; None as '—'."""
    if value is None:
        return "—"
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def completion(shares, progress, keys):
    """Σ(share × progress) ÷ Σshare over the measures `keys` (docs/lists.md)."""
    total = sum(shares[k] for k in keys)
    if not total:
        return None
    return sum(shares[k] * Fraction(str(progress.get(k, 0))) for k in keys) / total


# The lists ---------------------------------------------------------------------------

def build(city, actor):
    """Four lists of different shapes and rules. Returns (lists, specs, progress, orgs by
    measure key, Measure by key)."""
    c = city
    lists, specs, orgs, measures = {}, {}, {}, {}

    def measure(lst, key, org, weight, project=None):
        measures[key] = make_measure(actor, lst, org, weight=weight, project=project, title=f"措施{key}")
        orgs[key] = org
        return ("measure", weight, key)

    # 1. District A, weighted, unreported = 0 %: a programme with two projects, an empty
    #    programme, an empty loose project and a loose measure.
    l1 = lists["l1"] = make_list(actor, c.districts["a"], title="甲区清单", averaging="weighted",
                                 missing_progress="zero")
    p1 = services.programme_create(actor=actor, lst=l1, title="工程一", weight="3")
    j1 = services.project_create(actor=actor, lst=l1, programme=p1, title="项目一", weight="2")
    j2 = services.project_create(actor=actor, lst=l1, programme=p1, title="项目二", weight="1")
    services.programme_create(actor=actor, lst=l1, title="空工程", weight="5")
    services.project_create(actor=actor, lst=l1, title="空项目", weight="4")
    specs["l1"] = [
        ("node", 3, [("node", 2, [measure(l1, "m1", c.communities["a"], 1, j1),
                                  measure(l1, "m2", c.streets["a"], 3, j1)]),
                     ("node", 1, [measure(l1, "m3", c.branches["a"], 2, j2)])]),
        ("node", 5, []), ("node", 4, []),
        measure(l1, "m4", c.streets["a"], 2),
    ]
    # 2. District B, plain average, unreported not counted: a project without a
    #    programme and loose measures, all inside street B.
    l2 = lists["l2"] = make_list(actor, c.districts["b"], title="乙区清单", averaging="plain",
                                 missing_progress="exclude")
    j4 = services.project_create(actor=actor, lst=l2, title="项目四", weight="7")
    specs["l2"] = [
        ("node", 7, [measure(l2, "m5", c.communities["b"], 1, j4), measure(l2, "m6", c.streets["b"], 9, j4)]),
        measure(l2, "m7", c.streets["b"], 1), measure(l2, "m8", c.communities["b"], 1),
    ]
    # 3. The city, weighted, unreported not counted: measures spread over both districts.
    l3 = lists["l3"] = make_list(actor, c.city, title="市级清单", averaging="weighted", missing_progress="exclude")
    specs["l3"] = [measure(l3, "m9", c.streets["a"], 5), measure(l3, "m10", c.districts["b"], 1),
                   measure(l3, "m11", c.communities["a"], 2.5)]
    # 4. Nothing reported, unreported not counted: no figure at all.
    l4 = lists["l4"] = make_list(actor, c.communities["a"], title="社区清单", missing_progress="exclude")
    specs["l4"] = [measure(l4, "m12", c.communities["a"], 1)]
    progress = {"m1": 80, "m3": 50, "m4": 100, "m5": 40, "m8": 10, "m9": 30, "m10": 90}
    for key, percent in progress.items():
        services.measure_report_progress(actor=actor, measure=measures[key], percent=percent)
    return lists, specs, progress, orgs, measures


def _percent_in(html, org):
    """The completion the board page shows in `org`'s row: the first 'n.n%' (or '—')
    after the link to the row's measures, within the table row."""
    start = re.search(rf"within={org.pk}(?!\d)", html).start()
    chunk = html[start:html.find("</tr>", start)]
    found = re.search(r"(\d+\.\d)%|—", chunk)
    return found.group(1) or "—"


def _board_html(client, root):
    html = client.get(f"/lists/board/?root={root.pk}").content.decode()
    return html


def check_surfaces(city, admin, lists, specs, progress, orgs):
    """Every surface shows the independent figure for every list and organisation."""
    client = APIClient()
    client.force_login(admin)
    api = APIClient()
    api.force_authenticate(admin)
    shares = {}
    for name, lst in lists.items():
        lst.refresh_from_db()
        list_shares = expected_shares(specs[name], progress, averaging=lst.averaging, missing=lst.missing_progress)
        shares.update(list_shares)
        expected = shown(completion(list_shares, progress, list(list_shares)))
        # the list page
        page = client.get(f"/lists/{lst.pk}/").content.decode()
        got = re.search(r'data-testid="list-completion">([^<]*)<', page).group(1)
        assert got == (expected + "%" if expected != "—" else "—"), (name, got, expected)
        # the roll-up API
        value = api.get(f"/api/v1/lists/{lst.pk}/rollup/").json()["value"]
        assert (f"{value:.1f}" if value is not None else "—") == expected, (name, value, expected)
        # the export (the list's completion, read-only, on every row)
        export = list(csv.reader(io.StringIO(b"".join(client.get(f"/lists/{lst.pk}/export.csv").streaming_content)
                                             .decode("utf-8-sig"))))
        column = export[0].index("清单完成率（%）（只读）")
        assert {row[column] or "—" for row in export[1:]} == {expected}, (name, expected, export)
        # the stored shares are the independent ones
        for key, share in list_shares.items():
            stored = Measure.objects.get(title=f"措施{key}").share
            assert abs(stored - float(share)) < 1e-9, (key, stored, float(share))

    def in_subtree(org):
        return [k for k, o in orgs.items() if o.path.startswith(org.path)]

    for root in (city.city, city.districts["a"], city.districts["b"], city.streets["a"]):
        html = _board_html(client, root)
        data = api.get(f"/api/v1/lists-board/?root={root.pk}").json()
        by_org = {row["org"]: row for row in data["rows"]}
        for child in Org.objects.filter(depth=root.depth + 1, path__startswith=root.path):
            expected = shown(completion(shares, progress, in_subtree(child)))
            api_value = by_org[child.pk]["completion"]
            assert (f"{api_value:.1f}" if api_value is not None else "—") == expected, (root, child, api_value)
            if expected != "—":
                assert _percent_in(html, child) == expected, (root, child, expected)
        total = data["total_value"]
        assert (f"{total:.1f}" if total is not None else "—") == shown(completion(shares, progress,
                                                                                  in_subtree(root)))
        # the overview panel on the organisation's page
        panel = selectors.overview_panel(admin, root)
        figure = panel["figures"][0]
        assert figure["value"] == (lambda e: e + "%" if e != "—" else "—")(
            shown(completion(shares, progress, in_subtree(root)))), (root, figure)
        org_page = client.get(f"/orgs/{root.pk}/").content.decode()
        assert f"/overview/panels/lists/?root={root.pk}" in org_page  # the panel loads after the page
        status, panel_html = overview_panel(client, "lists", root)
        assert status == 200 and f'<span class="value">{figure["value"]}</span>' in panel_html
    return shares


@pytest.fixture
def city_admin(city):
    return make_user("city_figures", "org_admin", city.city)


def test_every_surface_shows_the_same_figure(city, city_admin):
    lists, specs, progress, orgs, measures = build(city, city_admin)
    shares = check_surfaces(city, city_admin, lists, specs, progress, orgs)
    # An organisation carrying one whole list shows the list's own figure (50 % on the
    # page and 10 % on the board was the defect): street B carries list 2 only.
    l2 = shown(completion(shares, progress, [k for k in shares if k in ("m5", "m6", "m7", "m8")]))
    board = selectors.board(city_admin, city.districts["b"])
    assert [str(r.value) for r in board["rows"] if r.org == city.streets["b"]] == [l2]
    assert str(selectors.list_rollup(lists["l2"]).value) == l2

    # Every change that moves shares keeps all surfaces together: a weight, a rule, a
    # first report under "not counted", a measure moved out of its project, a deletion.
    services.project_update(actor=city_admin, project=measures["m1"].project, weight="0.5")
    specs["l1"][0][2][0] = ("node", 0.5, specs["l1"][0][2][0][2])
    services.list_update(actor=city_admin, lst=lists["l1"], missing_progress="exclude", averaging="plain")
    services.measure_report_progress(actor=city_admin, measure=measures["m6"], percent=70)
    progress["m6"] = 70
    services.measure_update(actor=city_admin, measure=measures["m5"], project=None)
    specs["l2"] = [("node", 7, [("measure", 9, "m6")]), ("measure", 1, "m5"), ("measure", 1, "m7"),
                   ("measure", 1, "m8")]
    services.measure_delete(actor=city_admin, measure=measures["m11"])
    specs["l3"] = specs["l3"][:2]
    del orgs["m11"]
    check_surfaces(city, city_admin, lists, specs, progress, orgs)


def _row(path, value, overdue=0, accepted=0):
    class O:
        pass

    org = O()
    org.path, org.name = path, path
    return BoardRow(org=org, figures={"n": 1, "overdue": overdue, "accepted": accepted},
                    value=Decimal(value) if value is not None else None)


def test_ranks_tie_on_the_displayed_figure():
    rows = [_row("0004", "50.0", overdue=2), _row("0001", "49.9"), _row("0002", "50.0", overdue=1, accepted=3),
            _row("0003", "50.0", overdue=1, accepted=5), _row("0005", None), _row("0006", "70.0")]
    ranked = rank(rows)
    assert [(r.org.path, r.rank) for r in ranked] == [
        ("0006", 1), ("0003", 2), ("0002", 2), ("0004", 2), ("0001", 5), ("0005", None)]


def test_board_ranks_tie_when_the_shown_figures_are_equal(city, city_admin):
    """50.04 % and 49.96 % both show 50.0 %: one rank, ordered by the tie-break."""
    lst = make_list(city_admin, city.city, missing_progress="exclude")
    a = make_measure(city_admin, lst, city.districts["a"])
    b = make_measure(city_admin, lst, city.districts["b"])
    services.measure_report_progress(actor=city_admin, measure=a, percent="49.96")
    services.measure_report_progress(actor=city_admin, measure=b, percent="50.04")
    rows = selectors.board(city_admin, city.city)["rows"]
    assert [(r.org, str(r.value), r.rank) for r in rows] == [
        (city.districts["a"], "50.0", 1), (city.districts["b"], "50.0", 1)]


@pytest.mark.django_db(transaction=True)
def test_parallel_first_reports_leave_every_share_right(city, city_admin):
    """Ten first reports on one "not counted" list at once (each changes every share):
    they queue on the list's lock, none fails, and the stored shares are the ones the
    final state gives."""
    import threading

    from django.db import connection

    from dangjian.lists import rollup

    lst = make_list(city_admin, city.city, missing_progress="exclude")
    measures = [make_measure(city_admin, lst, city.communities["ab"[n % 2]], weight=n + 1) for n in range(10)]
    errors, barrier = [], threading.Barrier(10)

    def report(measure, percent):
        try:
            barrier.wait(timeout=30)
            services.measure_report_progress(actor=city_admin, measure=measure, percent=percent)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=report, args=(m, 10 * n)) for n, m in enumerate(measures)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    stored = {m.pk: m.share for m in Measure.objects.filter(list=lst)}
    result = rollup.list_tree([], [], list(Measure.objects.filter(list=lst)), averaging=lst.averaging,
                              missing=lst.missing_progress)
    assert all(m.has_progress for m in Measure.objects.filter(list=lst))
    assert {m.pk: share for m, share in rollup.effective_shares(result)} == pytest.approx(stored)
    assert stored[measures[0].pk] == pytest.approx(1 / 55)


def test_migration_fills_the_shares_the_services_keep(city, city_admin):
    """Existing data gets its shares from the migration that adds the column."""
    import importlib

    from django.apps import apps

    build(city, city_admin)
    kept = dict(Measure.objects.values_list("pk", "share"))
    Measure.objects.update(share=0)
    importlib.import_module("dangjian.lists.migrations.0003_measure_share").fill_shares(apps, None)
    assert dict(Measure.objects.values_list("pk", "share")) == pytest.approx(kept)
    assert sum(1 for share in kept.values() if share) >= 8
