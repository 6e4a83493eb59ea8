"""Pages of 一岗双责: the subtree's responsibilities with its figures, an organisation's page
(three levels, documents, contact points), a leader's page ("八个一" year, contact points
and visits), add/edit forms with pickers, and recording a visit from a phone.

Built on core.generic_views: lookups in `visible_to(user)` (404 outside), writes through
`responsibilities.services` (`change` on the organisation, 403 before the form)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from dangjian.core.generic_views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedObjectMixin,
)
from dangjian.core.page_filters import PageFilterMixin
from dangjian.core.scope import scope_paths, user_can
from dangjian.core.spreadsheets.importer import may_import
from dangjian.core.spreadsheets.views import import_page
from dangjian.orgs.models import Member, Org

from . import selectors, services
from . import spreadsheets as sheets
from .filters import ContactPointFilter, ContactVisitFilter, DocumentFilter, ResponsibilityFilter
from .forms import (
    ContactPointForm,
    DocumentForm,
    DutyItemForm,
    DutyRecordForm,
    ResponsibilityForm,
    VisitForm,
)
from .models import (
    LEVEL_ORDER,
    ContactPoint,
    ContactVisit,
    LeaderDutyItem,
    LeaderDutyRecord,
    Responsibility,
    ResponsibilityDocument,
)
from .tables import ContactPointTable, ContactVisitTable, DocumentTable, ResponsibilityTable

FORM_TEMPLATE = "responsibilities/form.html"


def _within_org(request):
    value = request.GET.get("within", "")
    if value.isdigit():
        return Org.objects.visible_to(request.user, "view").filter(pk=int(value)).first()
    return None


# Lists ------------------------------------------------------------------------------------

class ResponsibilityPageFilter(PageFilterMixin, ResponsibilityFilter):
    pass


class DocumentPageFilter(PageFilterMixin, DocumentFilter):
    pass


class ContactPointPageFilter(PageFilterMixin, ContactPointFilter):
    pass


class ContactVisitPageFilter(PageFilterMixin, ContactVisitFilter):
    pass


class ModuleListView(ObjectListView):
    template_name = "responsibilities/list.html"
    heading = ""
    tab = ""
    sheet_kind = ""

    def get_extra_context(self, table, filterset):
        user = self.request.user
        root = _within_org(self.request)
        context = {"heading": self.heading, "tab": self.tab, "within_org": root, "sheet_kind": self.sheet_kind,
                   "query_string": self.request.GET.urlencode(),
                   "can_export": bool(scope_paths(user, "export")), "can_import": may_import(user)}
        if self.tab == "index" and self.has_scope():
            context["figures"] = selectors.figures(user, root)
            context["stale_months"] = selectors.STALE_MONTHS
        return context


class IndexView(ModuleListView):
    """The subtree's responsibilities (current by default) with the module's figures."""

    queryset = Responsibility.objects.select_related("org", "member", "person").order_by("org__path", LEVEL_ORDER, "id")
    filterset_class = ResponsibilityPageFilter
    filter_fields = ("within", "level", "current", "complete")
    table_class = ResponsibilityTable
    heading = gettext_lazy("一岗双责")
    tab = "index"
    sheet_kind = "responsibilities"


class DocumentListView(ModuleListView):
    queryset = ResponsibilityDocument.objects.select_related("org", "member", "person").order_by("-signed_on", "id")
    filterset_class = DocumentPageFilter
    filter_fields = ("within", "kind", "year")
    table_class = DocumentTable
    heading = gettext_lazy("责任书与公开承诺")
    tab = "documents"


class ContactPointListView(ModuleListView):
    queryset = ContactPoint.objects.select_related("org", "point_org", "member", "person").order_by("org__path", "id")
    filterset_class = ContactPointPageFilter
    filter_fields = ("within", "stale")
    table_class = ContactPointTable
    heading = gettext_lazy("党建工作联系点")
    tab = "points"
    sheet_kind = "contact_points"


class ContactVisitListView(ModuleListView):
    queryset = ContactVisit.objects.select_related("point__point_org", "point__member", "point__person").order_by(
        "-visited_on", "-id")
    filterset_class = ContactVisitPageFilter
    filter_fields = ("within", "year", "problems")
    table_class = ContactVisitTable
    heading = gettext_lazy("联系点走访")
    tab = "visits"


# An organisation's page and what is added under it -------------------------------------------

class OrgPageView(ObjectDetailView):
    queryset = Org.objects.all()
    template_name = "responsibilities/org.html"
    context_object_name = "org"

    def get_extra_context(self):
        user = self.request.user
        return {**selectors.org_page(user, self.object), "can_change": user_can(user, "change", self.object)}


class OrgFormView(ObjectEditView):
    """A create page under an organisation (found with `view`, needs `change`)."""

    queryset = Org.objects.all()
    template_name = FORM_TEMPLATE

    def permission_org(self, org):
        return org

    def get_form_kwargs(self):
        return {"user": self.request.user, "org": self.object}

    def service_kwargs(self, form):
        return {"org": self.object, **form.cleaned_data}

    def get_cancel_url(self):
        return reverse("responsibilities:org", args=[self.object.pk])

    def get_success_url(self, result):
        return self.get_cancel_url()

    def get_intro(self):
        return self.object.name


class ResponsibilityCreateView(OrgFormView):
    form_class = ResponsibilityForm
    service = services.responsibility_create
    title = gettext_lazy("登记责任人")

    def get_initial(self):
        return {"start_on": timezone.localdate()}


class DocumentCreateView(OrgFormView):
    form_class = DocumentForm
    service = services.document_create
    title = gettext_lazy("登记责任书或公开承诺")
    multipart = True

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_initial(self):
        return {"signed_on": timezone.localdate()}

    def get_success_url(self, doc):
        return doc.get_absolute_url()


class ContactPointCreateView(OrgFormView):
    form_class = ContactPointForm
    service = services.contact_point_create
    title = gettext_lazy("设立党建工作联系点")

    def get_initial(self):
        return {"since": timezone.localdate()}

    def get_success_url(self, point):
        return point.get_absolute_url()


# Responsibilities and documents ------------------------------------------------------------------

class ResponsibilityEditView(ObjectEditView):
    queryset = Responsibility.objects.select_related("org", "member", "person")
    form_class = ResponsibilityForm
    service = services.responsibility_update
    template_name = FORM_TEMPLATE
    title = gettext_lazy("修改责任人")

    def get_form_kwargs(self):
        return {"user": self.request.user, "org": self.object.org}

    def get_initial(self):
        obj = self.object
        return {"level": obj.level, "member": obj.member_id, "portfolio": obj.portfolio, "start_on": obj.start_on,
                "end_on": obj.end_on}

    def get_form(self):
        form = super().get_form()
        if self.object.person_id:  # a non-member leader stays as they are
            form.fields["member"].required = False
        return form

    def service_kwargs(self, form):
        return {"responsibility": self.object, **form.cleaned_data}

    def get_intro(self):
        return str(self.object)


class ResponsibilityDeleteView(ObjectDeleteView):
    queryset = Responsibility.objects.select_related("org")
    service = services.responsibility_delete

    def service_kwargs(self, form):
        return {"responsibility": self.object}

    def get_success_url(self, result):
        return reverse("responsibilities:org", args=[self.object.org_id])


class DocumentDetailView(ObjectDetailView):
    queryset = ResponsibilityDocument.objects.select_related("org", "member", "person")
    template_name = "responsibilities/document.html"
    context_object_name = "doc"

    def get_extra_context(self):
        return {"can_change": user_can(self.request.user, "change", self.object.org)}


class DocumentEditView(ObjectEditView):
    queryset = ResponsibilityDocument.objects.select_related("org", "member", "person")
    form_class = DocumentForm
    service = services.document_update
    template_name = FORM_TEMPLATE
    title = gettext_lazy("修改责任书或公开承诺")
    multipart = True

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_initial(self):
        obj = self.object
        return {"kind": obj.kind, "title": obj.title, "member": obj.member_id, "counterparty": obj.counterparty,
                "signed_on": obj.signed_on, "summary": obj.summary}

    def get_form(self):
        form = super().get_form()
        if self.object.person_id:  # a non-member signer stays as they are
            form.fields["member"].required = False
        return form

    def service_kwargs(self, form):
        return {"document": self.object, **form.cleaned_data}


class DocumentDeleteView(ObjectDeleteView):
    queryset = ResponsibilityDocument.objects.select_related("org")
    service = services.document_delete

    def service_kwargs(self, form):
        return {"document": self.object}

    def get_success_url(self, result):
        return reverse("responsibilities:org", args=[self.object.org_id])


class DocumentFileView(ScopedObjectMixin, View):
    queryset = ResponsibilityDocument.objects.all()

    def get(self, request, pk):
        doc = self.object
        if not doc.file:
            raise Http404
        response = FileResponse(doc.file.open("rb"), content_type=doc.content_type or "application/octet-stream",
                                as_attachment=True, filename=doc.file_name or "file")
        response["X-Content-Type-Options"] = "nosniff"
        return response


# Leaders ----------------------------------------------------------------------------------------

class LeaderView(LoginRequiredMixin, View):
    """A leader's page: responsibilities, the "八个一" of a year, contact points and visits."""

    def get(self, request, member_id=None, person_id=None):
        leader = selectors.leader(request.user, member_id=member_id, person_id=person_id)
        if leader is None:
            raise Http404
        today = timezone.localdate()
        try:
            year = int(request.GET.get("year", today.year))
        except ValueError:
            year = today.year
        year = min(max(year, 2000), today.year + 1)
        data = selectors.leader_page(request.user, leader, year)
        orgs = {r.org for r in data["responsibilities"]} | {p.org for p in data["points"]}
        can_change = any(user_can(request.user, "change", org) for org in orgs)
        context = {"leader": leader, "is_member": isinstance(leader, Member), "year": year,
                   "years": [today.year - 1, today.year], "can_change": can_change,
                   "stale_months": selectors.STALE_MONTHS, **data}
        return render(request, "responsibilities/leader.html", context)


