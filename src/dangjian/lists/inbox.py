"""The lists' sections of the to-do inbox (core.inbox): measures to accept (the level
above), measures sent back (the owners), and open measures due within a week or overdue
in the user's `change` scope. Each section is one COUNT, plus one query for its first
rows on the inbox page, whatever the size of the scope."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dangjian.core.inbox import ENTRY_LIMIT, Entry, Section
from dangjian.core.scope import scope_paths
from dangjian.core.tree import subtree_q
from dangjian.orgs.models import Org

from .models import Measure, MeasureStatus

DUE_DAYS = 7


def _reviewable_q(paths):
    """Measures whose reviewing org (services.reviewing_org: the parent, or the org itself
    at the top) lies in one of `paths`' subtrees: strictly below a root, or a root at depth 1."""
    q = Q(pk__in=[])
    for path in paths:
        q |= subtree_q("org__path", [path]) & Q(org__depth__gt=len(path) // Org.steplen)
        if len(path) == Org.steplen:
            q |= Q(org__path=path)
    return q


def _measure_url(measure):
    return reverse("lists:measure_detail", args=[measure.pk])


def _entries(qs, note):
    rows = qs.select_related("org").only("id", "title", "deadline", "status", "org__name").order_by(
        "deadline", "id")[:ENTRY_LIMIT]
    return [Entry(title=f"{m.title}（{m.org.name}）", url=_measure_url(m), note=note(m), late=m.is_overdue)
            for m in rows]


def measure_sections(user, *, entries):
    paths = scope_paths(user, "change")
    if not paths:
        return []
    today = timezone.localdate()
    own = Measure.objects.filter(subtree_q("org__path", paths))
    to_accept = Measure.objects.filter(_reviewable_q(paths), status=MeasureStatus.SUBMITTED)
    # Sent back to me as the owner: not the measures I reviewed and returned to those below.
    returned = own.filter(status=MeasureStatus.RETURNED).exclude(_reviewable_q(paths) & ~Q(org__path__in=paths))
    overdue = own.overdue(today)
    due_soon = own.due_soon(DUE_DAYS, today)
    list_url = reverse("lists:measure_list")
    sections = [
        Section(key="to_accept", title=_("待验收的措施"), count=to_accept.count(),
                url=f"{list_url}?{urlencode({'status': MeasureStatus.SUBMITTED})}",
                hint=_("下级报告已完成，等待您验收或退回。")),
        Section(key="returned", title=_("被退回的措施"), count=returned.count(),
                url=f"{list_url}?{urlencode({'status': MeasureStatus.RETURNED})}",
                hint=_("上级退回整改，退回原因见措施页面。")),
        Section(key="overdue", title=_("已逾期的措施"), count=overdue.count(), routine=True,
                url=f"{list_url}?{urlencode({'due': 'overdue'})}", hint=_("您负责范围内已过截止日期、尚未完成的措施。")),
        Section(key="due_soon", title=_("7天内到期的措施"), count=due_soon.count(), routine=True,
                url=f"{list_url}?{urlencode({'due': 'soon'})}", hint=_("您负责范围内临近截止日期的措施。")),
    ]
    if entries:
        if sections[0].count:
            sections[0].entries = _entries(to_accept, lambda m: _("待验收"))
        if sections[1].count:
            sections[1].entries = _entries(returned, lambda m: _("退回整改"))
        if sections[2].count:
            sections[2].entries = _entries(overdue, lambda m: ngettext("已逾期%(n)d天", "已逾期%(n)d天", m.days_overdue) % {"n": m.days_overdue})
        if sections[3].count:
            sections[3].entries = _entries(due_soon, lambda m: ngettext("还剩%(n)d天", "还剩%(n)d天", m.days_left) % {"n": m.days_left})
    return sections
