"""The module's platform metrics (core.metrics), so a list's measure such as "领导干部每季度
到联系点走访" takes its progress from the visits recorded, with nobody reporting it."""

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from dangjian.core import metrics
from dangjian.core.tree import subtree_q

from .models import ContactVisit

CONTACT_VISITS = "responsibilities.contact_visits"


def contact_visits(orgs, start, end):
    """{org id: Reading(visits)}: visits in [start, end] to the contact points of the
    leaders of each org's subtree (one GROUP BY over the union of the subtrees)."""
    rows = (ContactVisit.objects.filter(subtree_q("point__org__path", [org.path for org in orgs]),
                                        visited_on__gte=start, visited_on__lte=end)
            .values_list("point__org__path").annotate(n=Count("id")))
    counts = list(rows)
    return {org.pk: metrics.Reading(sum(n for path, n in counts if path.startswith(org.path))) for org in orgs}


def contact_visit_rows_url(org, start, end):
    params = {"within": org.pk}
    if start.year == end.year:
        params["year"] = start.year
    return f"{reverse('responsibilities:visits')}?{urlencode(params)}"


def register():
    metrics.register(metrics.Metric(
        key=CONTACT_VISITS, label=_("联系点走访次数"), unit=_("次"), kind=metrics.COUNT, compute=contact_visits,
        rows_url=contact_visit_rows_url,
        description=_("本级及下级党员领导干部到党建工作联系点走访的次数，来自走访记录。")))
