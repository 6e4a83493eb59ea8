"""One filter class per list, used by the pages and the API alike."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.filters import WithinFilter

from . import selectors
from .models import ContactPoint, ContactVisit, DocumentKind, Level, Responsibility, ResponsibilityDocument
YES_NO = [("yes", _("是")), ("no", _("否"))]


class ResponsibilityFilter(django_filters.FilterSet):
    within = WithinFilter()
    level = django_filters.ChoiceFilter(label=_("责任类别"), choices=Level.choices)
    current = django_filters.ChoiceFilter(label=_("现任"), choices=YES_NO, method="filter_current")
    complete = django_filters.ChoiceFilter(label=_("三级责任齐全"), choices=YES_NO, method="filter_complete")

    class Meta:
        model = Responsibility
        fields = ["within", "level", "current", "complete"]

    def filter_current(self, queryset, name, value):
        current = queryset.current(timezone.localdate())
        return current if value == "yes" else queryset.exclude(pk__in=current.values("pk"))

    def filter_complete(self, queryset, name, value):
        today = timezone.localdate()
        ids = selectors.complete_org_ids(Responsibility.objects.all(), today)
        queryset = queryset.current(today)
        return queryset.filter(org_id__in=ids) if value == "yes" else queryset.exclude(org_id__in=ids)


class DocumentFilter(django_filters.FilterSet):
    within = WithinFilter()
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=DocumentKind.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="signed_on__year", min_value=2000, max_value=2100)

    class Meta:
        model = ResponsibilityDocument
        fields = ["within", "kind", "year"]


class ContactPointFilter(django_filters.FilterSet):
    within = WithinFilter()
    stale = django_filters.ChoiceFilter(label=_("久未走访"), choices=YES_NO, method="filter_stale")

    class Meta:
        model = ContactPoint
        fields = ["within", "stale"]

    def filter_stale(self, queryset, name, value):
        today = timezone.localdate()
        stale = selectors.stale_points(ContactPoint.objects.all(), today)
        if value == "yes":
            return queryset.filter(pk__in=stale.values("pk"))
        return queryset.current(today).exclude(pk__in=stale.values("pk"))


class ContactVisitFilter(django_filters.FilterSet):
    within = WithinFilter(path_field="point__org__path")
    year = django_filters.NumberFilter(label=_("年度"), field_name="visited_on__year", min_value=2000, max_value=2100)
    problems = django_filters.ChoiceFilter(label=_("发现问题"), choices=YES_NO, method="filter_problems")

    class Meta:
        model = ContactVisit
        fields = ["within", "year", "problems"]

    def filter_problems(self, queryset, name, value):
        return queryset.exclude(problems="") if value == "yes" else queryset.filter(Q(problems=""))
