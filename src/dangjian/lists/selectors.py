"""Scoped reads for lists: roll-ups, the progress board, deadlines, the overview panel
and the public pages. Subtree figures are one GROUP BY over a path prefix, whatever the
number of organisations."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.scope import scope_paths
from dangjian.orgs.models import Org

from . import rollup as maths
from .models import OPEN_STATUSES, List, Measure, MeasureStatus, Programme, Project

STEPLEN = Org.steplen


# Scoped querysets --------------------------------------------------------------------

def lists_for(user, root=None, action="view"):
    qs = List.objects.visible_to(user, action)
    return qs.within(root) if root is not None else qs


def measures_for(user, root=None, action="view"):
    qs = Measure.objects.visible_to(user, action)
    return qs.within(root) if root is not None else qs


def default_root(user):
    """The top of the user's first visible subtree (what boards and overviews open on)."""
    paths = scope_paths(user, "view")
    if not paths:
        return None
    return Org.objects.filter(path=paths[0]).first()


def overdue(user, root=None, today=None):
    """Open measures past their deadline, oldest first."""
    return (measures_for(user, root).overdue(today)
            .select_related("org", "list", "responsible").order_by("deadline", "id"))


def due_soon(user, root=None, days=7, today=None):
    return (measures_for(user, root).due_soon(days, today)
            .select_related("org", "list", "responsible").order_by("deadline", "id"))


# The roll-up of one list -------------------------------------------------------------

@dataclass
class ListRollup:
    lst: List
    result: maths.Result
    programmes: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    measures: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def value(self):
        """The list's completion as every surface shows it (rollup.figure)."""
        return maths.figure(self.result.value)


def list_rollup(lst, *, public_only=False, today=None):
    """The list's completion, measure → project → programme → list, with every row that
    counted, its weight, its share and its contribution. Three queries."""
    today = today or timezone.localdate()
    programmes = list(Programme.objects.filter(list=lst).select_related("domain", "org"))
    projects = list(Project.objects.filter(list=lst).select_related("org", "leader"))
    measures = list(Measure.objects.filter(list=lst).select_related("org", "responsible", "accepted_by"))
    if public_only:
        hidden = {p.pk for p in projects if not p.is_public}
        projects = [p for p in projects if p.pk not in hidden]
        measures = [m for m in measures if m.is_public and m.project_id not in hidden]
    result = maths.list_tree(programmes, projects, measures, averaging=lst.averaging, missing=lst.missing_progress)
    counts = {
        "measures": len(measures),
        "reported": sum(1 for m in measures if m.has_progress),
        "overdue": sum(1 for m in measures if m.status in OPEN_STATUSES and m.deadline < today),
        "submitted": sum(1 for m in measures if m.status == MeasureStatus.SUBMITTED),
        "accepted": sum(1 for m in measures if m.status == MeasureStatus.ACCEPTED),
    }
    return ListRollup(lst=lst, result=result, programmes=programmes, projects=projects, measures=measures,
                      counts=counts)


# Subtree roll-up in SQL --------------------------------------------------------------

def _share_sums():
    """Σshare and Σ(share × progress): the two sums an organisation's completion needs
    (rollup.share_completion)."""
    return {
        "sum_share": Sum("share"),
        "sum_share_value": Sum(ExpressionWrapper(F("share") * F("progress"), output_field=FloatField())),
    }


def subtree_figures(measures, *, depth, today=None):
    """Sums per branch of the org tree at `depth` (a branch is an org at that depth with
    its subtree; measures of shallower orgs fall in their own org's row). One query."""
    today = today or timezone.localdate()
    rows = (
        measures.order_by()
        .annotate(branch=Substr("org__path", 1, depth * STEPLEN))
        .values("branch")
        .annotate(
            n=Count("id"),
            **_share_sums(),
            overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
            accepted=Count("id", filter=Q(status=MeasureStatus.ACCEPTED)),
            submitted=Count("id", filter=Q(status=MeasureStatus.SUBMITTED)),
        )
    )
    return {row["branch"]: row for row in rows}


def completion(figures):
    """An organisation's completion (rollup.figure of Σshare×progress / Σshare) from its
    subtree_figures row; None without a counted measure."""
    if not figures:
        return None
    return maths.figure(maths.share_completion(figures["sum_share"], figures["sum_share_value"]))


# The progress board (晒进度) ---------------------------------------------------------

RANKING_RULE = gettext_lazy("按完成率（保留一位小数，与页面显示一致）从高到低排名，显示相同的并列同一名次；"
                            "并列的按逾期措施少、已验收措施多、组织代码的顺序列出。没有计入措施的组织不排名。"
                            "只比较组织的工作结果，不对个人排名。")


@dataclass
class BoardRow:
    org: Org
    figures: dict
    value: Decimal | None
    rank: int | None = None
    is_self: bool = False

    @property
    def n(self):
        return self.figures.get("n", 0)

    @property
    def overdue(self):
        return self.figures.get("overdue", 0)

    @property
    def accepted(self):
        return self.figures.get("accepted", 0)

    @property
    def accepted_rate(self):
        return 100 * self.accepted / self.n if self.n else None


def board_measures(user, root, *, kind=None, domain=None, programme=None, year=None):
    qs = measures_for(user, root)
    if kind:
        qs = qs.filter(list__kind=kind)
    if domain:
        qs = qs.filter(project__programme__domain_id=domain)
    if programme:
        qs = qs.filter(project__programme_id=programme)
    if year:
        qs = qs.filter(list__period_start__lte=datetime.date(year, 12, 31),
                       list__period_end__gte=datetime.date(year, 1, 1))
    return qs


