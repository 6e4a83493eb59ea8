"""The responsibilities API. Reads start from `visible_to(request.user)`; writes call
`dangjian.responsibilities.services` and read the result back inside the transaction."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from dangjian.core.api.views import ScopedViewSet

from .. import services
from ..filters import ContactPointFilter, ContactVisitFilter, DocumentFilter, ResponsibilityFilter
from ..models import (
    ContactPoint,
    ContactVisit,
    LeaderDutyItem,
    LeaderDutyRecord,
    Responsibility,
    ResponsibilityDocument,
)
from . import serializers as s


@extend_schema_view(
    list=extend_schema(summary=_("一岗双责列表")), retrieve=extend_schema(summary=_("一岗双责详情")),
    create=extend_schema(summary=_("登记责任人")), partial_update=extend_schema(summary=_("修改责任人")),
    destroy=extend_schema(summary=_("删除责任人记录")),
)
class ResponsibilityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.ResponsibilitySerializer
    filterset_class = ResponsibilityFilter

    def base_queryset(self):
        return Responsibility.objects.select_related("org", "member", "person").order_by("org__path", "level", "id")

    def create(self, request):
        data = self.validated(s.ResponsibilitySerializer)
        with transaction.atomic():
            row = self.read_back(services.responsibility_create(actor=request.user, **data))
        return self.respond(row, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        row = self.get_object()
        data = self.validated(s.ResponsibilityUpdateSerializer, instance=row, partial=True)
        with transaction.atomic():
            row = self.read_back(services.responsibility_update(
                actor=request.user, responsibility=row, expected_version=self.expected_version(), **data))
        return self.respond(row)

    def destroy(self, request, pk=None):
        row = self.get_object()
        services.responsibility_delete(actor=request.user, responsibility=row)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(summary=_("责任书与公开承诺列表")),
                    retrieve=extend_schema(summary=_("责任书与公开承诺详情")))
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.DocumentSerializer
    filterset_class = DocumentFilter

    def base_queryset(self):
        return ResponsibilityDocument.objects.select_related("org", "member", "person").order_by("-signed_on", "id")


@extend_schema_view(list=extend_schema(summary=_("“八个一”事项")), retrieve=extend_schema(summary=_("“八个一”事项详情")))
class DutyItemViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = LeaderDutyItem.objects.all()
    serializer_class = s.DutyItemSerializer
    pagination_class = None
    lookup_value_regex = "[^/]+"


@extend_schema_view(list=extend_schema(summary=_("“八个一”落实记录")), retrieve=extend_schema(summary=_("落实记录详情")),
                    create=extend_schema(summary=_("登记落实情况")))
class DutyRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.DutyRecordSerializer

    def base_queryset(self):
        return LeaderDutyRecord.objects.select_related("member", "person").order_by("-done_on", "id")

    def create(self, request):
        data = self.validated(s.DutyRecordSerializer)
        with transaction.atomic():
            row = self.read_back(services.duty_record_create(actor=request.user, **data))
        return self.respond(row, status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary=_("党建工作联系点列表")), retrieve=extend_schema(summary=_("联系点详情")),
                    create=extend_schema(summary=_("设立联系点")))
class ContactPointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.ContactPointSerializer
    filterset_class = ContactPointFilter

    def base_queryset(self):
        return ContactPoint.objects.select_related("point_org", "member", "person").order_by("org__path", "id")

    def create(self, request):
        data = self.validated(s.ContactPointSerializer)
        with transaction.atomic():
            row = self.read_back(services.contact_point_create(actor=request.user, **data))
        return self.respond(row, status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary=_("联系点走访列表")), retrieve=extend_schema(summary=_("走访详情")),
                    create=extend_schema(summary=_("记录走访")))
class ContactVisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.ContactVisitSerializer
    filterset_class = ContactVisitFilter

    def base_queryset(self):
        return ContactVisit.objects.order_by("-visited_on", "-id")

    def create(self, request):
        data = self.validated(s.ContactVisitSerializer)
        with transaction.atomic():
            row = self.read_back(services.visit_record(actor=request.user, **data))
        return self.respond(row, status.HTTP_201_CREATED)
