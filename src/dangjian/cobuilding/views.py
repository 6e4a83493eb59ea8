"""Co-building pages: the coverage figures, units, unit reports, agreements, alliances and
党建指导员. Every page is a scoped generic view; every write goes through a service."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.page_filters import PageFilterMixin
from dangjian.core.generic_views import ObjectActionView, ObjectDetailView, ObjectEditView, ObjectListView
from dangjian.core.scope import get_visible_or_404, scope_paths, user_can
from dangjian.orgs.models import Area, Org

from . import selectors, services
from .filters import AgreementFilter, AllianceFilter, InstructorFilter, UnitFilter, UnitReportFilter


class UnitPageFilter(PageFilterMixin, UnitFilter):
    pass


class UnitReportPageFilter(PageFilterMixin, UnitReportFilter):
    pass


class AgreementPageFilter(PageFilterMixin, AgreementFilter):
    pass


class AlliancePageFilter(PageFilterMixin, AllianceFilter):
    pass


class InstructorPageFilter(PageFilterMixin, InstructorFilter):
    pass
from .forms import (
    AgreementForm,
    AllianceForm,
    AssignForm,
    InstructorForm,
    ReviewForm,
    UnitCloseForm,
    UnitForm,
    UnitReportForm,
)
from .models import (
    Agreement,
    Alliance,
    Coverage,
    InstructorAssignment,
    PartyInstructor,
    ReportStatus,
    Unit,
    UnitReport,
)
from .tables import AgreementTable, AllianceTable, InstructorTable, UnitReportTable, UnitTable


def _can_change_somewhere(user):
    return bool(scope_paths(user, "change"))


@login_required
def coverage(request):
    """有效覆盖: units by type × coverage for the user's scope (or `?root=<org>`), each
    figure linking to its rows, and the uncovered units' list one click away."""
    root = None
    if request.GET.get("root"):
        root = get_visible_or_404(Org.objects, request.user, "view", pk=request.GET["root"])
    summary = selectors.coverage_summary(request.user, root)
    return render(request, "cobuilding/coverage.html", {
        "summary": summary, "root": root, "coverages": Coverage.choices,
        "can_change": _can_change_somewhere(request.user),
    })


# Units ---------------------------------------------------------------------------------

class UnitListView(ObjectListView):
    queryset = Unit.objects.select_related("org", "covering_org")
    filterset_class = UnitPageFilter
    filter_defaults = {"closed": "false"}
    filter_fields = ("q", "kind", "coverage", "within", "closed")
    table_class = UnitTable
    template_name = "cobuilding/unit_list.html"

    def get_extra_context(self, table, filterset):
        from dangjian.core.spreadsheets.importer import may_import

        return {"can_change": _can_change_somewhere(self.request.user),
                "can_export": bool(scope_paths(self.request.user, "export")),
                "can_import": may_import(self.request.user)}


class UnitDetailView(ObjectDetailView):
    queryset = Unit.objects.select_related("org", "area", "covering_org")
    template_name = "cobuilding/unit_detail.html"
    context_object_name = "unit"

    def get_extra_context(self):
        user, unit = self.request.user, self.object
        can_change = user_can(user, "change", unit.org) and not unit.closed_on
        reports = list(UnitReport.objects.filter(unit=unit).select_related("community").order_by("-registered_at"))
        open_report = next((r for r in reports if r.status in (ReportStatus.PENDING, ReportStatus.ACCEPTED)), None)
        if open_report is not None:
            open_report.can_decide = user_can(user, "change", open_report.community)
        may_report = not unit.closed_on and open_report is None and any(
            user_can(user, "change", o) for o in (unit.org, unit.covering_org) if o is not None)
        return {
            "can_change": can_change,
            "reports": reports,
            "open_report": open_report,
            "report_form": UnitReportForm(user=user) if may_report else None,
            "assignments": InstructorAssignment.objects.filter(unit=unit).select_related(
                "instructor__member", "instructor__person"),
            "agreements": Agreement.objects.visible_to(user).filter(parties__unit=unit).distinct(),
        }


class UnitEditBase(ObjectEditView):
    queryset = Unit.objects.all()
    form_class = UnitForm
    template_name = "cobuilding/form.html"
    error_aliases = {"area_id": "area", "covering_org_id": "covering_org"}

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_success_url(self, unit):
        return reverse("cobuilding:unit_detail", args=[unit.pk])


class UnitCreateView(UnitEditBase):
    """A new unit; `?area=<id>` fills in the area (one the user sees, else 404)."""

    service = services.unit_create
    object_required = False
    title = gettext_lazy("登记驻区单位")

    def get_object(self):
        if not self.request.GET.get("area"):
            return None
        return get_visible_or_404(Area.objects, self.request.user, "view", pk=self.request.GET["area"])

    def check_permission(self, obj):
        if not _can_change_somewhere(self.request.user):
            raise PermissionDenied(self.permission_message)

    def get_initial(self):
        return {"area": self.object.pk if self.object else None}

    def get_cancel_url(self):
        return reverse("cobuilding:unit_list")

    def get_success_message(self, unit):
        return _("已登记驻区单位“%(name)s”。") % {"name": unit.name}


