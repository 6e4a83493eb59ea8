"""Pages of 双报到 and the 党建超市, on the kit's scoped generic views. Reads start from
`visible_to` (404 outside); writes go through `services`, which check scope again."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.generic_views import ObjectActionView, ObjectDetailView, ObjectEditView, ObjectListView
from dangjian.core.scope import scope_paths, user_can

from . import selectors, services
from .filters import ClaimPageFilter, ItemPageFilter, RecordPageFilter, ReportPageFilter, WhistlePageFilter
from .forms import (
    AttendanceForm,
    BookForm,
    CallForm,
    ClaimForm,
    CompleteForm,
    DeclineForm,
    DemandForm,
    ItemForm,
    ReportForm,
    ResourceClaimForm,
    ResourceForm,
    ServiceForm,
    WhistleForm,
)
from .models import (
    Attendance,
    Booking,
    Claim,
    Demand,
    EntryStatus,
    MemberReport,
    ReportStatus,
    Resource,
    ServiceItem,
    Whistle,
    WhistleCall,
)
from .tables import ClaimTable, ItemTable, RecordTable, ReportTable, WhistleTable

FORM = "community_service/form.html"


class FormPage(ObjectEditView):
    """A form page of this module: the shared template, and forms that take the user (their
    pickers offer only what the user may pick)."""

    template_name = FORM

    def get_form_kwargs(self):
        return {"user": self.request.user}


class CreatePage(FormPage):
    object_required = False


@login_required
def index(request):
    user = request.user
    today = timezone.localdate()
    member_id = getattr(user, "member_id", None)
    mine = MemberReport.objects.filter(member_id=member_id).select_related("community") if member_id else []
    bookable = list(selectors.bookable_items(user, today).annotate(
        booked=Count("bookings", filter=Q(bookings__cancelled=False)))[:20])
    my_bookings = (Booking.objects.live().filter(member_id=member_id, item__starts_on__gte=today)
                   .select_related("item", "item__org")[:20]) if member_id else []
    booked_ids = {b.item_id for b in my_bookings}
    return render(request, "community_service/index.html", {
        # Figures are for those who keep a subtree (a member's own account sees only their own).
        "figures": selectors.figures(user) if scope_paths(user, "view_members") else None, "mine": mine,
        "active_report": any(r.status in ("pending", "accepted") for r in mine),
        "bookable": bookable, "my_bookings": my_bookings,
        "booked_ids": booked_ids, "today": today, "can_change": bool(scope_paths(user, "change")),
        "can_export": bool(scope_paths(user, "export")),
    })


# 在职党员报到 --------------------------------------------------------------------------

class ReportListView(ObjectListView):
    # Prefetched, not joined: the scope filter then runs on the reports alone, and
    # PostgreSQL does not hash-join the whole member table for a page of 50 (nantong: a
    # community secretary's page 1.2 s -> see the report's figures).
    queryset = MemberReport.objects.prefetch_related("member__org", "member__employer_org", "community")
    filterset_class = ReportPageFilter
    filter_fields = ("within", "status")
    table_class = ReportTable
    template_name = "community_service/list.html"

    def get_table_kwargs(self):
        return {}

    def get_extra_context(self, table, filterset):
        for row in table.page.object_list:
            row.full_view = selectors.may_see_record(self.request.user, row.member)
        return {"title": _("在职党员报到"), "create_url": reverse("community_service:report_create"),
                "create_label": _("登记报到")}


class ReportCreateView(CreatePage):
    queryset = MemberReport.objects.all()
    form_class = ReportForm
    service = services.report_register
    title = gettext_lazy("到居住地社区报到")
    submit = gettext_lazy("提交报到")
    success_message = gettext_lazy("已提交，等待社区接收。")

    def service_kwargs(self, form):
        data = dict(form.cleaned_data)
        if data.get("member") is None:
            data["member"] = getattr(self.request.user, "member", None)
        return data

    def get_cancel_url(self):
        return reverse("community_service:index")

    def get_success_url(self, result):
        return result.get_absolute_url()


class ReportDetailView(ObjectDetailView):
    queryset = MemberReport.objects.select_related("member", "member__org", "community")
    template_name = "community_service/report_detail.html"
    context_object_name = "report"

    def get_extra_context(self):
        report, user = self.object, self.request.user
        service = (Booking.objects.attended().filter(member=report.member, item__org__path__in=[
            report.community.path[:i] for i in range(4, len(report.community.path) + 1, 4)])
            .select_related("item").order_by("-item__starts_on")[:50])
        return {
            "full_view": selectors.may_see_record(user, report.member),
            "can_decide": report.status == ReportStatus.PENDING and user_can(user, "change", report.community),
            "can_end": report.status in (ReportStatus.PENDING, ReportStatus.ACCEPTED) and (
                user_can(user, "change", report.community) or getattr(user, "member_id", None) == report.member_id
                or user_can(user, "change", report.member.org)),
            "service": service, "decline_form": DeclineForm(),
        }


class ReportAction(ObjectActionView):
    queryset = MemberReport.objects.select_related("community", "member")

    def permission_org(self, obj):
        return obj.community


class ReportAcceptView(ReportAction):
    service = services.report_accept
    success_message = gettext_lazy("已接收报到。")

    def service_kwargs(self, form):
        return {"report": self.object}


class ReportDeclineView(ReportAction):
    form_class = DeclineForm
    service = services.report_decline
    success_message = gettext_lazy("已退回报到。")

    def service_kwargs(self, form):
        return {"report": self.object, "note": form.cleaned_data["note"]}


class ReportEndView(ReportAction):
    permission_action = None  # the member, the branch or the community: the service decides
    service = services.report_end
    success_message = gettext_lazy("报到已结束。")

    def service_kwargs(self, form):
        return {"report": self.object}


# 党建超市: items ---------------------------------------------------------------------------

class ItemListView(ObjectListView):
    queryset = ServiceItem.objects.select_related("org").annotate(
        booked=Count("bookings", filter=Q(bookings__cancelled=False))).order_by("-starts_on", "-id")
    filterset_class = ItemPageFilter
    filter_fields = ("within", "kind")
    table_class = ItemTable
    template_name = "community_service/list.html"

    def get_extra_context(self, table, filterset):
        return {"title": _("党建超市服务项目"), "create_url": reverse("community_service:item_create"),
                "create_label": _("发布服务项目"), "can_create": bool(scope_paths(self.request.user, "change"))}


class ItemCreateView(CreatePage):
    queryset = ServiceItem.objects.all()
    form_class = ItemForm
    service = services.item_create
    title = gettext_lazy("发布服务项目")
    submit = gettext_lazy("发布")
    success_message = gettext_lazy("服务项目已发布。")

    def get_initial(self):
        return {"starts_on": timezone.localdate()}

    def get_cancel_url(self):
        return reverse("community_service:item_list")


class ItemDetailView(ObjectDetailView):
    queryset = ServiceItem.objects.select_related("org")
    template_name = "community_service/item_detail.html"
    context_object_name = "item"

    def get_extra_context(self):
        item, user = self.object, self.request.user
        organiser = user_can(user, "change", item.org)
        bookings = list(item.bookings.live().select_related("member", "unit").order_by("booked_at", "id"))
        return {"bookings": bookings, "organiser": organiser, "book_form": BookForm(user=user) if organiser else None,
                "free": max(0, item.capacity - len(bookings)), "attendance_choices": Attendance.choices[1:],
                "may_record": organiser and item.starts_on <= timezone.localdate()}


class ItemBookView(ObjectActionView):
    """Book: the member for themselves (from the overview page), or the organiser for a
    member or a unit. The member finds items through their accepted report, not scope."""

    queryset = ServiceItem.objects.select_related("org")
    permission_action = None  # the service decides (the member, the branch, the organiser)
    service = services.booking_create
    success_message = gettext_lazy("已预约。")

    def scope_queryset(self, queryset, action):
        user = self.request.user
        bookable = selectors.bookable_items(user, timezone.localdate()).values("pk")
        return queryset.filter(Q(pk__in=queryset.visible_to(user, action).values("pk")) | Q(pk__in=bookable))

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def post(self, request, *args, **kwargs):
        self.form_class = BookForm if "member_search" in request.POST or "unit_search" in request.POST else None
        return super().post(request, *args, **kwargs)

    def service_kwargs(self, form):
        if form is None:
            return {"item": self.object, "member": getattr(self.request.user, "member", None)}
        return {"item": self.object, "member": form.cleaned_data.get("member"), "unit": form.cleaned_data.get("unit")}

    def get_object_url(self):
        if user_can(self.request.user, "view", self.object.org):
            return self.object.get_absolute_url()
        return reverse("community_service:index")


class BookingAction(ObjectActionView):
    """A button on a booking (attendance, confirmation, service, cancellation): the service
    given in `as_view(service=...)` is called with the booking and the form's fields, and the
    user goes back to the item's page (or the index where that page is outside the scope)."""

    queryset = Booking.objects.select_related("item", "item__org", "member")

    def permission_org(self, obj):
        return obj.item.org

    def call_service(self, form):
        # `as_view(service=...)` sets a plain function on the instance, not a method.
        return self.service(actor=self.request.user, **self.service_kwargs(form))

    def service_kwargs(self, form):
        return {"booking": self.object, **super().service_kwargs(form)}

    def get_object_url(self):
        if user_can(self.request.user, "view", self.object.item.org):
            return self.object.item.get_absolute_url()
        return reverse("community_service:index")


