"""Scoped reads of duties: compliance of a subtree and period, its children, the red list,
the rows behind every figure, a member's attendance record, the platform metrics, the
overview panel and the inbox sections.

Compliance, as every surface shows it:
- required: the occurrences whose period begins inside [start, end];
- excused: removed from what is required; pending (due, due date not yet passed): not yet
  counted either way;
- fulfilled: held on time; late: held after the due date (`late_held`) or not held and past
  due (`missed`);
- rate = (fulfilled + late_held) / (required − excused − pending). A duty held late counts as
  held (it happened); its lateness shows in the late column.
Every figure is one GROUP BY over a path range.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import metrics
from dangjian.core.inbox import ENTRY_LIMIT, Entry, Section
from dangjian.core.scope import scope_paths, user_can
from dangjian.core.tree import minimal_paths, subtree_q
from dangjian.orgs.models import Org

from . import periods as P
from .models import (
    THEME_DAY,
    THREE_MEETINGS,
    Activity,
    Attendance,
    ComplianceThreshold,
    Occurrence,
    OccurrenceStatus,
)

STEPLEN = Org.steplen
GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"
COLOUR_LABELS = {GREEN: gettext_lazy("绿"), YELLOW: gettext_lazy("黄"), RED: gettext_lazy("红"), NONE: "—"}


# Periods -----------------------------------------------------------------------------

def default_period(today=None):
    """The current quarter."""
    return P.period_of("quarterly", today or timezone.localdate())


def parse_period(value, today=None):
    """'2026', '2026-Q3', '2026-H1', '2026-07' → (start, end); anything else: the current quarter."""
    today = today or timezone.localdate()
    value = (value or "").strip().upper()
    try:
        if len(value) == 4:
            return datetime.date(int(value), 1, 1), datetime.date(int(value), 12, 31)
        year, rest = value.split("-", 1)
        year = int(year)
        if rest.startswith("Q"):
            quarter = int(rest[1:])
            if 1 <= quarter <= 4:
                return P.period_of("quarterly", datetime.date(year, quarter * 3 - 2, 1))
        elif rest.startswith("H"):
            half = int(rest[1:])
            if half in (1, 2):
                return P.period_of("half_yearly", datetime.date(year, half * 6 - 5, 1))
        else:
            return P.period_of("monthly", datetime.date(year, int(rest), 1))
    except (ValueError, TypeError):
        pass
    return default_period(today)


def period_code(start, end):
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{start.year}"
    if start.day == 1 and end == P.period_of("quarterly", start)[1] and (start.month - 1) % 3 == 0:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if start.day == 1 and end == P.period_of("monthly", start)[1]:
        return f"{start:%Y-%m}"
    if start.day == 1 and end == P.period_of("half_yearly", start)[1] and start.month in (1, 7):
        return f"{start.year}-H{1 if start.month == 1 else 2}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def period_choices(today=None):
    """Recent quarters, months and years for the period select."""
    today = today or timezone.localdate()
    options = []
    year = today.year
    for y in (year, year - 1):
        for q in range(4, 0, -1):
            if datetime.date(y, q * 3 - 2, 1) <= today:
                options.append((f"{y}-Q{q}", _("%(year)s年第%(q)s季度") % {"year": y, "q": q}))
    for m in range(12):
        index = today.year * 12 + today.month - 1 - m
        options.append((f"{index // 12}-{index % 12 + 1:02d}", _("%(year)s年%(month)s月")
                        % {"year": index // 12, "month": index % 12 + 1}))
    options += [(str(year), _("%(year)s年全年") % {"year": year}), (str(year - 1), _("%(year)s年全年") % {"year": year - 1})]
    return options


# Counting ----------------------------------------------------------------------------

def _sums(today, prefix=""):
    """Conditional counts of the compliance figures (`prefix` names them apart)."""
    late = Q(status=OccurrenceStatus.LATE)
    due = Q(status=OccurrenceStatus.DUE)
    return {
        f"{prefix}required": Count("id"),
        f"{prefix}fulfilled": Count("id", filter=Q(status=OccurrenceStatus.FULFILLED)),
        f"{prefix}late_held": Count("id", filter=late & Q(fulfilled_on__isnull=False)),
        f"{prefix}missed": Count("id", filter=(late & Q(fulfilled_on__isnull=True)) | (due & Q(due_date__lt=today))),
        f"{prefix}excused": Count("id", filter=Q(status=OccurrenceStatus.EXCUSED)),
        f"{prefix}pending": Count("id", filter=due & Q(due_date__gte=today)),
    }


@dataclass
class Figures:
    required: int = 0
    fulfilled: int = 0
    late_held: int = 0
    missed: int = 0
    excused: int = 0
    pending: int = 0
    colour: str = NONE

    @property
    def colour_label(self):
        return COLOUR_LABELS[self.colour]

    @property
    def late(self):
        return self.late_held + self.missed

    @property
    def held(self):
        return self.fulfilled + self.late_held

    @property
    def counted(self):
        return self.required - self.excused - self.pending

    @property
    def rate(self):
        """Percent, one decimal; None when nothing is counted yet."""
        if self.counted <= 0:
            return None
        return (Decimal(self.held) * 100 / self.counted).quantize(Decimal("0.1"))

    def add(self, other):
        for name in ("required", "fulfilled", "late_held", "missed", "excused", "pending"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _figures(row, prefix=""):
    return Figures(**{name: row.get(prefix + name) or 0
                      for name in ("required", "fulfilled", "late_held", "missed", "excused", "pending")})


def occurrences_in(start, end):
    return Occurrence.objects.filter(period_start__gte=start, period_start__lte=end)


def occurrences_for(user, *, root=None, start=None, end=None, action="view"):
    qs = Occurrence.objects.visible_to(user, action)
    if root is not None:
        qs = qs.within(root)
    if start is not None:
        qs = qs.filter(period_start__gte=start, period_start__lte=end)
    return qs


def activities_for(user, root=None, action="view"):
    qs = Activity.objects.visible_to(user, action)
    return qs.within(root) if root is not None else qs


# Thresholds --------------------------------------------------------------------------

class Thresholds:
    """The thresholds in force for each org: its nearest ancestor's row, else the default."""

    def __init__(self):
        rows = list(ComplianceThreshold.objects.select_related("org"))
        self.default = next(((r.green, r.yellow) for r in rows if r.org_id is None), (Decimal(90), Decimal(70)))
        self.by_path = sorted(((r.org.path, (r.green, r.yellow)) for r in rows if r.org_id), reverse=True)

    def for_path(self, path):
        return self.source(path)[1]

    def source(self, path):
        """(the path of the organisation whose row applies or None for the default, (green, yellow))."""
        for prefix, values in self.by_path:  # longest (deepest) first among equal starts
            if path.startswith(prefix):
                return prefix, values
        return None, self.default

    def colour(self, figures, path):
        rate = figures.rate
        if rate is None:
            return NONE
        green, yellow = self.for_path(path)
        if rate >= green:
            return GREEN
        if rate >= yellow:
            return YELLOW
        return RED