def rank(rows):
    """Rank rows with a completion by RANKING_RULE: competition ranking (1, 1, 3) on the
    displayed figure; rows without one come last, unranked. Returns the rows in order."""
    ranked = sorted([r for r in rows if r.value is not None],
                    key=lambda r: (-r.value, r.overdue, -r.accepted, r.org.path))
    previous = None
    for position, row in enumerate(ranked, start=1):
        if row.value != previous:
            current, previous = position, row.value
        row.rank = current
    return ranked + [r for r in rows if r.value is None]


# Burden rules: no ranking below the branch level. A board opened at a branch (or a group)
# lists its groups side by side, in tree order, without places.
UNRANKED_ROOT_KINDS = ("branch", "group")


def ranks_children(root):
    return root.kind not in UNRANKED_ROOT_KINDS


def board(user, root, *, kind=None, domain=None, programme=None, year=None, today=None):
    """Sibling organisations (the children of `root`) side by side: completion (the one
    definition in rollup.py, each list by its own rules), overdue, accepted, ranked by
    RANKING_RULE. Two queries once the scope is known."""
    measures = board_measures(user, root, kind=kind, domain=domain, programme=programme, year=year)
    figures = subtree_figures(measures, depth=root.depth + 1, today=today)
    children = list(Org.objects.filter(path__startswith=root.path, depth=root.depth + 1, closed_at__isnull=True)
                    .order_by("path"))
    rows = [BoardRow(org=o, figures=figures.get(o.path, {}), value=completion(figures.get(o.path)))
            for o in children]
    own = figures.get(root.path)
    self_row = BoardRow(org=root, figures=own, value=completion(own), is_self=True) if own else None
    total = _combine(figures.values())
    return {
        "root": root,
        "rows": rank(rows) if ranks_children(root) else rows,
        "ranked": ranks_children(root),
        "self_row": self_row,
        "total": total,
        "total_value": completion(total),
        "rule": RANKING_RULE,
    }


def _combine(rows):
    keys = ("n", "sum_share", "sum_share_value", "overdue", "accepted", "submitted")
    total = dict.fromkeys(keys, 0)
    for row in rows:
        for key in keys:
            total[key] += row.get(key) or 0
    return total if total["n"] else None


# Overview panel ----------------------------------------------------------------------

def overview_figures(user, root=None, today=None):
    today = today or timezone.localdate()
    qs = measures_for(user, root)
    figures = qs.order_by().aggregate(
        n=Count("id"), **_share_sums(),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
        due_soon=Count("id", filter=Q(status__in=OPEN_STATUSES, deadline__gte=today,
                                      deadline__lte=today + datetime.timedelta(days=7))),
        accepted=Count("id", filter=Q(status=MeasureStatus.ACCEPTED)),
        submitted=Count("id", filter=Q(status=MeasureStatus.SUBMITTED)),
    )
    figures["completion"] = completion(figures)
    return figures


def overview_panel(user, root=None):
    """Completion and overdue figures for the subtree overview, each linking to its rows."""
    figures = overview_figures(user, root)
    if not figures["n"]:
        return None
    within = f"within={root.pk}&" if root is not None else ""
    measures_url = reverse("lists:measure_list")
    board_url = reverse("lists:board") + (f"?root={root.pk}" if root is not None else "")
    value = figures["completion"]
    return {
        "key": "lists",
        "title": _("清单与项目"),
        "figures": [
            {"label": _("清单完成率"), "value": f"{value}%" if value is not None else "—", "url": board_url},
            {"label": _("措施总数"), "value": figures["n"], "url": f"{measures_url}?{within}"},
            {"label": _("逾期措施"), "value": figures["overdue"], "url": f"{measures_url}?{within}due=overdue"},
            {"label": _("7天内到期"), "value": figures["due_soon"], "url": f"{measures_url}?{within}due=soon"},
            {"label": _("已验收"), "value": figures["accepted"], "url": f"{measures_url}?{within}status=accepted"},
        ],
    }


# Public pages ------------------------------------------------------------------------

def public_lists():
    return List.objects.published().select_related("org")


def public_orgs():
    """Organisations with published lists, with how many each has."""
    return (Org.objects.filter(lists__is_public=True, lists__published_at__isnull=False)
            .annotate(public_lists=Count("lists", distinct=True)).order_by("path"))


def responsible_posts(measures):
    """{member id: post name} for the responsible people of `measures` (one query): the
    only personal data public pages show is a responsible person's name and post."""
    from dangjian.orgs.models import Post

    member_ids = {m.responsible_id for m in measures if m.responsible_id}
    if not member_ids:
        return {}
    posts = {}
    orgs = {m.responsible_id: m.org_id for m in measures if m.responsible_id}
    for post in Post.objects.current().filter(member_id__in=member_ids).order_by("start_on"):
        if post.member_id not in posts or post.org_id == orgs.get(post.member_id):
            posts[post.member_id] = post.get_kind_display()
    return posts


# Benchmarks --------------------------------------------------------------------------

def bench_cases(user, root=None):
    """Callables for the benchmark harness (bench/run.py): the city progress board, the
    lists overview panel's figures and the overdue list (first page and its count), as
    the pages run them."""
    root = root or default_root(user)

    def progress_board():
        return board(user, root)["rows"]

    def overview():
        return overview_figures(user, root)

    def overdue_list():
        qs = overdue(user, root)
        return qs.count(), list(qs[:50])

    return {"lists.progress_board": progress_board, "lists.overview": overview, "lists.overdue_list": overdue_list}
