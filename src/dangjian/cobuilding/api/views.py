"""The co-building API: units, 党建指导员, agreements, alliances, unit reports and the
coverage summary. Reads start from `visible_to(request.user)`; writes call
`dangjian.cobuilding.services` and read the result back through the scoped queryset."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.core.api.views import ScopedViewSet
from dangjian.core.scope import get_visible_or_404
from dangjian.orgs.models import Org

from .. import selectors, services
from ..filters import AgreementFilter, AllianceFilter, InstructorFilter, UnitFilter, UnitReportFilter
from ..models import Agreement, Alliance, InstructorAssignment, PartyInstructor, Unit, UnitReport
from . import serializers as s


class _ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    pass


@extend_schema_view(
    list=extend_schema(summary=_("驻区单位列表")), retrieve=extend_schema(summary=_("驻区单位详情")),
    create=extend_schema(summary=_("登记驻区单位")), partial_update=extend_schema(summary=_("修改驻区单位")),
)
class UnitViewSet(_ReadViewSet):
    serializer_class = s.UnitSerializer
    filterset_class = UnitFilter

    def base_queryset(self):
        return Unit.objects.select_related("org").order_by("org__path", "name", "id")

    def create(self, request):
        data = self.validated(s.UnitSerializer)
        with transaction.atomic():
            unit = self.read_back(services.unit_create(actor=request.user, **data))
        return self.respond(unit, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        unit = self.get_object()
        data = self.validated(s.UnitUpdateSerializer, instance=unit, partial=True)
        with transaction.atomic():
            unit = self.read_back(services.unit_update(actor=request.user, unit=unit,
                                                       expected_version=self.expected_version(), **data))
        return self.respond(unit)

    @extend_schema(summary=_("单位迁出/注销"), operation_id="cobuilding_units_close", request=s.CloseSerializer,
                   responses=s.UnitSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = self.validated(s.CloseSerializer)
        with transaction.atomic():
            unit = self.read_back(services.unit_close(actor=request.user, unit=self.get_object(), on=data.get("on")))
        return self.respond(unit)


@extend_schema_view(
    list=extend_schema(summary=_("党建指导员列表")), retrieve=extend_schema(summary=_("党建指导员详情")),
    create=extend_schema(summary=_("登记党建指导员")),
)
class InstructorViewSet(_ReadViewSet):
    serializer_class = s.InstructorSerializer
    filterset_class = InstructorFilter

    def base_queryset(self):
        return (PartyInstructor.objects.select_related("org", "member", "person")
                .prefetch_related("assignments__unit").order_by("org__path", "id"))

    def create(self, request):
        data = self.validated(s.InstructorSerializer)
        with transaction.atomic():
            instructor = self.read_back(services.instructor_create(actor=request.user, **data))
        return self.respond(instructor, status.HTTP_201_CREATED)

    @extend_schema(summary=_("派驻到单位"), operation_id="cobuilding_instructors_assign", request=s.AssignSerializer,
                   responses=s.InstructorSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = self.validated(s.AssignSerializer)
        with transaction.atomic():
            services.instructor_assign(actor=request.user, instructor=self.get_object(), **data)
        return self.respond(self.get_object())


@extend_schema_view(retrieve=extend_schema(summary=_("指导员派驻详情")))
class AssignmentViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """An instructor's assignment, seen from the unit's side and the sending side."""

    serializer_class = s.AssignmentSerializer

    def base_queryset(self):
        return InstructorAssignment.objects.select_related("unit").order_by("id")

    @extend_schema(summary=_("填写指导员考评"), operation_id="cobuilding_assignments_review",
                   request=s.InstructorReviewSerializer, responses=s.InstructorReviewSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        data = self.validated(s.InstructorReviewSerializer)
        review = services.instructor_review(actor=request.user, assignment=self.get_object(), **data)
        return Response(s.InstructorReviewSerializer(review).data)


@extend_schema_view(
    list=extend_schema(summary=_("共建协议列表")), retrieve=extend_schema(summary=_("共建协议详情")),
    create=extend_schema(summary=_("新建共建协议")),
)
class AgreementViewSet(_ReadViewSet):
    serializer_class = s.AgreementSerializer
    filterset_class = AgreementFilter

    def base_queryset(self):
        return (Agreement.objects.select_related("org").prefetch_related("parties__unit", "commitments")
                .order_by("-start_on", "id"))

    def create(self, request):
        data = self.validated(s.AgreementSerializer)
        parties = [(p["unit"], p.get("role") or "partner") for p in data.pop("parties")]
        commitments = [(c.get("unit"), c["text"]) for c in data.pop("commitments", [])]
        with transaction.atomic():
            agreement = self.read_back(services.agreement_create(actor=request.user, parties=parties,
                                                                 commitments=commitments, **data))
        return self.respond(agreement, status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("党建联盟列表")), retrieve=extend_schema(summary=_("党建联盟详情")),
    create=extend_schema(summary=_("新建党建联盟")),
)
class AllianceViewSet(_ReadViewSet):
    serializer_class = s.AllianceSerializer
    filterset_class = AllianceFilter

    def base_queryset(self):
        return Alliance.objects.select_related("lead_org").prefetch_related("members").order_by("-founded_on", "id")

    def create(self, request):
        data = self.validated(s.AllianceSerializer)
        user = request.user
        orgs = list(Org.objects.visible_to(user, "view").filter(pk__in=data.pop("member_orgs", [])))
        units = list(Unit.objects.visible_to(user, "view").filter(pk__in=data.pop("member_units", [])))
        with transaction.atomic():
            alliance = self.read_back(services.alliance_create(actor=user, member_orgs=orgs, member_units=units,
                                                               **data))
        return self.respond(alliance, status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("单位报到列表")), retrieve=extend_schema(summary=_("单位报到详情")),
    create=extend_schema(summary=_("登记单位到社区报到")),
)
class UnitReportViewSet(_ReadViewSet):
    serializer_class = s.UnitReportSerializer
    filterset_class = UnitReportFilter

    def base_queryset(self):
        return UnitReport.objects.select_related("unit", "community").order_by("-registered_at", "id")

    def create(self, request):
        data = self.validated(s.UnitReportSerializer)
        with transaction.atomic():
            report = self.read_back(services.unit_report_register(actor=request.user, **data))
        return self.respond(report, status.HTTP_201_CREATED)

    def _decide(self, request, **kwargs):
        with transaction.atomic():
            report = self.read_back(services.unit_report_decide(actor=request.user, report=self.get_object(),
                                                                **kwargs))
        return self.respond(report)

    @extend_schema(summary=_("接收报到"), operation_id="cobuilding_unit_reports_accept", request=None,
                   responses=s.UnitReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide(request)

    @extend_schema(summary=_("不予接收报到"), operation_id="cobuilding_unit_reports_decline", request=None,
                   responses=s.UnitReportSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(request, accept=False)

    @extend_schema(summary=_("结束报到"), operation_id="cobuilding_unit_reports_end", request=None,
                   responses=s.UnitReportSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        with transaction.atomic():
            report = self.read_back(services.unit_report_end(actor=request.user, report=self.get_object()))
        return self.respond(report)


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


class CoverageView(APIView):
    error_codes = ("404",)  # a root outside the caller's scope

    @extend_schema(summary=_("驻区单位党组织覆盖情况"), operation_id="cobuilding_coverage",
                   parameters=[OpenApiParameter("root", ID_SCHEMA,
                                                description=_("只统计该党组织及下级（默认：全部管辖范围）"))],
                   responses=s.UnitCoverageSerializer)
    def get(self, request):
        from rest_framework.exceptions import ValidationError

        root = None
        value = request.query_params.get("root")
        if value not in (None, ""):
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise ValidationError({"root": [_("请输入整数。")]}) from None
            if not 1 <= number <= ID_SCHEMA["maximum"]:
                raise ValidationError({"root": [_("应在 %(low)s 到 %(high)s 之间。") % {
                    "low": 1, "high": ID_SCHEMA["maximum"]}]})
            root = get_visible_or_404(Org.objects, request.user, "view", pk=number)
        return Response(s.UnitCoverageSerializer(selectors.coverage_summary(request.user, root)).data)
