"""One filter class per list, used by the pages and the API alike."""

import django_filters
from django.utils.translation import gettext_lazy as _

from dangjian.core.page_filters import PageFilterMixin
from dangjian.orgs.filters import WithinFilter

from .models import Attendance, Booking, Claim, ItemKind, MemberReport, ReportStatus, ServiceItem, Whistle


class ReportFilter(django_filters.FilterSet):
    within = WithinFilter(path_field="community__path", label=_("报到社区（含下级）"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ReportStatus.choices)

    class Meta:
        model = MemberReport
        fields = ["within", "status"]


class ItemFilter(django_filters.FilterSet):
    within = WithinFilter()
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=ItemKind.choices)

    class Meta:
        model = ServiceItem
        fields = ["within", "kind"]


class RecordFilter(django_filters.FilterSet):
    """实绩: attended bookings; `within` is the member's branch (or the unit's Party org)."""

    within = WithinFilter(path_field="member__org__path", label=_("党员所在组织（含下级）"))
    attendance = django_filters.ChoiceFilter(label=_("签到"), choices=Attendance.choices[1:])

    class Meta:
        model = Booking
        fields = ["within", "attendance"]


class WhistleFilter(django_filters.FilterSet):
    within = WithinFilter(path_field="street__path")

    class Meta:
        model = Whistle
        fields = ["within"]


class ClaimFilter(django_filters.FilterSet):
    within = WithinFilter(path_field="community__path")
    done = django_filters.BooleanFilter(label=_("已办结"), field_name="done_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Claim
        fields = ["within", "done"]


class ReportPageFilter(PageFilterMixin, ReportFilter):
    pass


class ItemPageFilter(PageFilterMixin, ItemFilter):
    pass


class RecordPageFilter(PageFilterMixin, RecordFilter):
    pass


class WhistlePageFilter(PageFilterMixin, WhistleFilter):
    pass


class ClaimPageFilter(PageFilterMixin, ClaimFilter):
    pass