def threshold_source(org):
    """A sentence saying which thresholds colour `org`'s subtree and whose they are."""
    prefix, (green, yellow) = Thresholds().source(org.path)
    values = {"green": f"{green:g}", "yellow": f"{yellow:g}"}
    if prefix is None:
        return _("现行：绿色≥%(green)s%%，黄色≥%(yellow)s%%（全市默认）。") % values
    owner = org if prefix == org.path else Org.objects.filter(path=prefix).first()
    return _("现行：绿色≥%(green)s%%，黄色≥%(yellow)s%%（%(org)s设置）。") % {**values, "org": owner.name}


# Compliance of a subtree -------------------------------------------------------------

def subtree_compliance(root, start, end, *, today=None, kinds=None):
    """Figures of `root`'s subtree for [start, end]: one query."""
    today = today or timezone.localdate()
    qs = occurrences_in(start, end).filter(subtree_q("org__path", [root.path]))
    if kinds:
        qs = qs.filter(kind__code__in=kinds)
    figures = _figures(qs.aggregate(**_sums(today)))
    figures.colour = Thresholds().colour(figures, root.path)
    return figures


@dataclass
class ChildRow:
    org: Org
    figures: Figures
    own: bool = False  # the root's own duties, not a child's subtree


def children_compliance(root, start, end, *, today=None):
    """One row per child subtree of `root` (and one for the root's own duties): one GROUP BY
    on the path prefix, one query for the children's names."""
    today = today or timezone.localdate()
    depth = root.depth + 1
    rows = (occurrences_in(start, end).filter(subtree_q("org__path", [root.path])).order_by()
            .annotate(branch=Substr("org__path", 1, depth * STEPLEN)).values("branch").annotate(**_sums(today)))
    by_branch = {row["branch"]: _figures(row) for row in rows}
    thresholds = Thresholds()
    children = list(Org.objects.filter(path__startswith=root.path, depth=depth).order_by("path"))
    result = []
    own = by_branch.get(root.path)
    if own is not None and own.required:
        own.colour = thresholds.colour(own, root.path)
        result.append(ChildRow(org=root, figures=own, own=True))
    for child in children:
        figures = by_branch.get(child.path, Figures())
        figures.colour = thresholds.colour(figures, child.path)
        if figures.required or child.closed_at is None:
            result.append(ChildRow(org=child, figures=figures))
    return result


