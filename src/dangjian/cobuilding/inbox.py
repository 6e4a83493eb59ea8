"""The co-building section of the to-do inbox (core.inbox): unit reports waiting for the
community to accept them, in the user's `change` scope. One COUNT, plus one query for the
first rows on the inbox page."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.inbox import ENTRY_LIMIT, Entry, Section
from dangjian.core.scope import scope_paths
from dangjian.core.tree import subtree_q

from .models import ReportStatus, UnitReport


def report_sections(user, *, entries):
    paths = scope_paths(user, "change")
    if not paths:
        return []
    pending = UnitReport.objects.filter(subtree_q("community__path", paths), status=ReportStatus.PENDING)
    count = pending.count()
    if not count:
        return []
    url = reverse("cobuilding:report_list") + "?status=pending"
    rows = []
    if entries:
        for report in pending.select_related("unit", "community").order_by("registered_at", "id")[:ENTRY_LIMIT]:
            rows.append(Entry(title=f"{report.unit.name} → {report.community.name}", url=url,
                              note=report.registered_at.strftime("%Y-%m-%d")))
    return [Section(key="unit_reports", title=_("待接收的单位报到"), count=count, url=url, entries=rows)]
