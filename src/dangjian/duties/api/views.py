"""The duties API: activities with attendance, occurrences (with excuse), rules, kinds and
the compliance summary of a subtree. Reads are scoped; writes call duties.services."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.core.api.views import ScopedViewSet
from dangjian.core.filters import ID_LIMITS
from dangjian.core.scope import get_visible_or_404
from dangjian.orgs.models import Org

from .. import selectors, services
from ..filters import ActivityFilter, OccurrenceFilter
from ..models import Activity, ActivityKind, DutyRule, Occurrence
from . import serializers as s

ID_SCHEMA = {"type": "integer", "minimum": ID_LIMITS["min_value"], "maximum": ID_LIMITS["max_value"]}


@extend_schema_view(list=extend_schema(summary=_("活动类型")), retrieve=extend_schema(summary=_("活动类型详情")))
class ActivityKindViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ActivityKind.objects.all()
    serializer_class = s.DutyActivityKindSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    lookup_value_regex = "[^/]+"


@extend_schema_view(list=extend_schema(summary=_("职责规则")), retrieve=extend_schema(summary=_("职责规则详情")))
class RuleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = DutyRule.objects.prefetch_related("versions__kind").order_by("id")
    serializer_class = s.DutyRuleSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = "[^/]+"


@extend_schema_view(
    list=extend_schema(summary=_("活动记录")), retrieve=extend_schema(summary=_("活动记录详情")),
    create=extend_schema(summary=_("登记活动"), description=_("不填出席名单时本组织在册党员全部记为出席；外支部党员须标记为列席。")),
    partial_update=extend_schema(summary=_("修改活动记录"), description=_("给出出席名单时整体替换原名单。")),
    destroy=extend_schema(summary=_("删除活动记录")),
)
class ActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.DutyActivitySerializer
    filterset_class = ActivityFilter

    def base_queryset(self):
        return (Activity.objects.select_related("org").prefetch_related("kinds", "attendance__member", "files")
                .order_by("-starts_at", "id"))

    def create(self, request):
        data = self.validated(s.DutyActivitySerializer)
        attendance = data.pop("attendance", None)
        with transaction.atomic():
            activity = self.read_back(services.activity_create(
                actor=request.user, attendance=None if attendance is None else [dict(row) for row in attendance],
                **data))
        return self.respond(activity, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        activity = self.get_object()
        data = self.validated(s.DutyActivityUpdateSerializer, instance=activity, partial=True)
        current = {"kinds": list(activity.kinds.all()), "starts_at": activity.starts_at, "topic": activity.topic,
                   "place": activity.place, "chair": activity.chair, "recorder": activity.recorder,
                   "minutes": activity.minutes}
        attendance = data.pop("attendance", None)
        with transaction.atomic():
            activity = self.read_back(services.activity_update(
                actor=request.user, activity=activity, **{**current, **data},
                attendance=None if attendance is None else [dict(row) for row in attendance]))
        return self.respond(activity)

    def destroy(self, request, pk=None):
        activity = self.get_object()
        services.activity_delete(actor=request.user, activity=activity)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(summary=_("应履职事项")), retrieve=extend_schema(summary=_("应履职事项详情")))
class OccurrenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.DutyOccurrenceSerializer
    filterset_class = OccurrenceFilter

    def base_queryset(self):
        return (Occurrence.objects.select_related("org", "version__kind", "kind", "rule", "post__member",
                                                  "post__person", "fulfilment")
                .prefetch_related("activities", "fulfilment__files").order_by("period_start", "org__path", "rule_id",
                                                                              "n"))

    @extend_schema(summary=_("免除"), request=s.DutyExcuseSerializer, responses=s.DutyOccurrenceSerializer,
                   description=_("由上级组织免除，须填写理由。"))
    @action(detail=True, methods=["post"])
    def excuse(self, request, pk=None):
        occurrence = self.get_object()
        data = self.validated(s.DutyExcuseSerializer)
        with transaction.atomic():
            occurrence = self.read_back(services.occurrence_excuse(actor=request.user, occurrence=occurrence,
                                                                   reason=data["reason"]))
        return self.respond(occurrence)


    @extend_schema(summary=_("登记履职"), request=s.DutyFulfilSerializer, responses=s.DutyOccurrenceSerializer,
                   description=_("无活动类型的职责（如年度部署党建工作）以履职记录履行；日期不能晚于今天。"))
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        occurrence = self.get_object()
        data = self.validated(s.DutyFulfilSerializer)
        with transaction.atomic():
            services.occurrence_fulfil(actor=request.user, occurrence=occurrence, **data)
            occurrence = self.read_back(occurrence)
        return self.respond(occurrence)


def _org_rows(rows):
    return [{"org": row.org.pk, "name": row.org.name, "figures": row.figures} for row in rows]


class ComplianceView(APIView):
    error_codes = ("404",)

    @extend_schema(
        summary=_("履职情况"), operation_id="duties_compliance", responses=s.DutyComplianceSerializer,
        parameters=[
            OpenApiParameter("root", ID_SCHEMA, description=_("上级组织（默认为调用者管辖范围的顶端）")),
            OpenApiParameter("period", str, description=_("期间：2026、2026-Q3、2026-H1 或 2026-07；默认本季度")),
        ])
    def get(self, request):
        value = request.query_params.get("root")
        if value:
            if not value.isdigit() or int(value) > ID_LIMITS["max_value"]:
                raise NotFound()
            root = get_visible_or_404(Org.objects, request.user, "view", pk=int(value))
        else:
            root = selectors.default_root(request.user)
            if root is None:
                raise NotFound()
        start, end = selectors.parse_period(request.query_params.get("period"))
        data = {
            "root": root.pk, "period_start": start, "period_end": end,
            "figures": selectors.subtree_compliance(root, start, end),
            "children": _org_rows(selectors.children_compliance(root, start, end)),
            "red": [{"org": row.org_id, "name": row.name, "figures": row.figures}
                    for row in selectors.red_list(root, start, end)],
        }
        return Response(s.DutyComplianceSerializer(data).data)
