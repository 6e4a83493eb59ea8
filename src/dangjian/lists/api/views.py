"""The lists API: lists, programmes, projects, measures, progress reports, acceptance,
roll-ups and the progress board. Every list takes `?within=<org id>` for a subtree.

Reads start from `visible_to(request.user)`; writes call `dangjian.lists.services` and
read the result back through the scoped queryset inside the same transaction."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.core.scope import get_visible_or_404
from dangjian.core.api.views import ScopedViewSet
from dangjian.core.filters import ID_LIMITS, IdFilter
from dangjian.orgs.models import Org

from .. import selectors, services
from ..filters import ListFilter, MeasureFilter, ProgrammeFilter, ProgressReportFilter, ProjectFilter, board_params
from ..models import List, ListKind, Measure, Programme, ProgrammeDomain, ProgressReport, Project
from . import serializers as s


ID_SCHEMA = {"type": "integer", "minimum": ID_LIMITS["min_value"], "maximum": ID_LIMITS["max_value"]}


class MeasureApiFilter(MeasureFilter):
    """The page's filter, with the domain named by id: an unknown id matches nothing, as
    every other id filter does, instead of refusing the request."""

    domain = IdFilter(label=_("工程领域"), field_name="project__programme__domain_id")


class ProgrammeApiFilter(ProgrammeFilter):
    domain = IdFilter(label=_("工程领域"), field_name="domain_id")


def _without(data, *names):
    return {k: v for k, v in data.items() if k not in names}


@extend_schema_view(list=extend_schema(summary=_("工程领域")), retrieve=extend_schema(summary=_("工程领域详情")))
class ProgrammeDomainViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ProgrammeDomain.objects.all()
    serializer_class = s.ProgrammeDomainSerializer
    pagination_class = None
    lookup_value_regex = "[^/]+"


@extend_schema_view(
    list=extend_schema(summary=_("清单列表")),
    retrieve=extend_schema(summary=_("清单详情")),
    create=extend_schema(summary=_("新建清单")),
    partial_update=extend_schema(summary=_("修改清单"), description=_("已公示的清单须填写 reason。")),
    destroy=extend_schema(summary=_("删除清单"), description=_("只能删除从未公示、没有进展报告的清单。")),
)
class ListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.ListSerializer
    filterset_class = ListFilter

    def base_queryset(self):
        return List.objects.select_related("org").order_by("-period_start", "id")

    def create(self, request):
        data = self.validated(s.ListSerializer)
        with transaction.atomic():
            lst = self.read_back(services.list_create(actor=request.user, **data))
        return self.respond(lst, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        lst = self.get_object()
        data = self.validated(s.ListUpdateSerializer, instance=lst, partial=True)
        with transaction.atomic():
            lst = self.read_back(services.list_update(actor=request.user, lst=lst, reason=data.pop("reason", ""),
                                                      expected_version=self.expected_version(),
                                                      **_without(data, "is_public")))
        return self.respond(lst)

    def destroy(self, request, pk=None):
        services.list_delete(actor=request.user, lst=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary=_("公示清单"), operation_id="lists_publish", request=None, responses=s.ListSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        lst = services.list_publish(actor=request.user, lst=self.get_object())
        return self.respond(self.read_back(lst))

    @extend_schema(summary=_("撤下公示"), operation_id="lists_unpublish", request=s.ReasonSerializer,
                   responses=s.ListSerializer)
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        data = self.validated(s.ReasonSerializer)
        lst = services.list_unpublish(actor=request.user, lst=self.get_object(), reason=data.get("reason", ""))
        return self.respond(self.read_back(lst))

    @extend_schema(summary=_("清单完成率及其计算明细"), operation_id="lists_rollup", responses=s.RollupSerializer,
                   description=_("措施 → 项目 → 工程 → 清单逐级汇总；每一行给出权重、是否计入、所占比重和贡献。"))
    @action(detail=True, methods=["get"])
    def rollup(self, request, pk=None):
        data = selectors.list_rollup(self.get_object())
        return Response({"value": s.figure(data.value), "averaging": data.result.averaging,
                         "missing": data.result.missing, "counts": data.counts, "rows": s.rollup_rows(data.result)})

    @extend_schema(summary=_("公示后的变更记录"), operation_id="lists_revisions",
                   responses=s.RevisionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def revisions(self, request, pk=None):
        lst = self.get_object()
        page = self.paginate_queryset(lst.revisions.all())
        return self.get_paginated_response(s.RevisionSerializer(page, many=True).data)


class _ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    create_serializer = None
    update_serializer = None

    def destroy(self, request, pk=None):
        self.delete_service(actor=request.user, obj=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary=_("工程列表")), retrieve=extend_schema(summary=_("工程详情")),
    create=extend_schema(summary=_("添加工程")), partial_update=extend_schema(summary=_("修改工程")),
    destroy=extend_schema(summary=_("删除工程")),
)
class ProgrammeViewSet(_ItemViewSet):
    serializer_class = s.ProgrammeSerializer
    filterset_class = ProgrammeApiFilter

    def base_queryset(self):
        return Programme.objects.select_related("list").order_by("list", "position", "id")

    def create(self, request):
        data = self.validated(s.ProgrammeSerializer)
        with transaction.atomic():
            programme = services.programme_create(actor=request.user, lst=data.pop("list"), **data)
            programme = self.read_back(programme)
        return self.respond(programme, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        programme = self.get_object()
        data = self.validated(s.ProgrammeSerializer, instance=programme, partial=True)
        data.pop("list", None)
        with transaction.atomic():
            programme = self.read_back(services.programme_update(actor=request.user, programme=programme,
                                                                 expected_version=self.expected_version(), **data))
        return self.respond(programme)

    def delete_service(self, *, actor, obj):
        services.programme_delete(actor=actor, programme=obj)


@extend_schema_view(
    list=extend_schema(summary=_("项目列表")), retrieve=extend_schema(summary=_("项目详情")),
    create=extend_schema(summary=_("添加项目"), description=_("书记项目不指定牵头人时，由该组织现任书记牵头。")),
    partial_update=extend_schema(summary=_("修改项目")), destroy=extend_schema(summary=_("删除项目")),
)
class ProjectViewSet(_ItemViewSet):
    serializer_class = s.ProjectSerializer
    filterset_class = ProjectFilter

    def base_queryset(self):
        return Project.objects.select_related("leader").order_by("list", "position", "id")

    def create(self, request):
        data = self.validated(s.ProjectSerializer)
        with transaction.atomic():
            project = self.read_back(services.project_create(actor=request.user, lst=data.pop("list"), **data))
        return self.respond(project, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        project = self.get_object()
        data = self.validated(s.ProjectSerializer, instance=project, partial=True)
        data.pop("list", None)
        with transaction.atomic():
            project = self.read_back(services.project_update(actor=request.user, project=project,
                                                             expected_version=self.expected_version(), **data))
        return self.respond(project)

    def delete_service(self, *, actor, obj):
        services.project_delete(actor=actor, project=obj)


@extend_schema_view(
    list=extend_schema(summary=_("措施列表"), description=_("due=overdue 为已逾期，due=soon 为7天内到期。")),
    retrieve=extend_schema(summary=_("措施详情")),
    create=extend_schema(summary=_("添加措施")),
    partial_update=extend_schema(summary=_("修改措施"), description=_("已公示的清单须填写 reason。")),
    destroy=extend_schema(summary=_("删除措施")),
)
class MeasureViewSet(_ItemViewSet):
    serializer_class = s.MeasureSerializer
    filterset_class = MeasureApiFilter

    def base_queryset(self):
        return Measure.objects.select_related("org", "responsible").order_by("deadline", "id")

    def create(self, request):
        data = self.validated(s.MeasureSerializer)
        with transaction.atomic():
            measure = self.read_back(services.measure_create(actor=request.user, lst=data.pop("list"), **data))
        return self.respond(measure, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        measure = self.get_object()
        data = self.validated(s.MeasureUpdateSerializer, instance=measure, partial=True)
        data.pop("list", None)
        with transaction.atomic():
            measure = self.read_back(services.measure_update(actor=request.user, measure=measure,
                                                             expected_version=self.expected_version(), **data))
        return self.respond(measure)

    def delete_service(self, *, actor, obj):
        services.measure_delete(actor=actor, measure=obj)

    @extend_schema(summary=_("报告进展"), operation_id="measures_report", request=s.MeasureReportSerializer,
                   responses={201: s.ProgressReportSerializer},
                   description=_("填写 percent（0–100）或 value（有目标值时）；files 为可选的佐证材料。"))
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def report(self, request, pk=None):
        measure = self.get_object()
        data = self.validated(s.MeasureReportSerializer)
        report = services.measure_report_progress(actor=request.user, measure=measure, percent=data.get("percent"),
                                                  value=data.get("value"), note=data.get("note", ""),
                                                  files=data.get("files", []))
        return Response(s.ProgressReportSerializer(report, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(summary=_("验收通过"), operation_id="measures_accept", request=s.AcceptSerializer,
                   responses=s.MeasureSerializer, description=_("由责任组织的上一级验收。"))
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = self.validated(s.AcceptSerializer)
        measure = services.measure_accept(actor=request.user, measure=self.get_object(), note=data.get("note", ""))
        return self.respond(self.get_queryset().get(pk=measure.pk))

    @extend_schema(summary=_("退回"), operation_id="measures_send_back", request=s.SendBackSerializer,
                   responses=s.MeasureSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        data = self.validated(s.SendBackSerializer)
        measure = services.measure_send_back(actor=request.user, measure=self.get_object(), reason=data["reason"])
        return self.respond(self.get_queryset().get(pk=measure.pk))

    @extend_schema(summary=_("验收记录"), operation_id="measures_reviews", responses=s.ReviewSerializer(many=True))
    @action(detail=True, methods=["get"])
    def reviews(self, request, pk=None):
        return Response(s.ReviewSerializer(self.get_object().reviews.all(), many=True).data)


@extend_schema_view(
    list=extend_schema(summary=_("进展报告列表")), retrieve=extend_schema(summary=_("进展报告详情")),
    create=extend_schema(summary=_("报告进展"), description=_("与 measures/{id}/report/ 相同；files 可选。")),
)
class ProgressReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.ProgressReportSerializer
    filterset_class = ProgressReportFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def base_queryset(self):
        return ProgressReport.objects.prefetch_related("evidence").order_by("-reported_at", "-id")

    def create(self, request):
        data = self.validated(s.ProgressReportSerializer)
        report = services.measure_report_progress(actor=request.user, measure=data["measure"],
                                                  percent=data.get("percent"), value=data.get("value"),
                                                  note=data.get("note", ""), files=data.get("files", []))
        return self.respond(report, status.HTTP_201_CREATED)


class BoardView(APIView):
    error_codes = ("404",)  # a root outside the caller's scope, or a caller without one
    @extend_schema(
        summary=_("晒进度"), operation_id="lists_board", responses=s.BoardSerializer,
        parameters=[
            OpenApiParameter("root", ID_SCHEMA, description=_("上级组织（默认为调用者管辖范围的顶端）")),
            OpenApiParameter("kind", str, enum=[k for k, _l in ListKind.choices]),
            OpenApiParameter("domain", ID_SCHEMA, description=_("工程领域")),
            OpenApiParameter("programme", ID_SCHEMA, description=_("工程")),
            OpenApiParameter("year", {"type": "integer", "minimum": 2000, "maximum": 2100}),
        ],
        description=_("下级组织并排比较：完成率、逾期、已验收，按所述规则排名（只比较组织，不对个人排名）。"))
    def get(self, request):
        from rest_framework.exceptions import NotFound, ValidationError

        values, errors = board_params(request.query_params)
        if errors:
            raise ValidationError({name: [str(message)] for name, message in errors.items()})
        if values["root"]:
            root = get_visible_or_404(Org.objects, request.user, "view", pk=values["root"])
        else:
            root = selectors.default_root(request.user)
            if root is None:
                raise NotFound()
        data = selectors.board(request.user, root, kind=values["kind"], domain=values["domain"],
                               programme=values["programme"], year=values["year"])
        return Response(s.BoardSerializer(data).data)


class MetricListView(APIView):
    """The platform metrics a measure can be bound to (core.metrics)."""

    @extend_schema(summary=_("平台指标"), operation_id="lists_metrics", responses=s.MetricSerializer(many=True),
                   description=_("措施可绑定的平台指标：绑定后进度由平台记录自动计算（计数类按目标值折算，比率类直接取比率）。"))
    def get(self, request):
        from dangjian.core import metrics

        return Response([{"key": m.key, "label": str(m.label), "unit": str(m.unit), "kind": m.kind,
                          "description": str(m.description)} for m in metrics.all_metrics()])
