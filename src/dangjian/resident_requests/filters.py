"""One filter class for the request list, shared by the page, the API and the export."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.filters import IdFilter
from dangjian.orgs.filters import WithinFilter

from . import selectors
from .models import OPEN_STATUSES, Category, Channel, Request, Status

FLAG_CHOICES = [
    ("solved", _("已解决")), ("on_time", _("按时办结")), ("overdue", _("超期未办结")), ("reopened", _("重新办理")),
    ("rated", _("已评价")), ("satisfied", _("满意（4-5分）")), ("open", _("办理中")),
]
QUEUE_CHOICES = [
    ("intake", _("待受理")), ("mine", _("我首办的")), ("escalated", _("升级督办")), ("units", _("待单位接单")),
]


class RequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("编号或内容"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(label=_("状态"), choices=Status.choices)
    flag = django_filters.ChoiceFilter(label=_("统计口径"), choices=FLAG_CHOICES, method="filter_flag")
    queue = django_filters.ChoiceFilter(label=_("待办"), choices=QUEUE_CHOICES, method="filter_queue")
    category = django_filters.ModelChoiceFilter(label=_("类别"), queryset=Category.objects.all())
    channel = django_filters.MultipleChoiceFilter(label=_("渠道"), choices=Channel.choices)
    within = WithinFilter()
    grid = IdFilter(label=_("网格"), field_name="grid_id")
    start = django_filters.DateFilter(label=_("提交日期从"), method="filter_start")
    end = django_filters.DateFilter(label=_("提交日期到"), method="filter_end")

    class Meta:
        model = Request
        fields = ["q", "status", "flag", "queue", "category", "channel", "within", "grid", "start", "end"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()[:100]
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(description__contains=value))

    def filter_flag(self, queryset, name, value):
        return queryset.filter(selectors.flag_q(value)) if value else queryset

    def filter_start(self, queryset, name, value):
        return selectors.in_period(queryset, start=value)

    def filter_end(self, queryset, name, value):
        return selectors.in_period(queryset, end=value)

    def filter_queue(self, queryset, name, value):
        from dangjian.core.tree import subtree_q

        from . import access

        user = getattr(getattr(self, "request", None), "user", None)
        paths = access.paths(user, access.HANDLE)
        if not value or not paths:
            return queryset if not value else queryset.none()
        if value == "intake":
            return queryset.filter(selectors._intake_q(paths), status=Status.SUBMITTED)
        if value == "mine":
            return queryset.filter(first_handler=user, status__in=OPEN_STATUSES).exclude(status=Status.SUBMITTED)
        if value == "escalated":
            return queryset.filter(escalated_to__path__in=paths, status__in=OPEN_STATUSES)
        return queryset.filter(subtree_q("unit__org__path", paths), status=Status.DISPATCHED)
