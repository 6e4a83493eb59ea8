"""Pages of lists, programmes, projects and measures; progress, acceptance, the progress
board and notifications.

Built on the kit's scoped generic views (core.generic_views) and tables (core.tables):
reads start from `visible_to(user)` (404 outside the user's subtrees); writes go through
`lists.services`. A PermissionDenied there is the 403 page; a ValidationError is shown
on the field it names.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from dangjian.core import metrics
from dangjian.core.generic_views import (
    ObjectActionView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedObjectMixin,
    StoredFileView,
)
from dangjian.core.page_filters import PageFilterMixin
from dangjian.core.scope import get_visible_or_404, scope_paths, user_can
from dangjian.core.spreadsheets.importer import may_import
from dangjian.core.spreadsheets.views import import_page
from dangjian.core.tree import in_subtree
from dangjian.orgs.models import Org

from . import spreadsheets as list_io
from . import selectors, services
from .filters import ListFilter, MeasureFilter, board_params
from .forms import (
    ListForm,
    MeasureForm,
    ProgrammeForm,
    ProjectForm,
    PublishForm,
    ReportForm,
    ReviewForm,
)
from .models import (
    Averaging,
    Evidence,
    List,
    ListKind,
    Measure,
    MeasureStatus,
    OPEN_STATUSES,
    MissingProgress,
    Notification,
    Programme,
    ProgrammeDomain,
    Project,
)
from .tables import ListTable, MeasureTable, NotificationTable


class ListPageFilter(PageFilterMixin, ListFilter):
    pass


class MeasurePageFilter(PageFilterMixin, MeasureFilter):
    pass


def _url(name, *args, **params):
    url = reverse(name, args=args)
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def _ancestors(user, org):
    scope = scope_paths(user, "view")
    paths = [org.path[: i * Org.steplen] for i in range(1, org.depth + 1)]
    paths = [p for p in paths if in_subtree(p, scope)]
    return list(Org.objects.filter(path__in=paths).order_by("path")) if paths else []


# Lists -------------------------------------------------------------------------------

class ListIndexView(ObjectListView):
    """The user's lists with their figures, and links to what needs attention."""

    queryset = List.objects.select_related("org").order_by("-period_start", "org__path", "id")
    filterset_class = ListPageFilter
    table_class = ListTable
    template_name = "lists/index.html"

    def get_extra_context(self, table, filterset):
        user = self.request.user
        return {
            "figures": selectors.overview_figures(user),
            "can_create": bool(scope_paths(user, "change")),
            "can_import": may_import(user),  # its own grant: a secretary without it is not offered a 403
            "can_board": selectors.default_root(user) is not None,  # no grant at an org (三员): no board
            "overdue_url": _url("lists:measure_list", due="overdue"),
            "soon_url": _url("lists:measure_list", due="soon"),
            "submitted_url": _url("lists:measure_list", status="submitted"),
        }


class ListFormView(ObjectEditView):
    """A form page on a list or an item of it; back to the list afterwards."""

    queryset = List.objects.select_related("org")
    template_name = "lists/form.html"
    success_message = gettext_lazy("已保存。")

    def page_list(self):
        return self.object

    def permission_org(self, obj):
        return self.page_list().org

    def get_form_kwargs(self):
        return {"user": self.request.user, "lst": self.page_list()}

    def get_intro(self):
        if self.page_list().was_published:
            return _("该清单已公示：新增和修改会记入公示页的变更记录，请填写原因。")
        return ""

    def get_cancel_url(self):
        return reverse("lists:list_detail", args=[self.page_list().pk])

    def get_success_url(self, result):
        return reverse("lists:list_detail", args=[self.page_list().pk])

    def get_extra_context(self):
        return {"lst": self.page_list()}


class ListCreateView(ListFormView):
    """A new list; `?org=<id>` fills in an org the user may change."""

    form_class = ListForm
    service = services.list_create
    title = gettext_lazy("新建清单")
    object_required = False
    success_message = gettext_lazy("清单已创建。接下来添加措施。")

    def get_object(self):
        if not scope_paths(self.request.user, "change"):  # before the lookup: 403, as for no org
            raise PermissionDenied(_("您无权新建清单。"))
        if self.request.GET.get("org"):
            return get_visible_or_404(Org.objects, self.request.user, "change", pk=self.request.GET["org"])
        return None

    def permission_org(self, org):
        return org

    def page_list(self):
        return None

    def get_initial(self):
        return ListForm.initial_new(self.request.user, self.object)

    def get_intro(self):
        return ""

    def get_cancel_url(self):
        return reverse("lists:index")

    def get_success_url(self, lst):
        return reverse("lists:list_detail", args=[lst.pk])


