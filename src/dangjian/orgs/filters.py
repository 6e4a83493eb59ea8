"""One filter class per list, used by the HTML pages and the API alike."""

import unicodedata

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto
from dangjian.core.filters import IdFilter, valid_id  # noqa: F401 (valid_id: orgs.api reads it here)
from dangjian.core.scope import user_can
from dangjian.core.text import normalise_query
from dangjian.core.tree import subtree_q

from .idnumber import normalise, validate_id_number
from .models import Area, AreaKind, Member, MemberCategory, MemberStatus, Org, OrgKind, Post, PostKind, Sector


class WithinFilter(IdFilter):
    """`?within=<org id>`: rows in that org's subtree. One rule for every list, page, API
    and export (docs/api.md, "Scope and within"): the org must be one the caller may see
    (`view`); any other org, an ancestor of the caller's scope included, or an id that
    names nothing, gives no rows, as if it did not exist; what is not an id at all is a 400
    (`IdFilter`). Pages show it as an org picker, which offers only visible orgs."""

    picker = "org"

    def __init__(self, *args, path_field="org__path", **kwargs):
        self.path_field = path_field
        kwargs.setdefault("label", _("所属组织（含下级）"))
        kwargs.setdefault("method", self.filter_within)
        super().__init__(*args, **kwargs)

    def filter_within(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        root = Org.objects.filter(pk=value).only("path", "closed_at").first()
        request = getattr(self.parent, "request", None)
        if root is None or (request is not None and not user_can(request.user, "view", root)):
            return queryset.none()
        return queryset.filter(subtree_q(self.path_field, [root.path]))


def children_of(model, queryset, parent_id):
    """The rows of `queryset` one level below the tree node `parent_id` (none if it names nothing)."""
    parent = model.objects.filter(pk=parent_id).only("path", "depth").first()
    if parent is None:
        return queryset.none()
    return queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)


def search_filter(queryset, value):
    """Name, pinyin, initials, Simplified or Traditional; a full ID number matches exactly."""
    value = (value or "").strip()
    if not value:
        return queryset
    if queryset.model is Member:
        # A pasted number may carry full-width digits, spaces or hyphens: 3206 0219… or ３２０６…
        number = unicodedata.normalize("NFKC", value).replace(" ", "").replace("-", "")
        if len(number) == 18 and number[:17].isascii() and number[:17].isdigit():
            try:
                digest = crypto.blind_index(validate_id_number(normalise(number)))
            except ValidationError:
                return queryset.none()
            return queryset.filter(id_number_hash=digest)
    return queryset.filter(search_text__contains=normalise_query(value))


class OrgFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    kind = django_filters.MultipleChoiceFilter(label=_("组织类别"), choices=OrgKind.choices)
    sector = django_filters.MultipleChoiceFilter(label=_("领域"), choices=Sector.choices)
    within = WithinFilter(path_field="path")
    grassroots = django_filters.BooleanFilter(label=_("仅基层党组织"), method="filter_grassroots")
    closed = django_filters.BooleanFilter(label=_("已撤销"), field_name="closed_at", lookup_expr="isnull", exclude=True)
    parent = IdFilter(label=_("上级组织"), method="filter_parent")

    class Meta:
        model = Org
        fields = ["q", "kind", "sector", "within", "grassroots", "closed", "parent"]

    def filter_q(self, queryset, name, value):
        return search_filter(queryset, value)

    def filter_grassroots(self, queryset, name, value):
        grassroots = queryset.grassroots()
        return grassroots if value else queryset.exclude(pk__in=grassroots.values("pk"))

    def filter_parent(self, queryset, name, value):
        return children_of(Org, queryset, value)


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索（姓名/拼音/首字母/身份证号）"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(label=_("党员状态"), choices=MemberStatus.choices)
    category = django_filters.MultipleChoiceFilter(label=_("人员类别"), choices=MemberCategory.choices)
    within = WithinFilter()
    org = IdFilter(label=_("所在党组织（仅本级）"), field_name="org__id")
    gender = django_filters.ChoiceFilter(label=_("性别"), choices=Member._meta.get_field("gender").choices)
    left = django_filters.BooleanFilter(label=_("已转出"), field_name="left_on", lookup_expr="isnull", exclude=True)
    joined_from = django_filters.DateFilter(label=_("入党日期自"), field_name="joined_on", lookup_expr="gte")
    joined_to = django_filters.DateFilter(label=_("入党日期至"), field_name="joined_on", lookup_expr="lte")

    class Meta:
        model = Member
        fields = ["q", "status", "category", "within", "org", "gender", "left", "joined_from", "joined_to"]

    def filter_q(self, queryset, name, value):
        return search_filter(queryset, value)


class AreaFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("类型"), choices=AreaKind.choices)
    q = django_filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="contains")
    parent = IdFilter(label=_("上级区域"), method="filter_parent")

    class Meta:
        model = Area
        fields = ["kind", "q", "parent"]

    def filter_parent(self, queryset, name, value):
        return children_of(Area, queryset, value)


class PostFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("职务"), choices=PostKind.choices)
    within = WithinFilter()
    org = IdFilter(label=_("党组织（仅本级）"), field_name="org__id")
    member = IdFilter(label=_("党员"), field_name="member__id")
    current = django_filters.BooleanFilter(label=_("现任"), method="filter_current")

    class Meta:
        model = Post
        fields = ["kind", "within", "org", "member", "current"]

    def filter_current(self, queryset, name, value):
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))
