"""The organisation API: areas, organisations, members, posts and the subtree summary.

Every viewset is a `dangjian.core.api.views.ScopedViewSet`: reads start from
`Model.objects.visible_to(request.user, action)` (outside the caller's subtree: 404),
writes are made by the services in `dangjian.orgs.services` (scope check, audit entry)
and read back through the scoped queryset; serializers only validate and represent."""

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.core import overview as overview_panels
from dangjian.core.api.views import ScopedViewSet
from dangjian.core.scope import user_can
from dangjian.core.tree import subtree_q

from .. import selectors, services
from ..filters import AreaFilter, IdFilter, MemberFilter, OrgFilter, PostFilter
from ..models import Area, Member, Org, Post
from . import serializers as s


def with_parent(queryset):
    """Annotate each tree node with its parent's id, in the same query (a materialised
    path's parent is the path minus its last step)."""
    model = queryset.model
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - model.steplen)
    parents = model.objects.order_by().filter(path=parent_path).values("pk")[:1]
    return queryset.annotate(parent=Subquery(parents))


class AreaApiFilter(AreaFilter):
    """The shared area filter plus `within=<org id>`: areas covered by that organisation."""

    within = IdFilter(label=_("所属组织覆盖的区域（含下级）"), method="filter_within")

    class Meta(AreaFilter.Meta):
        fields = [*AreaFilter.Meta.fields, "within"]

    def filter_within(self, queryset, name, value):
        # The `within=` rule (orgs.filters.WithinFilter) holds for the org itself: one outside
        # the scope answers nothing, even when the area it covers lies above the caller's areas.
        org = Org.objects.filter(pk=value).select_related("area").first()
        if org is None or org.area is None or not user_can(getattr(self.request, "user", None), "view", org):
            return queryset.none()
        return queryset.filter(subtree_q("path", [org.area.path]))


@extend_schema_view(
    list=extend_schema(summary=_("区域列表"), description=_("调用者管辖组织所覆盖的区域（行政区划与网格）。")),
    retrieve=extend_schema(summary=_("区域详情")),
)
class AreaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.AreaSerializer
    filterset_class = AreaApiFilter

    def base_queryset(self):
        return Area.objects.all()

    def get_queryset(self):
        return with_parent(super().get_queryset())


@extend_schema_view(
    list=extend_schema(summary=_("党组织列表")),
    retrieve=extend_schema(summary=_("党组织详情")),
    create=extend_schema(summary=_("新建党组织"), description=_("在 parent 之下新建；需要对上级组织有修改权限。")),
    partial_update=extend_schema(summary=_("修改党组织"), description=_("只改本组织的字段；调整上级请用 move。")),
)
class OrgViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.OrgSerializer
    filterset_class = OrgFilter

    def base_queryset(self):
        return Org.objects.all()

    def get_queryset(self):
        qs = with_parent(super().get_queryset())
        if self.action == "summary":
            qs = qs.select_related("area")
        return qs

    def create(self, request):
        data = self.validated(s.OrgSerializer)
        with transaction.atomic():
            org = self.read_back(services.org_create(actor=request.user, **data))
        return self.respond(org, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        org = self.get_object()
        data = self.validated(s.OrgSerializer, instance=org, partial=True)
        with transaction.atomic():
            org = self.read_back(services.org_update(actor=request.user, org=org,
                                                     expected_version=self.expected_version(), **data))
        return self.respond(org)

    @extend_schema(summary=_("移动党组织"), operation_id="orgs_move", request=s.OrgMoveSerializer,
                   responses=s.OrgSerializer,
                   description=_("把组织连同其下级移到 new_parent 之下；不能移到自己或自己的下级之下。"))
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        org = self.get_object()
        data = self.validated(s.OrgMoveSerializer)
        with transaction.atomic():
            org = self.read_back(services.org_move(actor=request.user, org=org, new_parent=data["new_parent"]))
        return self.respond(org)

    @extend_schema(summary=_("撤销党组织"), operation_id="orgs_close", request=s.OrgCloseSerializer,
                   responses=s.OrgSerializer,
                   description=_("撤销（关闭）一个已没有未撤销下级组织和在册党员的组织。"))
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        org = self.get_object()
        data = self.validated(s.OrgCloseSerializer)
        with transaction.atomic():
            org = self.read_back(services.org_close(actor=request.user, org=org, on=data.get("on")))
        return self.respond(org)

    @extend_schema(summary=_("下级组织"), operation_id="orgs_children", responses=s.OrgSerializer(many=True),
                   description=_("直属下级组织（含已撤销的），可用与列表相同的条件筛选。"))
    @action(detail=True, methods=["get"])
    def children(self, request, pk=None):
        org = self.get_object()
        children = self.filter_queryset(with_parent(selectors.children_of(request.user, org)))
        page = self.paginate_queryset(children)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary=_("组织概览"), operation_id="orgs_summary", responses=s.SummarySerializer,
                   description=_("该组织子树的组织、党员、覆盖率统计，以及各模块的概览面板。"))
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        org = self.get_object()
        return Response(summary_data(request.user, org))


