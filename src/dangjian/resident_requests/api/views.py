"""The requests API: requests in the caller's subtree (list, detail, 全程代办 create, every
step as an action), their timeline, categories and dispatch units. Writes call
`resident_requests.services` and read the result back through the scoped queryset."""

import django_filters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.core.api.views import ScopedViewSet
from dangjian.core.filters import ID_LIMITS, IdFilter
from dangjian.orgs.models import Area

from .. import access, selectors, services
from ..filters import RequestFilter
from ..models import Category, Request
from . import serializers as s


class RequestApiFilter(RequestFilter):
    """The page's filter with the category named by id: an unknown id matches nothing."""

    category = IdFilter(label=_("类别"), field_name="category_id")


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.all()
    serializer_class = s.RequestCategorySerializer
    pagination_class = None
    lookup_value_regex = "[^/]+"


class UnitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.RequestUnitSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.unit_picker_queryset(self.request.user).select_related("org").order_by("org__path", "name")


def _step(name, service, serializer=s.RequestStepSerializer, summary=""):
    def run(self, request, pk=None):
        obj = self.get_object()
        if not access.can(request.user, obj.org):
            raise PermissionDenied(_("您无权办理该诉求。"))
        data = self.validated(serializer)
        with transaction.atomic():
            result = service(actor=request.user, request=obj, **data)
        return self.respond(self.read_back(result))

    run.__name__ = name
    return extend_schema(summary=summary, request=serializer, responses=s.ResidentRequestSerializer,
                         operation_id=f"requests_{name}")(run)


@extend_schema_view(list=extend_schema(summary=_("居民诉求列表")), retrieve=extend_schema(summary=_("居民诉求详情")),
                    create=extend_schema(summary=_("代居民登记诉求（全程代办）"), request=s.ResidentRequestCreateSerializer,
                                         responses={201: s.ResidentRequestSerializer}))
class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = s.ResidentRequestSerializer
    filterset_class = RequestApiFilter

    def base_queryset(self):
        return Request.objects.select_related("category", "org", "unit").order_by("-submitted_at", "-id")

    def create(self, request):
        data = self.validated(s.ResidentRequestCreateSerializer)
        category = Category.objects.filter(pk=data.pop("category")).first()
        area = Area.objects.filter(pk=data.pop("area")).first()
        if category is None:
            raise ValidationError({"category": _("未知的诉求类别。")})
        if area is None:
            raise ValidationError({"area": _("所选地点不在任何服务区域内。")})
        if not access.paths(request.user, access.HANDLE):
            raise PermissionDenied(_("您无权登记居民诉求。"))
        with transaction.atomic():
            obj = self.read_back(services.request_submit(actor=request.user, category=category, area=area, **data))
        return self.respond(obj, status.HTTP_201_CREATED)

    @extend_schema(summary=_("办理经过"), responses=s.RequestEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        obj = self.get_object()
        return Response(s.RequestEventSerializer(obj.events.all(), many=True).data)

    accept = action(detail=True, methods=["post"])(_step("accept", services.request_accept, summary=_("受理")))
    dispatch_to = action(detail=True, methods=["post"], url_path="dispatch")(
        _step("dispatch_to", services.request_dispatch, s.RequestDispatchSerializer, summary=_("派单")))
    unit_accept = action(detail=True, methods=["post"], url_path="unit-accept")(
        _step("unit_accept", services.request_unit_accept, summary=_("承办单位接单")))
    need_info = action(detail=True, methods=["post"], url_path="need-info")(
        _step("need_info", services.request_unit_need_info, s.RequestQuestionSerializer, summary=_("请居民补充信息")))
    hand_back = action(detail=True, methods=["post"], url_path="hand-back")(
        _step("hand_back", services.request_unit_hand_back, s.RequestReasonSerializer, summary=_("退回首办责任人")))
    resolve = action(detail=True, methods=["post"])(
        _step("resolve", services.request_resolve, s.RequestResolveSerializer, summary=_("办结")))
    comment = action(detail=True, methods=["post"])(
        _step("comment", services.request_comment, s.RequestNoteSerializer, summary=_("督办意见")))
    reassign = action(detail=True, methods=["post"])(
        _step("reassign", services.request_reassign, s.RequestReassignSerializer, summary=_("改派")))
    extend = action(detail=True, methods=["post"])(
        _step("extend", services.request_extend, s.RequestExtendSerializer, summary=_("延期")))
    visit = action(detail=True, methods=["post"])(
        _step("visit", services.request_visit, s.RequestNoteSerializer, summary=_("回访")))


ID_SCHEMA = {"type": "integer", "minimum": ID_LIMITS["min_value"], "maximum": ID_LIMITS["max_value"]}
ROW_KEYS = ("category", "grid", "label", "received", "solved", "on_time", "overdue", "reopened", "rated", "satisfied",
            "due", "on_time_rate", "solved_rate", "reopen_rate", "satisfaction", "average_rating")


def _row(row):
    return {key: row[key] for key in ROW_KEYS if key in row}


class RequestFiguresView(APIView):
    """The figures of the caller's scope, or of the subtree of `within`, for a period."""

    error_codes = ("404",)  # `within` outside the caller's scope, or naming nothing

    @extend_schema(
        summary=_("居民诉求统计"), operation_id="requests_figures", responses=s.RequestFiguresSerializer,
        parameters=[OpenApiParameter("within", ID_SCHEMA, description=_("所属组织（含下级）")),
                    OpenApiParameter("start", OpenApiTypes.DATE, description=_("提交日期从")),
                    OpenApiParameter("end", OpenApiTypes.DATE, description=_("提交日期到"))],
        description=_("收到、已解决、按时办结、超期、重新办理、满意率：合计、按类别、按网格。"))
    def get(self, request):
        import datetime

        from rest_framework.exceptions import NotFound
        from rest_framework.exceptions import ValidationError as BadRequest

        from dangjian.orgs.models import Org

        errors, values = {}, {}
        for name in ("start", "end"):
            text = request.query_params.get(name)
            try:
                values[name] = datetime.date.fromisoformat(text) if text else None
            except ValueError:
                errors[name] = [str(_("请输入有效的日期。"))]
        within = request.query_params.get("within")
        root = None
        if within:
            if not within.isdigit() or not ID_LIMITS["min_value"] <= int(within) <= ID_LIMITS["max_value"]:
                errors["within"] = [str(_("请输入有效的组织id。"))]
            else:
                root = Org.objects.filter(pk=int(within)).first()
                if root is None or not access.can(request.user, root, "view"):
                    raise NotFound()
        if errors:
            raise BadRequest(errors)
        data = selectors.figures(request.user, root, start=values["start"], end=values["end"])
        return Response({"total": _row(data["total"]), "by_category": [_row(r) for r in data["by_category"]],
                         "by_grid": [_row(r) for r in data["by_grid"]]})