class UnitEditView(UnitEditBase):
    service = services.unit_update
    title = gettext_lazy("修改驻区单位信息")

    def get_initial(self):
        return UnitForm.initial_for(self.object)

    def service_kwargs(self, form):
        return {"unit": self.object, **form.cleaned_data}


class UnitCloseView(UnitEditBase):
    form_class = UnitCloseForm
    service = services.unit_close
    title = gettext_lazy("单位迁出/注销")
    submit = gettext_lazy("确认迁出/注销")
    danger = True
    success_message = gettext_lazy("已登记迁出/注销。")

    def get_form_kwargs(self):
        return {}

    def service_kwargs(self, form):
        return {"unit": self.object, "on": form.cleaned_data["on"]}


class UnitReportRegisterView(ObjectActionView):
    """The unit's side (its local or covering organisation) registers its report to a community."""

    queryset = Unit.objects.select_related("org", "covering_org")
    form_class = UnitReportForm
    service = services.unit_report_register
    success_message = gettext_lazy("已登记报到，待社区接收。")

    def check_permission(self, obj):
        if not any(user_can(self.request.user, "change", o) for o in (obj.org, obj.covering_org) if o is not None):
            raise PermissionDenied(self.permission_message)

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def service_kwargs(self, form):
        return {"unit": self.object, **form.cleaned_data}


class ReportActionView(ObjectActionView):
    queryset = UnitReport.objects.select_related("unit", "community")

    def permission_org(self, obj):
        return obj.community

    def service_kwargs(self, form):
        return {"report": self.object}

    def get_object_url(self):
        return reverse("cobuilding:report_list")


class ReportAcceptView(ReportActionView):
    service = services.unit_report_decide
    success_message = gettext_lazy("已接收报到。")


class ReportDeclineView(ReportActionView):
    service = services.unit_report_decide
    success_message = gettext_lazy("已不予接收。")

    def service_kwargs(self, form):
        return {"report": self.object, "accept": False}


class ReportEndView(ReportActionView):
    service = services.unit_report_end
    success_message = gettext_lazy("已结束报到。")

    def check_permission(self, obj):
        unit = obj.unit
        if not any(user_can(self.request.user, "change", o) for o in (obj.community, unit.org, unit.covering_org)
                   if o is not None):
            raise PermissionDenied(self.permission_message)


class ReportListView(ObjectListView):
    queryset = UnitReport.objects.select_related("unit", "community")
    filterset_class = UnitReportPageFilter
    filter_fields = ("status", "within")
    table_class = UnitReportTable
    template_name = "cobuilding/report_list.html"

    def get_extra_context(self, table, filterset):
        user = self.request.user
        pending = [r for r in table.page.object_list if r.status == ReportStatus.PENDING
                   and user_can(user, "change", r.community)] if table.page else []
        return {"pending": pending}


# Agreements and alliances --------------------------------------------------------------

class AgreementListView(ObjectListView):
    queryset = Agreement.objects.select_related("org")
    filterset_class = AgreementPageFilter
    filter_fields = ("kind", "within")
    table_class = AgreementTable
    template_name = "cobuilding/agreement_list.html"

    def get_queryset(self):
        from django.db.models import Count

        return super().get_queryset().annotate(n_parties=Count("parties")).order_by("-start_on", "pk")

    def get_extra_context(self, table, filterset):
        return {"can_change": _can_change_somewhere(self.request.user),
                "can_export": bool(scope_paths(self.request.user, "export"))}


class AgreementDetailView(ObjectDetailView):
    queryset = Agreement.objects.select_related("org")
    template_name = "cobuilding/agreement_detail.html"
    context_object_name = "agreement"

    def get_extra_context(self):
        agreement = self.object
        return {"parties": agreement.parties.select_related("unit"),
                "org_commitments": [c for c in agreement.commitments.select_related("unit") if c.unit_id is None],
                "unit_commitments": [c for c in agreement.commitments.select_related("unit") if c.unit_id]}


