"""The module's section of the to-do inbox (core.inbox): current contact points without a
visit this quarter, for the leader whose account is linked to their member record, and
for the secretary (the `change` scope) of the organisation the leader leads. One COUNT,
plus one query for the first rows on the inbox page."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.inbox import ENTRY_LIMIT, Entry, Section
from dangjian.core.scope import scope_paths

from .models import ContactPoint
from .selectors import quarter_start


def contact_point_sections(user, *, entries):
    today = timezone.localdate()
    paths = scope_paths(user, "change")
    own = Q(member_id=user.member_id) if getattr(user, "member_id", None) else None
    # A secretary sees the points of the leaders of their own organisation, not every
    # leader's below it (a district secretary is not reminded of each village's points).
    led = Q(org__path__in=paths) if paths else None
    if own is None and led is None:
        return []
    who = own | led if own is not None and led is not None else (own if own is not None else led)
    start = quarter_start(today)
    due = (ContactPoint.objects.current(today).filter(who)
           .filter(Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=start)))
    section = Section(key="contact_points", title=_("本季度尚未走访的联系点"), count=due.count(),
                      url=reverse("responsibilities:me") if own is not None else reverse("responsibilities:points"),
                      hint=_("党员领导干部每季度到联系点走访，记录发现的问题和整改跟进。"))
    if entries and section.count:
        rows = due.select_related("point_org", "member", "person").order_by("last_visit_on", "id")[:ENTRY_LIMIT]
        section.entries = [Entry(title=f"{p.point_org.name}（{p.leader_name}）",
                                 url=reverse("responsibilities:visit_create", args=[p.pk]),
                                 note=_("最近走访：%(d)s") % {"d": p.last_visit_on.isoformat()} if p.last_visit_on
                                 else _("尚未走访")) for p in rows]
    return [section]