class MyPageView(LoginRequiredMixin, View):
    """The signed-in leader's own page (their member record), else the module's index."""

    def get(self, request):
        if getattr(request.user, "member_id", None):
            return redirect("responsibilities:leader_member", request.user.member_id)
        return redirect("responsibilities:index")


class DutyRecordCreateView(ObjectEditView):
    """Record a "八个一" fulfilment for a member leader."""

    queryset = Member.objects.select_related("org")
    view_action = "view_members"
    form_class = DutyRecordForm
    service = services.duty_record_create
    template_name = FORM_TEMPLATE
    title = gettext_lazy("登记“八个一”落实情况")
    pk_url_kwarg = "member_id"

    def check_permission(self, obj):
        if not scope_paths(self.request.user, "change"):
            raise PermissionDenied(self.permission_message)

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_initial(self):
        resp = Responsibility.objects.visible_to(self.request.user, "change").filter(member=self.object).first()
        return {"done_on": timezone.localdate(), "org": resp.org_id if resp else None}

    def service_kwargs(self, form):
        return {"member": self.object, **form.cleaned_data}

    def get_intro(self):
        return self.object.name

    def get_cancel_url(self):
        return reverse("responsibilities:leader_member", args=[self.object.pk])

    def get_success_url(self, result):
        return self.get_cancel_url()


