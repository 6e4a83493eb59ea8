"""Filters of the duty pages and the API (one FilterSet per list)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import IdFilter
from dangjian.orgs.filters import WithinFilter

from .defaults import KINDS
from .models import Activity, Occurrence, OccurrenceStatus
from .selectors import FIGURE_FILTERS, parse_period

# The seeded kinds (their names are data, shown as stored).
KIND_CHOICES = [(code, name) for code, name in KINDS]

FIGURE_CHOICES = [("fulfilled", _("按时开展")), ("late", _("逾期")), ("late_held", _("逾期开展")),
                  ("missed", _("逾期未开展")), ("excused", _("已免除")), ("pending", _("未到期"))]


class OccurrenceFilter(django_filters.FilterSet):
    within = WithinFilter()
    org = IdFilter(label=_("党组织（仅本级）"), field_name="org_id")
    period = django_filters.CharFilter(label=_("期间"), method="filter_period")
    figure = django_filters.ChoiceFilter(label=_("情况"), choices=FIGURE_CHOICES, method="filter_figure")
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=OccurrenceStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("活动类型"), field_name="kind__code", choices=KIND_CHOICES)

    class Meta:
        model = Occurrence
        fields = ["within", "org", "period", "figure", "status", "kind"]

    def filter_period(self, queryset, name, value):
        if not value:
            return queryset
        start, end = parse_period(value)
        return queryset.filter(period_start__gte=start, period_start__lte=end)

    def filter_figure(self, queryset, name, value):
        return queryset.filter(FIGURE_FILTERS[value](timezone.localdate())) if value in FIGURE_FILTERS else queryset


class ActivityFilter(django_filters.FilterSet):
    within = WithinFilter()
    org = IdFilter(label=_("党组织（仅本级）"), field_name="org_id")
    kind = django_filters.ChoiceFilter(label=_("活动类型"), field_name="kinds__code", choices=KIND_CHOICES)
    start = django_filters.DateFilter(label=_("开始日期"), field_name="held_on", lookup_expr="gte")
    end = django_filters.DateFilter(label=_("结束日期"), field_name="held_on", lookup_expr="lte")

    class Meta:
        model = Activity
        fields = ["within", "org", "kind", "start", "end"]