# 实绩送到 ---------------------------------------------------------------------------------

class RecordListView(ObjectListView):
    """The service of members and units, for their branch, employer and Party org (and the
    organiser): descriptions of what was done, dated; no points, no ranking."""

    queryset = Booking.objects.filter(cancelled=False).select_related("item", "item__org", "member", "member__org",
                                                                     "unit")
    filterset_class = RecordPageFilter
    filter_fields = ("within", "attendance")
    filter_defaults = {"attendance": Attendance.PRESENT}
    table_class = RecordTable
    template_name = "community_service/records.html"

    def get_extra_context(self, table, filterset):
        user = self.request.user
        calls = selectors.whistle_records(user).order_by("-whistle__due_at")[:50]
        return {"title": _("服务实绩"), "calls": calls, "can_export": bool(scope_paths(user, "export")),
                "export_query": self.request.GET.urlencode()}


# 吹哨报到 ---------------------------------------------------------------------------------

class WhistleListView(ObjectListView):
    queryset = Whistle.objects.select_related("street").annotate(
        n_calls=Count("calls", distinct=True),
        n_arrived=Count("calls", filter=Q(calls__arrived_at__isnull=False), distinct=True),
        n_on_time=Count("calls", filter=Q(calls__arrived_at__lte=F("due_at")), distinct=True)).order_by(
        "-created_at", "-id")
    filterset_class = WhistlePageFilter
    filter_fields = ("within",)
    table_class = WhistleTable
    template_name = "community_service/list.html"

    def get_extra_context(self, table, filterset):
        return {"title": _("吹哨报到"), "create_url": reverse("community_service:whistle_create"),
                "create_label": _("吹哨"), "calls_url": reverse("community_service:call_list")}