@login_required
def agreement_file(request, pk):
    """The signed copy, to those who may see the agreement (404 for anyone else)."""
    agreement = get_visible_or_404(Agreement.objects, request.user, "view", pk=pk)
    if not agreement.signed_file:
        raise Http404
    suffix = "." + agreement.signed_file.name.rsplit(".", 1)[-1] if "." in agreement.signed_file.name else ""
    response = FileResponse(agreement.signed_file.open("rb"), as_attachment=True,
                            filename=f"{agreement.title}{suffix}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


class CreateView(ObjectEditView):
    object_required = False
    template_name = "cobuilding/form.html"

    def check_permission(self, obj):
        if not _can_change_somewhere(self.request.user):
            raise PermissionDenied(self.permission_message)

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def service_kwargs(self, form):
        return form.service_fields()


class AgreementCreateView(CreateView):
    form_class = AgreementForm
    service = services.agreement_create
    title = gettext_lazy("新建共建协议")
    multipart = True

    def get_cancel_url(self):
        return reverse("cobuilding:agreement_list")

    def get_success_url(self, agreement):
        return reverse("cobuilding:agreement_detail", args=[agreement.pk])


class AllianceListView(ObjectListView):
    queryset = Alliance.objects.select_related("lead_org")
    filterset_class = AlliancePageFilter
    filter_fields = ("kind", "within")
    table_class = AllianceTable
    template_name = "cobuilding/alliance_list.html"

    def get_queryset(self):
        from django.db.models import Count

        return super().get_queryset().annotate(n_members=Count("members")).order_by("-founded_on", "pk")

    def get_extra_context(self, table, filterset):
        return {"can_change": _can_change_somewhere(self.request.user)}


class AllianceDetailView(ObjectDetailView):
    queryset = Alliance.objects.select_related("lead_org")
    template_name = "cobuilding/alliance_detail.html"
    context_object_name = "alliance"

    def get_extra_context(self):
        return {"members": self.object.members.select_related("org", "unit")}


class AllianceCreateView(CreateView):
    form_class = AllianceForm
    service = services.alliance_create
    title = gettext_lazy("新建党建联盟")

    def get_cancel_url(self):
        return reverse("cobuilding:alliance_list")

    def get_success_url(self, alliance):
        return reverse("cobuilding:alliance_detail", args=[alliance.pk])


# 党建指导员 -----------------------------------------------------------------------------

class InstructorListView(ObjectListView):
    queryset = PartyInstructor.objects.select_related("org", "member", "person")
    filterset_class = InstructorPageFilter
    filter_fields = ("within", "active")
    table_class = InstructorTable
    template_name = "cobuilding/instructor_list.html"

    def get_queryset(self):
        from django.db.models import Count

        return super().get_queryset().annotate(units=Count("assignments")).order_by("org__path", "pk")

    def get_extra_context(self, table, filterset):
        return {"can_change": _can_change_somewhere(self.request.user)}


class InstructorDetailView(ObjectDetailView):
    queryset = PartyInstructor.objects.select_related("org", "member", "person")
    template_name = "cobuilding/instructor_detail.html"
    context_object_name = "instructor"

    def get_extra_context(self):
        user = self.request.user
        can_change = user_can(user, "change", self.object.org)
        return {"assignments": selectors.assignments_of(self.object), "can_change": can_change,
                "assign_form": AssignForm(user=user) if can_change and not self.object.ended_on else None,
                "review_form": ReviewForm()}


class InstructorCreateView(CreateView):
    form_class = InstructorForm
    service = services.instructor_create
    title = gettext_lazy("登记党建指导员")

    def service_kwargs(self, form):
        return dict(form.cleaned_data)

    def get_cancel_url(self):
        return reverse("cobuilding:instructor_list")

    def get_success_url(self, instructor):
        return reverse("cobuilding:instructor_detail", args=[instructor.pk])


class InstructorAssignView(ObjectActionView):
    queryset = PartyInstructor.objects.select_related("org")
    form_class = AssignForm
    service = services.instructor_assign
    success_message = gettext_lazy("已派驻。")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def service_kwargs(self, form):
        return {"instructor": self.object, **form.cleaned_data}


class ReviewView(ObjectActionView):
    """A period's review of an assignment: the unit's side or the sending side (or both)."""

    queryset = InstructorAssignment.objects.select_related("unit__org", "instructor__org")
    form_class = ReviewForm
    service = services.instructor_review
    success_message = gettext_lazy("已保存考评。")

    def permission_org(self, obj):
        return obj.unit.org

    def check_permission(self, obj):
        user = self.request.user
        if not (user_can(user, "change", obj.unit.org) or user_can(user, "change", obj.instructor.org)):
            raise PermissionDenied(self.permission_message)

    def service_kwargs(self, form):
        return {"assignment": self.object, **form.cleaned_data}

    def get_object_url(self):
        return reverse("cobuilding:instructor_detail", args=[self.object.instructor_id])


coverage_view = coverage
unit_list = UnitListView.as_view()
unit_detail = UnitDetailView.as_view()
unit_create = UnitCreateView.as_view()
unit_edit = UnitEditView.as_view()
unit_close = UnitCloseView.as_view()
unit_report = UnitReportRegisterView.as_view()
report_list = ReportListView.as_view()
report_accept = ReportAcceptView.as_view()
report_decline = ReportDeclineView.as_view()
report_end = ReportEndView.as_view()
agreement_list = AgreementListView.as_view()
agreement_detail = AgreementDetailView.as_view()
agreement_create = AgreementCreateView.as_view()
alliance_list = AllianceListView.as_view()
alliance_detail = AllianceDetailView.as_view()
alliance_create = AllianceCreateView.as_view()
instructor_list = InstructorListView.as_view()
instructor_detail = InstructorDetailView.as_view()
instructor_create = InstructorCreateView.as_view()
instructor_assign = InstructorAssignView.as_view()
assignment_review = ReviewView.as_view()
