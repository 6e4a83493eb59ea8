"""Scoped reads for the organisation system. Every function starts from
`visible_to(user)`; figures are single GROUP BY queries over a path range."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from dangjian.core.scope import scope_paths
from dangjian.core.tree import subtree_q

from .models import Area, AreaKind, Member, MemberCategory, MemberStatus, Org, OrgKind, Sector


def orgs_for(user, root=None):
    qs = Org.objects.visible_to(user)
    return qs.within(root) if root is not None else qs


def members_for(user, root=None):
    qs = Member.objects.visible_to(user, "view_members")
    return qs.within(root) if root is not None else qs


def root_orgs(user):
    """The tops of the user's visible subtrees (what the tree page opens with); read once per
    request's user, since the landing rule asks first."""
    paths = scope_paths(user, "view")
    cache = user.__dict__.setdefault("_root_orgs", {}) if getattr(user, "is_authenticated", False) else {}
    key = tuple(paths)
    if key not in cache:
        cache[key] = list(Org.objects.filter(path__in=paths).select_related("area").order_by("path"))
    return list(cache[key])


def branch_landing(user):
    """A branch's secretary (a grid branch's included) works on the branch: "/" opens its page
    rather than an overview of one organisation (core.landing)."""
    if len(scope_paths(user, "view")) != 1:
        return None
    roots = root_orgs(user)
    return reverse("orgs:org_detail", args=[roots[0].pk]) if roots and roots[0].kind == OrgKind.BRANCH else None


def covered_area_paths(user, root=None):
    if root is not None:
        return [root.area.path] if root.area_id else []
    paths = scope_paths(user, "view")
    return list(Org.objects.filter(path__in=paths, area__isnull=False).values_list("area__path", flat=True))


def coverage(user, root=None):
    """Grids with a grid branch and buildings with a building group, under the areas the
    subtree covers. Returns {"grid": {...}, "building": {...}} with total, covered, rate."""
    area_paths = covered_area_paths(user, root)
    result = {}
    for kind, org_kind in ((AreaKind.GRID, OrgKind.BRANCH), (AreaKind.BUILDING, OrgKind.GROUP)):
        if not area_paths:
            result[kind] = {"total": 0, "covered": 0, "rate": None}
            continue
        has_org = Exists(Org.objects.filter(area=OuterRef("pk"), kind=org_kind, closed_at__isnull=True))
        figures = (
            Area.objects.filter(subtree_q("path", area_paths), kind=kind)
            .alias(has_org=has_org)
            .aggregate(total=Count("pk"), covered=Count("pk", filter=Q(has_org=True)))
        )
        figures["rate"] = round(100 * figures["covered"] / figures["total"], 1) if figures["total"] else None
        result[kind] = figures
    return result


def _labelled(counts, choices):
    labels = dict(choices)
    return [{"key": key, "label": labels.get(key, key), "count": counts.get(key, 0)} for key in labels if counts.get(key)]


def overview(user, root=None):
    """The subtree overview: organisations by kind and sector, members by status and
    category, coverage. Five queries whatever the size of the subtree."""
    orgs = orgs_for(user, root).filter(closed_at__isnull=True)
    by_kind_sector = orgs.order_by().values_list("kind", "sector").annotate(n=Count("pk"))
    kinds, sectors = {}, {}
    grassroots = 0
    for kind, sector, n in by_kind_sector:
        kinds[kind] = kinds.get(kind, 0) + n
        sectors[sector] = sectors.get(sector, 0) + n
        if kind in (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH):
            grassroots += n
    statuses, categories = {}, {}
    members_total = 0
    by_status_category = (
        members_for(user, root).filter(left_on__isnull=True).order_by()
        .values_list("status", "category").annotate(n=Count("pk"))
    )
    for status, category, n in by_status_category:
        statuses[status] = statuses.get(status, 0) + n
        categories[category] = categories.get(category, 0) + n
        members_total += n
    return {
        "orgs_total": sum(kinds.values()),
        "grassroots_total": grassroots,
        "orgs_by_kind": _labelled(kinds, OrgKind.choices),
        "orgs_by_sector": _labelled(sectors, Sector.choices),
        "members_total": members_total,
        "members_by_status": _labelled(statuses, MemberStatus.choices),
        "members_by_category": _labelled(categories, MemberCategory.choices),
        "coverage": coverage(user, root),
    }


def children_of(user, org):
    """Visible open and closed children of `org`, with member counts, for the lazy tree."""
    return (
        Org.objects.visible_to(user)
        .filter(path__startswith=org.path, depth=org.depth + 1)
        .order_by("path")
    )