class WhistleCreateView(CreatePage):
    queryset = Whistle.objects.all()
    form_class = WhistleForm
    service = services.whistle_blow
    title = gettext_lazy("街道吹哨")
    submit = gettext_lazy("吹哨")
    success_message = gettext_lazy("已吹哨，等待单位报到。")

    def service_kwargs(self, form):
        data = dict(form.cleaned_data)
        units = [data.pop(name) for name in ("unit", "unit_2", "unit_3")]
        data["units"] = [u for u in units if u is not None]
        return data

    error_aliases = {"units": "unit"}

    def get_cancel_url(self):
        return reverse("community_service:whistle_list")


class WhistleDetailView(ObjectDetailView):
    queryset = Whistle.objects.select_related("street")
    template_name = "community_service/whistle_detail.html"
    context_object_name = "whistle"

    def get_extra_context(self):
        return {"calls": self.object.calls.select_related("unit").order_by("id"), "now": timezone.now()}


class CallListView(ObjectListView):
    """The calls the user's units received (the unit's Party org answers here)."""

    queryset = WhistleCall.objects.select_related("whistle", "whistle__street", "unit")
    table_class = None
    template_name = "community_service/calls.html"

    def get(self, request, *args, **kwargs):
        calls = self.scope_queryset(self.get_queryset(), "view").order_by("-whistle__due_at", "id")[:100]
        return render(request, self.template_name, {"calls": calls, "now": timezone.now()})


class CallView(ObjectActionView):
    queryset = WhistleCall.objects.select_related("whistle", "whistle__street", "unit")
    permission_action = None  # the unit's Party org, its community or street: the service decides
    form_class = CallForm
    service = services.call_report
    success_message = gettext_lazy("已记录。")

    def service_kwargs(self, form):
        return {"call": self.object, **form.cleaned_data}

    def get_object_url(self):
        if user_can(self.request.user, "view", self.object.whistle.street):
            return self.object.whistle.get_absolute_url()
        return reverse("community_service:call_list")


# Resources, demands, claims ---------------------------------------------------------------

@login_required
def entries(request):
    user = request.user
    demands = Demand.objects.visible_to(user).select_related("community").order_by("status", "-created_at")[:100]
    resources = Resource.objects.visible_to(user).select_related("community").order_by("status", "-created_at")[:100]
    return render(request, "community_service/entries.html", {
        "demands": demands, "resources": resources, "open": EntryStatus.OPEN,
        "can_change": bool(scope_paths(user, "change"))})