class ListEditView(ListFormView):
    form_class = ListForm
    service = services.list_update
    title = gettext_lazy("修改清单")

    def get_initial(self):
        return ListForm.initial_for(self.object)

    def service_kwargs(self, form):
        return {"lst": self.object, **form.cleaned_data}

    def get_intro(self):
        return _("该清单已公示：修改会记入公示页的变更记录，请填写原因。") if self.object.was_published else ""


def flatten(result, level=0, kind_of=None):
    """The roll-up tree as table rows, parents before their children."""
    rows = []
    for row in result.rows:
        obj = row.obj
        kind = type(obj).__name__.lower() if obj is not None else "row"
        rows.append({"row": row, "level": level, "kind": kind, "obj": obj,
                     "n_children": len(row.children.rows) if row.children is not None else None,
                     "value": row.value, "used_value": row.used_value,
                     "share_pct": row.share * 100 if row.share is not None else None,
                     "contribution": row.contribution, "weight": row.weight,
                     "parent_averaging": result.averaging})
        if row.children is not None:
            rows.extend(flatten(row.children, level + 1))
    return rows


def rule_text(averaging, missing):
    if averaging == Averaging.WEIGHTED:
        formula = _("加权平均：完成率 = Σ(权重 × 进度) ÷ Σ权重")
    else:
        formula = _("简单平均：完成率 = Σ进度 ÷ 项数（不看权重）")
    if missing == MissingProgress.EXCLUDE:
        missing_text = _("尚未报告进度的事项不参与平均（表中标为“不计入”）。")
    else:
        missing_text = _("尚未报告进度的事项按0%计入。")
    return formula, missing_text


class ListDetailView(ObjectDetailView):
    """The list with its roll-up: every row that counts, its weight, share and contribution."""

    queryset = List.objects.select_related("org")
    template_name = "lists/list_detail.html"
    context_object_name = "lst"

    def get_extra_context(self):
        user, lst = self.request.user, self.object
        data = selectors.list_rollup(lst)
        formula, missing_text = rule_text(lst.averaging, lst.missing_progress)
        return {
            "data": data, "rows": flatten(data.result), "formula": formula, "missing_text": missing_text,
            "can_change": user_can(user, "change", lst.org), "can_export": user_can(user, "export", lst.org),
            "revisions": lst.revisions.all()[:50], "ancestors": _ancestors(user, lst.org),
            "publish_form": PublishForm(), "today": timezone.localdate(),
            "measures_url": _url("lists:measure_list", list=lst.pk),
            "overdue_url": _url("lists:measure_list", list=lst.pk, due="overdue"),
            "accepted_url": _url("lists:measure_list", list=lst.pk, status="accepted"),
            "submitted_url": _url("lists:measure_list", list=lst.pk, status="submitted"),
        }


class ListActionView(ObjectActionView):
    queryset = List.objects.select_related("org")

    def get_object_url(self):
        return reverse("lists:list_detail", args=[self.object.pk])


class ListPublishView(ListActionView):
    """Publish, or (action=unpublish, with a reason) take the list off the public pages."""

    def call_service(self, form):
        if self.request.POST.get("action") == "unpublish":
            return services.list_unpublish(actor=self.request.user, lst=self.object,
                                           reason=self.request.POST.get("reason", ""))
        return services.list_publish(actor=self.request.user, lst=self.object)

    def get_success_message(self, result):
        if self.request.POST.get("action") == "unpublish":
            return _("已撤下公示，原因已记入变更记录。")
        return _("已公示。公示后的修改都会记入变更记录。")


class ListDeleteView(ObjectDeleteView, ListActionView):
    service = services.list_delete
    success_message = gettext_lazy("清单已删除。")

    def service_kwargs(self, form):
        return {"lst": self.object}

    def get_success_url(self, result):
        return reverse("lists:index")


