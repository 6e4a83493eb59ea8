"""The community_service sections of the to-do inbox: member reports waiting for the
community to accept, and whistle calls waiting for the unit's answer. One COUNT each,
plus one query for the first rows on the inbox page."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.inbox import ENTRY_LIMIT, Entry, Section
from dangjian.core.scope import scope_paths
from dangjian.core.tree import subtree_q

from .models import MemberReport, ReportStatus, WhistleCall


def sections(user, *, entries):
    paths = scope_paths(user, "change")
    if not paths:
        return []
    pending = MemberReport.objects.filter(subtree_q("community__path", paths), status=ReportStatus.PENDING)
    calls = WhistleCall.objects.filter(subtree_q("unit__covering_org__path", paths), arrived_at__isnull=True)
    result = [
        Section(key="cs_reports", title=_("待接收的在职党员报到"), count=pending.count(),
                url=reverse("community_service:report_list") + "?status=pending",
                hint=_("在职党员向本社区报到，等待接收。")),
        Section(key="cs_calls", title=_("待响应的吹哨"), count=calls.count(),
                url=reverse("community_service:call_list"), hint=_("街道吹哨召集本单位，请响应并报告到场。")),
    ]
    if entries:
        if result[0].count:
            result[0].entries = [
                Entry(title=f"{r.member.name}（{r.community.name}）", url=r.get_absolute_url(), note=_("待接收"))
                for r in pending.select_related("member", "community").order_by("registered_at")[:ENTRY_LIMIT]]
        if result[1].count:
            result[1].entries = [
                Entry(title=f"{c.whistle.title}（{c.unit.name}）", url=reverse("community_service:call_list"),
                      note=c.whistle.due_at.strftime("%Y-%m-%d %H:%M"))
                for c in calls.select_related("whistle", "unit").order_by("whistle__due_at")[:ENTRY_LIMIT]]
    return result