def _org_sums(root, start, end, today):
    """(org id, Figures) per organisation owing duties in `root`'s subtree: one GROUP BY on
    the org id alone (grouping on names and paths too costs several times more at city scale)."""
    rows = (occurrences_in(start, end).filter(subtree_q("org__path", [root.path])).order_by()
            .values("org_id").annotate(**_sums(today)))
    return [(row["org_id"], _figures(row)) for row in rows]


def _coloured(root, start, end, today, keep=None):
    """[(org id, path, name, Figures)] with colours, for the colours in `keep` (all: None).
    Paths and names are read for the kept rows only (for every row when some organisation
    has its own thresholds, which need the path)."""
    thresholds = Thresholds()
    sums = _org_sums(root, start, end, today)
    if thresholds.by_path:
        wanted = [org_id for org_id, _f in sums]
    else:
        for _org_id, figures in sums:
            figures.colour = thresholds.colour(figures, root.path)
        wanted = [org_id for org_id, figures in sums if keep is None or figures.colour in keep]
    info = {}
    for index in range(0, len(wanted), 5000):
        info.update({pk: (path, name) for pk, path, name in
                     Org.objects.filter(pk__in=wanted[index:index + 5000]).values_list("pk", "path", "name")})
    result = []
    for org_id, figures in sums:
        if org_id not in info:
            continue
        path, name = info[org_id]
        if thresholds.by_path:
            figures.colour = thresholds.colour(figures, path)
            if keep is not None and figures.colour not in keep:
                continue
        result.append((org_id, path, name, figures))
    return result


def org_rows(root, start, end, *, today=None):
    """Figures per organisation that owes duties in `root`'s subtree."""
    today = today or timezone.localdate()
    return [({"org_id": org_id, "org__path": path, "org__name": name}, figures)
            for org_id, path, name, figures in _coloured(root, start, end, today)]


@dataclass
class RedRow:
    org_id: int
    path: str
    name: str
    figures: Figures


def red_list(root, start, end, *, today=None, colour=RED):
    """The organisations in `root`'s subtree whose rate is below the yellow threshold (or
    `colour`), worst first."""
    today = today or timezone.localdate()
    result = [RedRow(org_id=org_id, path=path, name=name, figures=figures)
              for org_id, path, name, figures in _coloured(root, start, end, today, keep={colour})]
    result.sort(key=lambda r: (r.figures.rate, r.path))
    return result


