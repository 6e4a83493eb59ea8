"""Reads: units, coverage figures (有效覆盖) for any subtree, instructors, agreements,
alliances and unit reports, always through `visible_to`."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core import metrics
from dangjian.core.tree import in_subtree, minimal_paths, subtree_q

from .models import (
    COVERED,
    Agreement,
    Alliance,
    Coverage,
    InstructorAssignment,
    PartyInstructor,
    Unit,
    UnitKind,
    UnitReport,
)


def units(user, action="view"):
    return Unit.objects.visible_to(user, action).select_related("org", "area", "covering_org")


def coverage_counts(user, root=None):
    """{(kind, coverage): n} over the active units the user sees (within `root`): one GROUP BY."""
    qs = Unit.objects.visible_to(user, "view").active()
    if root is not None:
        qs = qs.within(root)
    return {(kind, cov): n for kind, cov, n in
            qs.order_by().values_list("kind", "coverage").annotate(n=Count("pk")).values_list("kind", "coverage", "n")}


def coverage_summary(user, root=None):
    """The coverage table: rows by unit kind, columns by coverage, totals, the effective
    coverage rate (own + joint + instructor over all) and the uncovered count; each cell
    with the URL of its rows."""
    counts = coverage_counts(user, root)
    base = reverse("cobuilding:unit_list") + "?" + (f"within={root.pk}&" if root is not None else "")
    rows = []
    col_totals = dict.fromkeys(Coverage.values, 0)
    for kind, label in UnitKind.choices:
        cells = []
        total = 0
        for cov, cov_label in Coverage.choices:
            n = counts.get((kind, cov), 0)
            col_totals[cov] += n
            total += n
            cells.append({"coverage": cov, "label": cov_label, "value": n, "url": f"{base}kind={kind}&coverage={cov}"})
        covered = sum(c["value"] for c in cells if c["coverage"] in COVERED)
        rows.append({"kind": kind, "label": label, "cells": cells, "total": total,
                     "rate": _rate(covered, total), "url": f"{base}kind={kind}"})
    total = sum(col_totals.values())
    covered = sum(col_totals[c] for c in COVERED)
    return {
        "rows": rows,
        "columns": [{"coverage": c, "label": label, "value": col_totals[c], "url": f"{base}coverage={c}"}
                    for c, label in Coverage.choices],
        "total": total, "covered": covered, "uncovered": col_totals[Coverage.NONE], "rate": _rate(covered, total),
        "total_url": base.rstrip("?&"), "uncovered_url": f"{base}coverage={Coverage.NONE}",
    }


def _rate(covered, total):
    return round(100 * covered / total, 1) if total else None


def overview_panel(user, root=None):
    summary = coverage_summary(user, root)
    if not summary["total"]:
        return None
    rate = summary["rate"]
    return {
        "key": "cobuilding",
        "title": _("驻区单位与区域化党建"),
        "figures": [
            {"label": _("驻区单位"), "value": summary["total"], "url": summary["total_url"]},
            {"label": _("党组织有效覆盖率"), "value": f"{rate}%" if rate is not None else "—",
             "url": reverse("cobuilding:coverage") + (f"?root={root.pk}" if root is not None else "")},
            {"label": _("未覆盖单位"), "value": summary["uncovered"], "url": summary["uncovered_url"]},
        ],
    }


# The platform metric -------------------------------------------------------------------

def unit_coverage_metric(orgs, start, end):
    """Per org: the effective coverage rate of the active units in its subtree (now; the
    registry keeps no history of coverage). One grouped query for any number of orgs."""
    paths = {o.pk: o.path for o in orgs}
    rows = (Unit.objects.active().filter(subtree_q("org__path", minimal_paths(paths.values())))
            .order_by().values_list("org__path", "coverage").annotate(n=Count("pk")))
    totals = {pk: [0, 0] for pk in paths}
    for path, cov, n in rows:
        for org_id, root in paths.items():
            if in_subtree(path, [root]):
                totals[org_id][1] += n
                if cov in COVERED:
                    totals[org_id][0] += n
    return {pk: metrics.Reading(round(100 * c / t, 2) if t else 0, t) for pk, (c, t) in totals.items()}


def unit_coverage_rows_url(org, start, end):
    return reverse("cobuilding:unit_list") + f"?within={org.pk}&coverage={Coverage.NONE}"


# Other lists ---------------------------------------------------------------------------

def instructors(user, action="view"):
    return (PartyInstructor.objects.visible_to(user, action)
            .select_related("org", "member", "person").annotate(units=Count("assignments")))


def assignments_of(instructor):
    return InstructorAssignment.objects.filter(instructor=instructor).select_related("unit").prefetch_related("reviews")


def agreements(user, action="view"):
    return Agreement.objects.visible_to(user, action).select_related("org").annotate(n_parties=Count("parties"))


def alliances(user, action="view"):
    return Alliance.objects.visible_to(user, action).select_related("lead_org").annotate(n_members=Count("members"))


def unit_reports(user, action="view"):
    return UnitReport.objects.visible_to(user, action).select_related("unit", "community")
