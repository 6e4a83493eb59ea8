"""One filter class per list, used by the pages and the API alike."""

import django_filters
from django.utils.translation import gettext_lazy as _

from dangjian.core.text import normalise_query
from dangjian.orgs.filters import WithinFilter

from .models import (
    Agreement,
    AgreementKind,
    Alliance,
    AllianceKind,
    Coverage,
    PartyInstructor,
    ReportStatus,
    Unit,
    UnitKind,
    UnitReport,
)


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    kind = django_filters.MultipleChoiceFilter(label=_("单位类型"), choices=UnitKind.choices, distinct=False)
    coverage = django_filters.MultipleChoiceFilter(label=_("党组织覆盖方式"), choices=Coverage.choices, distinct=False)
    within = WithinFilter()
    closed = django_filters.BooleanFilter(label=_("已迁出/注销"), field_name="closed_on", lookup_expr="isnull",
                                          exclude=True)

    class Meta:
        model = Unit
        fields = ["q", "kind", "coverage", "within", "closed"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if len(value) == 18 and value.isascii() and value.isalnum():
            return queryset.filter(credit_code=value.upper())
        value = normalise_query(value)
        return queryset.filter(search_text__contains=value) if value else queryset


class UnitReportFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=ReportStatus.choices, distinct=False)
    within = WithinFilter(path_field="community__path", label=_("报到社区（含下级）"))

    class Meta:
        model = UnitReport
        fields = ["status", "within"]


class AgreementFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("协议类型"), choices=AgreementKind.choices, distinct=False)
    within = WithinFilter()

    class Meta:
        model = Agreement
        fields = ["kind", "within"]


class AllianceFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("类型"), choices=AllianceKind.choices, distinct=False)
    within = WithinFilter(path_field="lead_org__path")

    class Meta:
        model = Alliance
        fields = ["kind", "within"]


class InstructorFilter(django_filters.FilterSet):
    within = WithinFilter()
    active = django_filters.BooleanFilter(label=_("在派"), field_name="ended_on", lookup_expr="isnull")

    class Meta:
        model = PartyInstructor
        fields = ["within", "active"]