def colour_counts(root, start, end, *, today=None):
    today = today or timezone.localdate()
    thresholds = Thresholds()
    counts = {GREEN: 0, YELLOW: 0, RED: 0, NONE: 0}
    if thresholds.by_path:
        for _row, figures in org_rows(root, start, end, today=today):
            counts[figures.colour] += 1
        return counts
    for _org_id, figures in _org_sums(root, start, end, today):
        counts[thresholds.colour(figures, root.path)] += 1
    return counts


# Figures' rows -----------------------------------------------------------------------

FIGURE_FILTERS = {
    "fulfilled": lambda today: Q(status=OccurrenceStatus.FULFILLED),
    "late": lambda today: Q(status=OccurrenceStatus.LATE) | Q(status=OccurrenceStatus.DUE, due_date__lt=today),
    "late_held": lambda today: Q(status=OccurrenceStatus.LATE, fulfilled_on__isnull=False),
    "missed": lambda today: Q(status=OccurrenceStatus.LATE, fulfilled_on__isnull=True)
    | Q(status=OccurrenceStatus.DUE, due_date__lt=today),
    "excused": lambda today: Q(status=OccurrenceStatus.EXCUSED),
    "pending": lambda today: Q(status=OccurrenceStatus.DUE, due_date__gte=today),
}


def rows_url(root, start, end, figure=""):
    params = {"within": root.pk if root is not None else "", "period": period_code(start, end)}
    if figure:
        params["figure"] = figure
    return reverse("duties:occurrence_list") + "?" + urlencode({k: v for k, v in params.items() if v != ""})


def red_url(root, start, end):
    return reverse("duties:red_list") + "?" + urlencode({"root": root.pk, "period": period_code(start, end)})


# A member's attendance ---------------------------------------------------------------

def may_see_attendance(user, member):
    """The member themselves, and whoever may see the members of the member's branch."""
    if getattr(user, "member_id", None) == member.pk:
        return True
    return user_can(user, "view_members", member.org)


def member_attendance(member, start=None, end=None):
    qs = Attendance.objects.filter(member=member).select_related("activity", "activity__org") \
        .order_by("-activity__starts_at", "id")
    if start is not None:
        qs = qs.filter(activity__held_on__gte=start, activity__held_on__lte=end)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    return qs, counts


def holder_duties(member):
    """The duties `member` owes as the holder of a post (支部书记讲党课 …), latest first."""
    return (Occurrence.objects.filter(post__member=member).select_related("org", "version__kind", "post")
            .prefetch_related("activities").order_by("-period_start", "rule_id", "n"))


# Metrics -----------------------------------------------------------------------------

NARROW = 20  # up to this many subtrees are named in the query; more: their common ancestor's range