class ListExportView(ScopedObjectMixin, View):
    queryset = List.objects.select_related("org")
    permission_action = "export"
    permission_message = gettext_lazy("您无权导出该清单。")

    def get(self, request, pk, fmt):
        lst = self.object
        if fmt not in ("xlsx", "csv"):
            raise Http404
        filename = f"list-{lst.pk}.{fmt}"
        if fmt == "csv":
            response = StreamingHttpResponse(list_io.export_csv([lst], actor=request.user),
                                             content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(list_io.export_xlsx([lst], actor=request.user),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


index = ListIndexView.as_view()
list_create = ListCreateView.as_view()
list_edit = ListEditView.as_view()
list_detail = ListDetailView.as_view()
list_publish = ListPublishView.as_view()
list_delete = ListDeleteView.as_view()
list_export = ListExportView.as_view()


@login_required
def list_import(request):
    """Lists with their items from xlsx/csv through the shared import page and job."""
    return import_page(request, "lists", intro=_("每行一项措施。"), help_text=list_io.IMPORT_HELP)


# Programmes, projects, measures --------------------------------------------------------

class ItemCreateView(ListFormView):
    """A programme, project or measure added to the list in the URL."""

    def service_kwargs(self, form):
        return {"lst": self.object, **form.cleaned_data}


class ItemEditView(ListFormView):
    """An item of a list, found in the user's scope; changes need `change` on its list's org."""

    def page_list(self):
        return self.object.list

    def service_kwargs(self, form):
        return {self.item_arg: self.object, **form.cleaned_data}


class ProgrammeCreateView(ItemCreateView):
    form_class = ProgrammeForm
    service = services.programme_create
    title = gettext_lazy("添加工程")


class ProgrammeEditView(ItemEditView):
    queryset = Programme.objects.select_related("list__org")
    form_class = ProgrammeForm
    service = services.programme_update
    item_arg = "programme"
    title = gettext_lazy("修改工程")

    def get_initial(self):
        p = self.object
        return {"title": p.title, "domain": p.domain_id, "org": p.org_id, "weight": p.weight,
                "description": p.description}


class ProjectCreateView(ItemCreateView):
    form_class = ProjectForm
    service = services.project_create
    title = gettext_lazy("添加项目")

    def get_initial(self):
        return {"programme": self.request.GET.get("programme"), "is_public": True}


class ProjectEditView(ItemEditView):
    queryset = Project.objects.select_related("list__org")
    form_class = ProjectForm
    service = services.project_update
    item_arg = "project"
    title = gettext_lazy("修改项目")

    def get_initial(self):
        p = self.object
        return {"title": p.title, "programme": p.programme_id, "org": p.org_id,
                "is_secretary_project": p.is_secretary_project, "weight": p.weight,
                "is_public": p.is_public, "description": p.description}


class MeasureCreateView(ItemCreateView):
    form_class = MeasureForm
    service = services.measure_create
    title = gettext_lazy("添加措施")

    def get_initial(self):
        lst = self.object
        return {"project": self.request.GET.get("project"), "org": lst.org_id, "is_public": True, "weight": 1,
                "start_on": timezone.localdate(), "deadline": lst.period_end}

    def get_success_url(self, measure):
        return reverse("lists:list_detail", args=[self.object.pk]) + f"#m{measure.pk}"


class MeasureEditView(ItemEditView):
    queryset = Measure.objects.select_related("list__org")
    form_class = MeasureForm
    service = services.measure_update
    item_arg = "measure"
    title = gettext_lazy("修改措施")

    def get_initial(self):
        return MeasureForm.initial_for(self.object)

    def get_success_url(self, result):
        return reverse("lists:measure_detail", args=[self.object.pk])


programme_create = ProgrammeCreateView.as_view()
programme_edit = ProgrammeEditView.as_view()
project_create = ProjectCreateView.as_view()
project_edit = ProjectEditView.as_view()
measure_create = MeasureCreateView.as_view()
measure_edit = MeasureEditView.as_view()


class MeasureListView(ObjectListView):
    """Measures in the user's subtrees: overdue, due soon, by status, kind or list."""

    queryset = Measure.objects.select_related("org", "list", "responsible").order_by("deadline", "id")
    filterset_class = MeasurePageFilter
    filter_fields = ("q", "status", "due", "kind", "within", "year", "domain")
    table_class = MeasureTable
    template_name = "lists/measure_list.html"

    def get_extra_context(self, table, filterset):
        within_org = None
        if filterset.form.is_valid() and filterset.form.cleaned_data.get("within"):
            within_org = Org.objects.visible_to(self.request.user).filter(
                pk=filterset.form.cleaned_data["within"]).first()
        return {"within_org": within_org}


MEASURE_DETAIL = Measure.objects.select_related("list__org", "org", "project__programme", "responsible",
                                                "accepted_by")


def _measure_context(user, measure, *, failed_report=None):
    """What the measure page shows; `failed_report` is a report form with errors to show again."""
    reviewer_org = services.reviewing_org(measure.org)
    is_owner = user_can(user, "change", measure.org)
    # The owner reports only while there is work to do: not while the level above reviews
    # it, not after acceptance.
    bound = metrics.get(measure.metric) if measure.metric else None
    can_report = is_owner and measure.status in OPEN_STATUSES and not measure.metric
    can_review = (user_can(user, "change", reviewer_org)
                  and measure.status in (MeasureStatus.SUBMITTED, MeasureStatus.IN_PROGRESS))
    if failed_report is not None:
        report_form, review_form = failed_report, None
    else:
        report_form = ReportForm(measure=measure) if can_report else None
        review_form = ReviewForm() if can_review else None
    reports = list(measure.reports.prefetch_related("evidence"))
    return {
        "measure": measure, "lst": measure.list, "reports": reports,
        "latest_report": reports[0] if reports else None, "is_owner": is_owner,
        "return_reason": measure.reviews.filter(decision="returned").values_list("reason", flat=True).first()
        if measure.status == MeasureStatus.RETURNED else None,
        "reviewer_level": reviewer_level(reviewer_org),
        "reviews": list(measure.reviews.select_related("reviewer_org")),
        "report_form": report_form, "review_form": review_form,
        "can_edit": user_can(user, "change", measure.list.org) and measure.status != MeasureStatus.ACCEPTED,
        "reviewer_org": reviewer_org, "ancestors": _ancestors(user, measure.org),
        **_bound_context(measure, bound),
    }


def _bound_context(measure, bound):
    """A measure bound to a platform metric shows where its progress comes from and links
    to the rows behind it, read now (the stored progress may lag a record by a refresh)."""
    if measure.metric and bound is None:
        return {"bound_missing": measure.metric}
    if bound is None:
        return {}
    end = min(measure.deadline, timezone.localdate())
    reading = bound.read([measure.org], measure.start_on, end)[measure.org_id] if end >= measure.start_on else None
    return {"bound": bound, "bound_reading": reading, "bound_end": end,
            "bound_rows_url": bound.rows_url(measure.org, measure.start_on, end) if bound.rows_url else ""}


def reviewer_level(org):
    """How the reviewing organisation is named in "已提交街道验收": its area's level (街道,
    社区...), else its name."""
    area = getattr(org, "area", None)
    return area.get_kind_display() if area is not None else org.name


class MeasureDetailView(ObjectDetailView):
    queryset = MEASURE_DETAIL
    template_name = "lists/measure_detail.html"
    context_object_name = "measure"

    def get_extra_context(self):
        return _measure_context(self.request.user, self.object)

    def post(self, request, *args, **kwargs):
        """The report form posts to the measure's own URL, so a failed form stays there
        (a reload shows the page again, never a 405)."""
        return measure_report(request, *args, **kwargs)


class MeasureReportView(ObjectEditView):
    """Report progress from the measure page; errors show there again (status 400)."""

    http_method_names = ["post"]
    queryset = MEASURE_DETAIL
    form_class = ReportForm
    service = services.measure_report_progress
    multipart = True
    template_name = "lists/measure_detail.html"
    success_message = gettext_lazy("进展已报告。")

    def get_form_kwargs(self):
        return {"measure": self.object}

    def service_kwargs(self, form):
        data = form.cleaned_data
        return {"measure": self.object, "percent": data.get("percent"), "value": data.get("value"),
                "note": data.get("note", ""), "files": data.get("files") or [],
                "keep_location": bool(data.get("keep_location"))}

    def get_success_message(self, report):
        """Say what happens next: at 100 % the level above accepts it."""
        measure = report.measure
        if measure.status == MeasureStatus.SUBMITTED:
            reviewer = services.reviewing_org(measure.org)
            if reviewer.pk == measure.org_id:
                return _("进展已报告，进度100%%，等待%(org)s验收。") % {"org": reviewer.name}
            return _("已提交%(level)s验收（%(org)s），验收结果会出现在您的待办中。") % {
                "level": reviewer_level(reviewer), "org": reviewer.name}
        return _("进展已报告（%(percent)s%%）。") % {"percent": format(measure.progress.normalize(), "f")}

    def get_success_url(self, result):
        return reverse("lists:measure_detail", args=[self.object.pk])

    def render_form(self, form, status=400, **extra):
        measure = MEASURE_DETAIL.get(pk=self.object.pk)
        context = {**_measure_context(self.request.user, measure, failed_report=form), **extra}
        return render(self.request, self.template_name, context, status=status)


class MeasureReviewView(ObjectActionView):
    """Accept (验收) or send back; the service checks that the user reviews for the level above."""

    queryset = Measure.objects.select_related("list", "org")
    permission_action = None
    form_class = ReviewForm
    invalid_message = gettext_lazy("请选择验收结论。")

    def call_service(self, form):
        if form.cleaned_data["decision"] == "accept":
            return services.measure_accept(actor=self.request.user, measure=self.object,
                                           note=form.cleaned_data["reason"])
        return services.measure_send_back(actor=self.request.user, measure=self.object,
                                          reason=form.cleaned_data["reason"])

    def get_success_message(self, result):
        return _("已验收。") if self.form.cleaned_data["decision"] == "accept" else _("已退回，并通知责任方。")

    def get_object_url(self):
        return reverse("lists:measure_detail", args=[self.object.pk])


class EvidenceFileView(StoredFileView):
    """An evidence file, to those who may see its measure (never a public media URL)."""

    queryset = Evidence.objects.all()


measure_list = MeasureListView.as_view()
measure_detail = MeasureDetailView.as_view()
measure_report = MeasureReportView.as_view()
measure_review = MeasureReviewView.as_view()
evidence_file = EvidenceFileView.as_view()


# Progress board ----------------------------------------------------------------------
@login_required
def board(request):
    """晒进度: the children of an organisation side by side, for a list kind or programme."""
    user = request.user
    values, _errors = board_params(request.GET)  # a bad parameter falls back to its default
    if values.get("root"):
        root = get_visible_or_404(Org.objects, user, "view", pk=values["root"])
    else:
        root = selectors.default_root(user)
        if root is None:
            raise PermissionDenied(_("您的账号还没有任何党组织的授权。"))
    kind, year = values["kind"], values["year"]
    domains = list(ProgrammeDomain.objects.all())
    domain = next((d for d in domains if d.pk == values.get("domain")), None)
    data = selectors.board(user, root, kind=kind, domain=domain.pk if domain else None, year=year)
    base = {"kind": kind, "domain": domain.pk if domain else None, "year": year}
    for row in data["rows"]:
        row.board_url = _url("lists:board", root=row.org.pk, **base)
        row.rows_url = _url("lists:measure_list", within=row.org.pk, kind=kind,
                            domain=domain.pk if domain else None, year=year)
        row.overdue_url = _url("lists:measure_list", within=row.org.pk, kind=kind,
                               domain=domain.pk if domain else None, year=year, due="overdue")
        row.accepted_url = _url("lists:measure_list", within=row.org.pk, kind=kind,
                                domain=domain.pk if domain else None, year=year, status="accepted")
    parent = None
    if root.depth > 1 and in_subtree(root.path[: -Org.steplen], scope_paths(user, "view")):
        parent = Org.objects.filter(path=root.path[: -Org.steplen]).first()
    return render(request, "lists/board.html", {
        **data, "kinds": ListKind.choices, "domains": domains, "kind": kind, "domain": domain, "year": year,
        "parent": parent,
        "ancestors": _ancestors(user, root),
        "self_rows_url": _url("lists:measure_list", org=root.pk, kind=kind, year=year),
        "parent_url": _url("lists:board", root=parent.pk, **base)
        if parent else None,
    })


# Notifications -----------------------------------------------------------------------

@login_required
def notifications(request):
    user = request.user
    if request.method == "POST":
        ids = request.POST.getlist("id") or None
        services.notifications_mark_read(user=user, ids=ids)
        return redirect("lists:notifications")
    qs = Notification.objects.for_user(user)
    return render(request, "lists/notifications.html", {"table": NotificationTable(qs, request=request),
                                                        "unread": qs.unread().count()})
