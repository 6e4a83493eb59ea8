"""The organisation system's platform metrics (core.metrics), for measures such as
网格党建全覆盖 and 发展党员 N 名: computed from the tree and the registry, never reported."""

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core import metrics
from dangjian.core.tree import in_subtree, minimal_paths, subtree_q

from .models import Area, AreaKind, Member, Org, OrgKind


def grid_coverage(orgs, start, end):
    """Per org: grids under the org's area that have an open grid branch (now; the tree
    keeps no history of coverage). Two queries for any number of orgs."""
    area_paths = dict(Org.objects.filter(pk__in=[o.pk for o in orgs], area__isnull=False)
                      .values_list("pk", "area__path"))
    if not area_paths:
        return {}
    has_branch = Exists(Org.objects.filter(area=OuterRef("pk"), kind=OrgKind.BRANCH, closed_at__isnull=True))
    grids = list(Area.objects.filter(subtree_q("path", minimal_paths(area_paths.values())), kind=AreaKind.GRID)
                 .annotate(covered=has_branch).values_list("path", "covered"))
    result = {}
    for org_id, root in area_paths.items():
        inside = [covered for path, covered in grids if path.startswith(root)]
        covered = sum(1 for c in inside if c)
        rate = round(100 * covered / len(inside), 2) if inside else 0
        result[org_id] = metrics.Reading(rate, len(inside))
    return result


def grid_coverage_url(org, start, end):
    return reverse("orgs:area_list") + f"?within={org.area_id}&kind=grid" if org.area_id else ""


def members_developed(orgs, start, end):
    """Per org: members who joined the Party in [start, end] in the org's subtree. One
    grouped query for any number of orgs."""
    paths = {o.pk: o.path for o in orgs}
    counts = (Member.objects.filter(subtree_q("org__path", minimal_paths(paths.values())),
                                    joined_on__gte=start, joined_on__lte=end)
              .values_list("org__path").annotate(n=Count("pk")))
    totals = dict.fromkeys(paths, 0)
    for path, n in counts:
        for org_id, root in paths.items():
            if in_subtree(path, [root]):
                totals[org_id] += n
    return {org_id: metrics.Reading(n) for org_id, n in totals.items()}


def members_developed_url(org, start, end):
    return reverse("orgs:member_list") + f"?within={org.pk}&joined_from={start.isoformat()}&joined_to={end.isoformat()}"


def register():
    metrics.register(metrics.Metric(
        key="orgs.grid_coverage", label=_("网格党组织覆盖率"), unit="%", kind=metrics.RATE,
        compute=grid_coverage, rows_url=grid_coverage_url,
        description=_("区域内设有网格党支部的网格占全部网格的比例")))
    metrics.register(metrics.Metric(
        key="orgs.members_developed", label=_("发展党员人数"), unit=_("名"), kind=metrics.COUNT,
        compute=members_developed, rows_url=members_developed_url,
        description=_("期间内入党（入党日期在期间内）的党员人数")))