class DutyRecordDeleteView(ObjectDeleteView):
    queryset = LeaderDutyRecord.objects.select_related("org")
    service = services.duty_record_delete

    def service_kwargs(self, form):
        return {"record": self.object}

    def get_success_url(self, result):
        return self.object.leader_url()


class DutyItemListView(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "responsibilities/duty_items.html", {
            "items": LeaderDutyItem.objects.all(), "can_configure": services.may_configure(request.user)})


class DutyItemFormView(ObjectEditView):
    """The organisation department's list of "八个一" items (no org scope: global data)."""

    queryset = LeaderDutyItem.objects.all()
    form_class = DutyItemForm
    template_name = FORM_TEMPLATE
    permission_action = None

    def scope_queryset(self, queryset, action):
        return queryset

    def check_permission(self, obj):
        if not services.may_configure(self.request.user):
            raise PermissionDenied(_("只有组织部门可以设置“八个一”事项。"))

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_cancel_url(self):
        return reverse("responsibilities:duty_items")

    def get_success_url(self, result):
        return self.get_cancel_url()


class DutyItemCreateView(DutyItemFormView):
    object_required = False
    service = services.duty_item_create
    title = gettext_lazy("新增“八个一”事项")


class DutyItemEditView(DutyItemFormView):
    service = services.duty_item_update
    title = gettext_lazy("修改“八个一”事项")

    def get_initial(self):
        obj = self.object
        return {name: getattr(obj, name) for name in ("name", "times_per_year", "description", "position", "active")}

    def service_kwargs(self, form):
        return {"item": self.object, **form.cleaned_data}


# Contact points and visits ---------------------------------------------------------------------

class ContactPointDetailView(ObjectDetailView):
    queryset = ContactPoint.objects.select_related("org", "point_org", "member", "person")
    template_name = "responsibilities/point.html"
    context_object_name = "point"

    def get_extra_context(self):
        today = timezone.localdate()
        point = self.object
        stale = selectors.stale_points(ContactPoint.objects.filter(pk=point.pk), today).exists()
        return {"visits": point.visits.select_related("recorded_by")[:100], "is_stale": stale,
                "stale_months": selectors.STALE_MONTHS,
                "can_change": user_can(self.request.user, "change", point.org)}