class DemandCreateView(CreatePage):
    queryset = Demand.objects.all()
    form_class = DemandForm
    service = services.demand_create
    title = gettext_lazy("登记社区需求")

    def get_cancel_url(self):
        return reverse("community_service:entries")

    def get_success_url(self, result):
        return reverse("community_service:entries")


class ResourceCreateView(DemandCreateView):
    queryset = Resource.objects.all()
    form_class = ResourceForm
    service = services.resource_create
    title = gettext_lazy("登记资源")


class DemandClaimView(FormPage):
    queryset = Demand.objects.select_related("community")
    form_class = ClaimForm
    service = services.claim_demand
    title = gettext_lazy("认领需求")
    submit = gettext_lazy("认领")
    success_message = gettext_lazy("已认领，已列入社区项目清单。")

    def permission_org(self, obj):
        return obj.community

    def get_intro(self):
        return self.object.title

    def service_kwargs(self, form):
        return {"demand": self.object, **form.cleaned_data}

    def get_cancel_url(self):
        return reverse("community_service:entries")


class ResourceClaimView(DemandClaimView):
    queryset = Resource.objects.select_related("community")
    form_class = ResourceClaimForm
    service = services.claim_resource
    title = gettext_lazy("认领资源")

    def get_form_kwargs(self):
        return {}

    def service_kwargs(self, form):
        return {"resource": self.object, **form.cleaned_data}


class ClaimListView(ObjectListView):
    queryset = Claim.objects.select_related("community", "demand", "resource")
    filterset_class = ClaimPageFilter
    filter_fields = ("within", "done")
    table_class = ClaimTable
    template_name = "community_service/list.html"

    def get_extra_context(self, table, filterset):
        return {"title": _("双向认领"), "create_url": reverse("community_service:entries"),
                "create_label": _("资源与需求清单")}


class ClaimDetailView(ObjectDetailView):
    queryset = Claim.objects.select_related("community", "demand", "resource", "project", "measure", "unit")
    template_name = "community_service/claim_detail.html"
    context_object_name = "claim"

    def get_extra_context(self):
        may = not self.object.done_at and user_can(self.request.user, "change", self.object.community)
        return {"complete_form": CompleteForm() if may else None}


class ClaimCompleteView(ObjectActionView):
    queryset = Claim.objects.select_related("community")
    form_class = CompleteForm
    service = services.claim_complete
    success_message = gettext_lazy("已办结。")

    def permission_org(self, obj):
        return obj.community

    def service_kwargs(self, form):
        return {"claim": self.object, **form.cleaned_data}


index_view = index
report_list = ReportListView.as_view()
report_create = ReportCreateView.as_view()
report_detail = ReportDetailView.as_view()
report_accept = ReportAcceptView.as_view()
report_decline = ReportDeclineView.as_view()
report_end = ReportEndView.as_view()
item_list = ItemListView.as_view()
item_create = ItemCreateView.as_view()
item_detail = ItemDetailView.as_view()
item_book = ItemBookView.as_view()
# The organiser records attendance (change on the item's org); the member's own buttons
# leave the check to the service (permission_action=None).
booking_attendance = BookingAction.as_view(service=services.attendance_record, form_class=AttendanceForm,
                                           success_message=gettext_lazy("签到已记录。"))
booking_confirm = BookingAction.as_view(service=services.attendance_confirm, permission_action=None,
                                        success_message=gettext_lazy("已确认到场，谢谢参与。"))
booking_service = BookingAction.as_view(service=services.service_record, permission_action=None,
                                        form_class=ServiceForm, success_message=gettext_lazy("服务实绩已记录。"))
booking_cancel = BookingAction.as_view(service=services.booking_cancel, permission_action=None,
                                       success_message=gettext_lazy("预约已取消。"))
record_list = RecordListView.as_view()
whistle_list = WhistleListView.as_view()
whistle_create = WhistleCreateView.as_view()
whistle_detail = WhistleDetailView.as_view()
call_list = CallListView.as_view()
call_report = CallView.as_view()
demand_create = DemandCreateView.as_view()
resource_create = ResourceCreateView.as_view()
demand_claim = DemandClaimView.as_view()
resource_claim = ResourceClaimView.as_view()
claim_list = ClaimListView.as_view()
claim_detail = ClaimDetailView.as_view()
claim_complete = ClaimCompleteView.as_view()


@login_required
def export_view(request, kind, fmt):
    """Exports need the export grant (数据导入导出) somewhere; rows are read in its scope."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404, HttpResponse

    from . import spreadsheets

    if kind not in spreadsheets.KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    if not scope_paths(request.user, "export"):
        raise PermissionDenied(_("您没有导出权限。"))
    content, content_type, filename = spreadsheets.export(kind, request.user, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