def _common_root(paths):
    """The longest whole-step prefix the paths share ('' when they share none)."""
    import os

    common = os.path.commonprefix(list(paths))
    return common[: len(common) // STEPLEN * STEPLEN]


def subtree_figures(orgs, start, end, *, today=None, kinds=None):
    """{org id: Figures of its subtree} for many organisations in ONE query: the sums per
    organisation that owes duties (GROUP BY), added up in Python along each row's path
    prefixes to the requested organisations it lies under."""
    today = today or timezone.localdate()
    orgs = list(orgs)
    if not orgs:
        return {}
    paths = minimal_paths([org.path for org in orgs])
    qs = occurrences_in(start, end)
    if len(paths) <= NARROW:
        qs = qs.filter(subtree_q("org__path", paths))
    else:
        common = _common_root(paths)
        if common:
            qs = qs.filter(subtree_q("org__path", [common]))
    if kinds:
        qs = qs.filter(kind__code__in=kinds)
    wanted = defaultdict(list)
    for org in orgs:
        wanted[org.path].append(org.pk)
    result = {org.pk: Figures() for org in orgs}
    for row in qs.order_by().values("org__path").annotate(**_sums(today)):
        path = row["org__path"]
        figures = None
        for end_at in range(STEPLEN, len(path) + 1, STEPLEN):
            for org_id in wanted.get(path[:end_at], ()):
                figures = figures or _figures(row)
                result[org_id].add(figures)
    return result


def _metric_compute(kinds=None):
    def compute(orgs, start, end):
        readings = {}
        for org_id, figures in subtree_figures(orgs, start, end, kinds=kinds).items():
            if figures.required:
                rate = figures.rate
                readings[org_id] = metrics.Reading(rate if rate is not None else 0, figures.counted)
        return readings
    return compute


def _rows_url(kinds=None):
    def url(org, start, end):
        base = rows_url(org, start, end)
        return base + ("&" + urlencode({"kind": kinds[0]}) if kinds and len(kinds) == 1 else "")
    return url


METRICS = [
    metrics.Metric(key="duties.compliance", label=gettext_lazy("组织生活履职率"), unit="%", kind=metrics.RATE,
                   compute=_metric_compute(), rows_url=_rows_url(),
                   description=gettext_lazy("已开展（含逾期开展）÷ 应开展（不含已免除和未到期的）。")),
    metrics.Metric(key="duties.theme_day", label=gettext_lazy("主题党日开展率"), unit="%", kind=metrics.RATE,
                   compute=_metric_compute([THEME_DAY]), rows_url=_rows_url([THEME_DAY]),
                   description=gettext_lazy("按月应开展的主题党日中已开展的比例。")),
    metrics.Metric(key="duties.three_meetings", label=gettext_lazy("“三会一课”落实率"), unit="%", kind=metrics.RATE,
                   compute=_metric_compute(list(THREE_MEETINGS)), rows_url=_rows_url(),
                   description=gettext_lazy("支部党员大会、支委会、党小组会和党课的落实比例。")),
]


# Overview and inbox ------------------------------------------------------------------

def default_root(user):
    paths = scope_paths(user, "view")
    if not paths:
        return None
    return Org.objects.filter(path=paths[0]).first()


def overview_panel(user, root=None):
    root = root or default_root(user)
    if root is None:
        return None
    start, end = default_period()
    figures = subtree_compliance(root, start, end)
    if not figures.required:
        return None
    # The red count needs a GROUP BY per organisation (about a second over a whole city's
    # quarter at nantong scale): the city's home page links to the list instead.
    red = len(red_list(root, start, end)) if root.depth > 1 else "›"
    rate = figures.rate
    return {
        "key": "duties",
        "title": _("组织生活履职（本季度）"),
        "figures": [
            {"label": _("应开展"), "value": figures.required, "url": rows_url(root, start, end)},
            {"label": _("已开展"), "value": figures.held, "url": rows_url(root, start, end, "fulfilled")},
            {"label": _("履职率"), "value": f"{rate}%" if rate is not None else "—",
             "url": reverse("duties:compliance") + "?" + urlencode({"root": root.pk})},
            {"label": _("红色组织"), "value": red, "url": red_url(root, start, end)},
        ],
    }


def inbox_sections(user, *, entries):
    """Duties of the current periods not yet held, in the user's `change` scope."""
    paths = scope_paths(user, "change")
    if not paths:
        return []
    today = timezone.localdate()
    qs = Occurrence.objects.filter(subtree_q("org__path", paths), status=OccurrenceStatus.DUE,
                                   period_start__lte=today, period_end__gte=today)
    count = qs.count()
    section = Section(key="duties_due", title=_("本期待开展的组织生活"), count=count, routine=True,
                      url=reverse("duties:occurrence_list") + "?figure=pending",
                      hint=_("本期应开展、尚未登记的会议和活动；开展后登记即可。"))
    if entries and count:
        rows = qs.select_related("org", "version__kind").order_by("due_date", "org__path", "id")[:ENTRY_LIMIT]
        section.entries = [
            Entry(title=f"{o.label}（{o.org.name}）",
                  url=reverse("duties:activity_create" if o.kind_id else "duties:org_duties", args=[o.org_id]),
                  note=_("%(day)s前") % {"day": o.due_date.isoformat()}, late=False)
            for o in rows]
    return [section]