class ContactPointEditView(ObjectEditView):
    queryset = ContactPoint.objects.select_related("org", "point_org", "member", "person")
    form_class = ContactPointForm
    service = services.contact_point_update
    template_name = FORM_TEMPLATE
    title = gettext_lazy("修改联系点")

    def get_form_kwargs(self):
        return {"user": self.request.user, "org": self.object.org, "editing": True}

    def get_initial(self):
        obj = self.object
        return {"point_org": obj.point_org_id, "since": obj.since, "until": obj.until, "note": obj.note}

    def service_kwargs(self, form):
        return {"point": self.object, **form.cleaned_data}

    def get_intro(self):
        return str(self.object)


class ContactPointDeleteView(ObjectDeleteView):
    queryset = ContactPoint.objects.select_related("org")
    service = services.contact_point_delete

    def service_kwargs(self, form):
        return {"point": self.object}

    def get_success_url(self, result):
        return reverse("responsibilities:points")


class VisitCreateView(ObjectEditView):
    """Record a visit to a contact point: three boxes and a date, made for a phone."""

    queryset = ContactPoint.objects.select_related("org", "point_org", "member", "person")
    form_class = VisitForm
    service = services.visit_record
    template_name = FORM_TEMPLATE
    title = gettext_lazy("记录走访")
    submit = gettext_lazy("保存走访记录")
    success_message = gettext_lazy("走访记录已保存。")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_initial(self):
        return VisitForm.initial_new()

    def service_kwargs(self, form):
        return {"point": self.object, **form.cleaned_data}

    def get_intro(self):
        return str(self.object)

    def get_success_url(self, visit):
        return self.object.leader_url()


class VisitDeleteView(ObjectDeleteView):
    queryset = ContactVisit.objects.select_related("point__org")
    service = services.visit_delete

    def permission_org(self, visit):
        return visit.point.org

    def service_kwargs(self, form):
        return {"visit": self.object}

    def get_success_url(self, result):
        return reverse("responsibilities:point", args=[self.object.point_id])


class ExportView(LoginRequiredMixin, View):
    """The page's rows (its filter applied) as csv or xlsx, within the `export` scope."""

    filters = {"responsibilities": ResponsibilityFilter, "contact_points": ContactPointFilter}

    def get(self, request, kind, fmt):
        if kind not in self.filters or fmt not in ("csv", "xlsx"):
            raise Http404
        if not scope_paths(request.user, "export"):
            raise PermissionDenied(_("您无权导出。"))
        model = sheets.EXPORTS[kind][0]
        rows = model.objects.visible_to(request.user, "export")
        filterset = self.filters[kind](request.GET, queryset=rows, request=request)
        rows = filterset.qs if filterset.is_valid() else rows.none()
        body, content_type = sheets.export(kind, rows, fmt, actor=request.user)
        filename = f"{kind}-{timezone.localdate():%Y%m%d}.{fmt}"
        response = (StreamingHttpResponse(body, content_type=content_type) if fmt == "csv"
                    else HttpResponse(body, content_type=content_type))
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def import_view(request, kind):
    if kind not in ("responsibilities", "contact_points"):
        raise Http404
    return import_page(request, kind, intro=_("每行一条记录；导入要么全部成功，要么一条也不写入。"))


index = IndexView.as_view()
export = ExportView.as_view()
documents = DocumentListView.as_view()
points = ContactPointListView.as_view()
visits = ContactVisitListView.as_view()
org_page = OrgPageView.as_view()
responsibility_create = ResponsibilityCreateView.as_view()
responsibility_edit = ResponsibilityEditView.as_view()
responsibility_delete = ResponsibilityDeleteView.as_view()
document_create = DocumentCreateView.as_view()
document_detail = DocumentDetailView.as_view()
document_edit = DocumentEditView.as_view()
document_delete = DocumentDeleteView.as_view()
document_file = DocumentFileView.as_view()
leader = LeaderView.as_view()
me = MyPageView.as_view()
duty_record_create = DutyRecordCreateView.as_view()
duty_record_delete = DutyRecordDeleteView.as_view()
duty_items = DutyItemListView.as_view()
duty_item_create = DutyItemCreateView.as_view()
duty_item_edit = DutyItemEditView.as_view()
point_create = ContactPointCreateView.as_view()
point_detail = ContactPointDetailView.as_view()
point_edit = ContactPointEditView.as_view()
point_delete = ContactPointDeleteView.as_view()
visit_create = VisitCreateView.as_view()
visit_delete = VisitDeleteView.as_view()
