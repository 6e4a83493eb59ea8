"""One filter class per list, used by the HTML pages and the API alike."""

import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import ID_LIMITS, IdFilter
from dangjian.core.text import normalise_query
from dangjian.orgs.filters import WithinFilter

from .models import List, ListKind, Measure, MeasureStatus, Programme, ProgrammeDomain, ProgressReport, Project


def _year_filter(queryset, prefix, value):
    if not value:
        return queryset
    year = int(value)
    return queryset.filter(**{f"{prefix}period_start__lte": datetime.date(year, 12, 31),
                              f"{prefix}period_end__gte": datetime.date(year, 1, 1)})


class ListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    kind = django_filters.MultipleChoiceFilter(label=_("清单类型"), choices=ListKind.choices)
    within = WithinFilter()
    org = IdFilter(label=_("所属组织（仅本级）"), field_name="org_id")
    year = django_filters.NumberFilter(label=_("年度"), method="filter_year", min_value=2000, max_value=2100)
    is_public = django_filters.BooleanFilter(label=_("已公示"), field_name="is_public")

    class Meta:
        model = List
        fields = ["q", "kind", "within", "org", "year", "is_public"]

    def filter_q(self, queryset, name, value):
        value = normalise_query(value)
        return queryset.filter(search_text__contains=value) if value else queryset

    def filter_year(self, queryset, name, value):
        return _year_filter(queryset, "", value)


class DueChoices:
    OVERDUE = "overdue"
    SOON = "soon"
    choices = [(OVERDUE, _("已逾期")), (SOON, _("7天内到期"))]


class MeasureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=MeasureStatus.choices)
    due = django_filters.ChoiceFilter(label=_("期限"), choices=DueChoices.choices, method="filter_due")
    kind = django_filters.MultipleChoiceFilter(label=_("清单类型"), choices=ListKind.choices, field_name="list__kind")
    within = WithinFilter()
    org = IdFilter(label=_("责任组织（仅本级）"), field_name="org_id")
    list = IdFilter(label=_("清单"), field_name="list_id")
    project = IdFilter(label=_("项目"), field_name="project_id")
    programme = IdFilter(label=_("工程"), field_name="project__programme_id")
    domain = django_filters.ModelChoiceFilter(label=_("工程领域"), queryset=ProgrammeDomain.objects.all(),
                                              field_name="project__programme__domain")
    year = django_filters.NumberFilter(label=_("年度"), method="filter_year", min_value=2000, max_value=2100)
    responsible = IdFilter(label=_("责任人"), field_name="responsible_id")

    class Meta:
        model = Measure
        fields = ["q", "status", "due", "kind", "within", "org", "list", "project", "programme", "domain", "year",
                  "responsible"]

    def filter_q(self, queryset, name, value):
        value = normalise_query(value)
        return queryset.filter(search_text__contains=value) if value else queryset

    def filter_due(self, queryset, name, value):
        if value == DueChoices.OVERDUE:
            return queryset.overdue()
        if value == DueChoices.SOON:
            return queryset.due_soon()
        return queryset

    def filter_year(self, queryset, name, value):
        return _year_filter(queryset, "list__", value)


class ProgrammeFilter(django_filters.FilterSet):
    within = WithinFilter()
    list = IdFilter(label=_("清单"), field_name="list_id")
    domain = django_filters.ModelChoiceFilter(label=_("工程领域"), queryset=ProgrammeDomain.objects.all())

    class Meta:
        model = Programme
        fields = ["within", "list", "domain"]


class ProjectFilter(django_filters.FilterSet):
    within = WithinFilter()
    list = IdFilter(label=_("清单"), field_name="list_id")
    programme = IdFilter(label=_("工程"), field_name="programme_id")
    is_secretary_project = django_filters.BooleanFilter(label=_("书记项目"))
    q = django_filters.CharFilter(label=_("搜索"), field_name="title", lookup_expr="contains")

    class Meta:
        model = Project
        fields = ["within", "list", "programme", "is_secretary_project", "q"]


class ProgressReportFilter(django_filters.FilterSet):
    within = WithinFilter(path_field="measure__org__path")
    measure = IdFilter(label=_("措施"), field_name="measure_id")
    since = django_filters.DateFilter(label=_("起始日期"), method="filter_since")

    class Meta:
        model = ProgressReport
        fields = ["within", "measure", "since"]

    def filter_since(self, queryset, name, value):
        start = timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
        return queryset.filter(Q(reported_at__gte=start))


def board_params(query):
    """The progress board's query (`root`, `kind`, `domain`, `programme`, `year`), checked:
    returns (values, errors by parameter). Completion follows each list's own rules, so
    the board takes no averaging or missing-progress parameter."""
    values, errors = {}, {}
    for name, low, high in (("root", 1, ID_LIMITS["max_value"]), ("domain", 1, ID_LIMITS["max_value"]),
                            ("programme", 1, ID_LIMITS["max_value"]), ("year", 2000, 2100)):
        raw = query.get(name)
        if raw in (None, ""):
            values[name] = None
            continue
        try:
            number = int(raw)
        except (TypeError, ValueError):
            errors[name] = _("请输入整数。")
            continue
        if not low <= number <= high:
            errors[name] = _("应在 %(low)s 到 %(high)s 之间。") % {"low": low, "high": high}
            continue
        values[name] = number
    for name, choices, default in (("kind", ListKind.choices, None),):
        raw = query.get(name) or default
        if raw is not None and raw not in dict(choices):
            errors[name] = _("“%(value)s”不是有效的选项。") % {"value": raw}
            raw = default
        values[name] = raw
    return values, errors
