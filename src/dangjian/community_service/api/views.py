"""The community_service API: reports (双报到), service items, 实绩 (attended bookings),
whistles and claims. Reads are scoped like the pages (a report is seen by the community,
the member's branch and employer); writes call the services."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action

from dangjian.core.api.views import ScopedViewSet
from dangjian.orgs.models import Member

from .. import selectors, services
from ..filters import ClaimFilter, ItemFilter, RecordFilter, ReportFilter, WhistleFilter
from ..models import Booking, Claim, MemberReport, ServiceItem, Whistle
from . import serializers as s


class ReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    pass


@extend_schema_view(list=extend_schema(summary=_("在职党员报到")), retrieve=extend_schema(summary=_("报到详情")),
                    create=extend_schema(summary=_("登记报到"), request=s.ReportCreateSerializer,
                                         responses=s.ReportSerializer))
class ReportViewSet(ReadOnly):
    serializer_class = s.ReportSerializer
    filterset_class = ReportFilter

    def base_queryset(self):
        return MemberReport.objects.select_related("member", "community").order_by("-registered_at", "-id")

    def create(self, request):
        data = self.validated(s.ReportCreateSerializer)
        member = Member.objects.visible_to(request.user, "view").filter(pk=data["member"]).first()
        community = selectors.communities().filter(pk=data["community"]).first()
        if member is None:
            raise ValidationError({"member": _("该党员不在您的管辖范围内。")})
        if community is None:
            raise ValidationError({"community": _("请选择社区党组织。")})
        with transaction.atomic():
            report = services.report_register(actor=request.user, member=member, community=community,
                                              offer=data.get("offer", ""))
            report = self.read_back(report)
        return self.respond(report, status.HTTP_201_CREATED)

    @extend_schema(summary=_("社区接收报到"), operation_id="community_reports_accept", request=None,
                   responses=s.ReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        with transaction.atomic():
            report = self.read_back(services.report_accept(actor=request.user, report=self.get_object()))
        return self.respond(report)


@extend_schema_view(list=extend_schema(summary=_("党建超市服务项目")), retrieve=extend_schema(summary=_("服务项目详情")))
class ItemViewSet(ReadOnly):
    serializer_class = s.ItemSerializer
    filterset_class = ItemFilter

    def base_queryset(self):
        return ServiceItem.objects.select_related("org").order_by("-starts_on", "-id")


@extend_schema_view(list=extend_schema(summary=_("服务实绩")), retrieve=extend_schema(summary=_("服务实绩详情")))
class RecordViewSet(ReadOnly):
    serializer_class = s.BookingSerializer
    filterset_class = RecordFilter

    def base_queryset(self):
        return Booking.objects.filter(cancelled=False).select_related("item", "member", "unit").order_by(
            "-item__starts_on", "-id")


@extend_schema_view(list=extend_schema(summary=_("吹哨报到")), retrieve=extend_schema(summary=_("吹哨详情")))
class WhistleViewSet(ReadOnly):
    serializer_class = s.WhistleSerializer
    filterset_class = WhistleFilter

    def base_queryset(self):
        return Whistle.objects.prefetch_related("calls__unit", "calls__whistle").order_by("-created_at", "-id")


@extend_schema_view(list=extend_schema(summary=_("双向认领")), retrieve=extend_schema(summary=_("认领详情")))
class ClaimViewSet(ReadOnly):
    serializer_class = s.ClaimSerializer
    filterset_class = ClaimFilter

    def base_queryset(self):
        return Claim.objects.select_related("demand", "resource").order_by("-created_at", "-id")