READ_DEFERRED = ("id_number_encrypted", "id_number_hash", "phone_encrypted", "address_encrypted", "search_text")


@extend_schema_view(
    list=extend_schema(summary=_("党员列表"), description=_("身份证号、手机号、住址只给出脱敏值。")),
    retrieve=extend_schema(summary=_("党员详情")),
    create=extend_schema(summary=_("登记党员"), description=_("身份证号经校验、查重后加密保存。")),
    partial_update=extend_schema(summary=_("修改党员信息")),
)
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.MemberSerializer
    filterset_class = MemberFilter
    scope_action = "view_members"

    def base_queryset(self):
        qs = Member.objects.order_by("pk")
        if self.action in ("list", "retrieve"):
            # Reads show masked values only: leave the ciphertexts and keys in the database.
            qs = qs.defer(*READ_DEFERRED)
        return qs

    def create(self, request):
        data = self.validated(s.MemberSerializer)
        with transaction.atomic():
            member = self.read_back(services.member_create(actor=request.user, **data))
        return self.respond(member, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        member = self.get_object()
        data = self.validated(s.MemberSerializer, instance=member, partial=True)
        with transaction.atomic():
            member = self.read_back(services.member_update(actor=request.user, member=member,
                                                           expected_version=self.expected_version(), **data))
        return self.respond(member)

    @extend_schema(summary=_("查看完整身份信息"), operation_id="members_reveal", request=None,
                   responses=s.MemberRevealSerializer,
                   description=_("返回完整的身份证号、手机号和住址；需要“查看完整证件号”权限，每次调用都记入审计日志。"))
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        member = self.get_object()
        return Response(services.member_reveal(actor=request.user, member=member))


@extend_schema_view(
    list=extend_schema(summary=_("职务列表")),
    retrieve=extend_schema(summary=_("职务详情")),
    create=extend_schema(summary=_("任命职务")),
)
class PostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.PostSerializer
    filterset_class = PostFilter

    def base_queryset(self):
        return Post.objects.select_related("member", "person", "org").order_by("org__path", "kind", "start_on", "pk")

    def create(self, request):
        data = self.validated(s.PostSerializer)
        with transaction.atomic():
            post = self.read_back(services.post_assign(actor=request.user, **data))
        return self.respond(post, status.HTTP_201_CREATED)

    @extend_schema(summary=_("离任"), operation_id="posts_end", request=s.PostEndSerializer,
                   responses=s.PostSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        post = self.get_object()
        data = self.validated(s.PostEndSerializer)
        with transaction.atomic():
            post = self.read_back(services.post_end(actor=request.user, post=post, end_on=data["end_on"]))
        return self.respond(post)


def summary_data(user, root=None):
    data = {"overview": selectors.overview(user, root=root), "panels": overview_panels.panels(user, root)}
    return s.SummarySerializer(data).data


class SummaryView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(summary=_("管辖范围概览"), operation_id="summary", responses=s.SummarySerializer,
                   description=_("调用者全部管辖子树的组织、党员、覆盖率统计，以及各模块的概览面板。"))
    def get(self, request):
        return Response(summary_data(request.user))
