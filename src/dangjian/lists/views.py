"""Pages of lists, programmes, projects and measures; progress, acceptance, the progress
board and notifications.

Reads start from `visible_to(user)` (404 outside the user's subtrees); writes go through
`lists.services`. A PermissionDenied there is the 403 page; a ValidationError is shown
on the field it names.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core import excel
from dangjian.core.page_filters import PageFilterMixin
from dangjian.core.scope import get_visible_or_404, scope_paths, user_can
from dangjian.core.tree import in_subtree
from dangjian.orgs.models import Org

from . import io as list_io
from . import selectors, services
from .filters import ListFilter, MeasureFilter, board_params
from .forms import (
    ImportForm,
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
    MissingProgress,
    Notification,
    Programme,
    ProgrammeDomain,
    Project,
)

PAGE_SIZE = 50


class ListPageFilter(PageFilterMixin, ListFilter):
    pass


class MeasurePageFilter(PageFilterMixin, MeasureFilter):
    pass


def _url(name, *args, **params):
    url = reverse(name, args=args)
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def _paginate(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def add_service_errors(form, error):
    """Show a service's ValidationError on the form fields it names (others at the top)."""
    items = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    for field, messages_ in items:
        target = field if field in form.fields else None
        for message in messages_:
            form.add_error(target, message)


def _may(user, action, org):
    return user_can(user, action, org)


def _require_change(user, org):
    if not _may(user, "change", org):
        raise PermissionDenied(_("您无权对该组织进行此操作。"))


def _ancestors(user, org):
    scope = scope_paths(user, "view")
    paths = [org.path[: i * Org.steplen] for i in range(1, org.depth + 1)]
    paths = [p for p in paths if in_subtree(p, scope)]
    return list(Org.objects.filter(path__in=paths).order_by("path")) if paths else []


def _form_page(request, form, *, title, cancel_url, submit=None, intro="", lst=None, multipart=False):
    return render(request, "lists/form.html", {
        "form": form, "title": title, "cancel_url": cancel_url, "submit": submit or _("保存"), "intro": intro,
        "lst": lst, "multipart": multipart,
    })


def _visible_list(request, pk, action="view"):
    return get_visible_or_404(List.objects.select_related("org"), request.user, action, pk=pk)


# Lists -------------------------------------------------------------------------------

@login_required
def index(request):
    """The user's lists with their figures, and links to what needs attention."""
    user = request.user
    lists = selectors.lists_for(user).select_related("org").order_by("-period_start", "org__path", "id")
    filterset = ListPageFilter(request.GET, queryset=lists)
    page, query = _paginate(request, filterset.qs)
    figures = selectors.overview_figures(user)
    return render(request, "lists/index.html", {
        "filter": filterset, "page": page, "query": query, "figures": figures,
        "can_create": bool(scope_paths(user, "change")),
        "overdue_url": _url("lists:measure_list", due="overdue"),
        "soon_url": _url("lists:measure_list", due="soon"),
        "submitted_url": _url("lists:measure_list", status="submitted"),
    })


@login_required
def list_create(request):
    user = request.user
    if not scope_paths(user, "change"):
        raise PermissionDenied(_("您无权新建清单。"))
    org = None
    if request.GET.get("org"):
        org = get_visible_or_404(Org.objects, user, "change", pk=request.GET["org"])
    form = ListForm(request.POST or None, user=user, initial=ListForm.initial_new(user, org))
    if request.method == "POST" and form.is_valid():
        try:
            lst = services.list_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("清单已创建。接下来添加措施。"))
            return redirect("lists:list_detail", lst.pk)
    return _form_page(request, form, title=_("新建清单"), cancel_url=reverse("lists:index"))


@login_required
def list_edit(request, pk):
    lst = _visible_list(request, pk)
    _require_change(request.user, lst.org)
    form = ListForm(request.POST or None, user=request.user, lst=lst, initial=ListForm.initial_for(lst))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        try:
            services.list_update(actor=request.user, lst=lst, reason=reason, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("lists:list_detail", lst.pk)
    intro = _("该清单已公示：修改会记入公示页的变更记录，请填写原因。") if lst.was_published else ""
    return _form_page(request, form, title=_("修改清单"), cancel_url=reverse("lists:list_detail", args=[lst.pk]),
                      intro=intro, lst=lst)


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


@login_required
def list_detail(request, pk):
    """The list with its roll-up: every row that counts, its weight, share and contribution."""
    user = request.user
    lst = _visible_list(request, pk)
    data = selectors.list_rollup(lst)
    formula, missing_text = rule_text(lst.averaging, lst.missing_progress)
    can_change = _may(user, "change", lst.org)
    return render(request, "lists/list_detail.html", {
        "lst": lst, "data": data, "rows": flatten(data.result), "formula": formula, "missing_text": missing_text,
        "can_change": can_change, "can_export": _may(user, "export", lst.org),
        "revisions": lst.revisions.all()[:50], "ancestors": _ancestors(user, lst.org),
        "publish_form": PublishForm(), "today": timezone.localdate(),
        "measures_url": _url("lists:measure_list", list=lst.pk),
        "overdue_url": _url("lists:measure_list", list=lst.pk, due="overdue"),
        "accepted_url": _url("lists:measure_list", list=lst.pk, status="accepted"),
        "submitted_url": _url("lists:measure_list", list=lst.pk, status="submitted"),
    })


@login_required
@require_POST
def list_publish(request, pk):
    lst = _visible_list(request, pk)
    _require_change(request.user, lst.org)
    if request.POST.get("action") == "unpublish":
        try:
            services.list_unpublish(actor=request.user, lst=lst, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已撤下公示，原因已记入变更记录。"))
    else:
        services.list_publish(actor=request.user, lst=lst)
        messages.success(request, _("已公示。公示后的修改都会记入变更记录。"))
    return redirect("lists:list_detail", lst.pk)


@login_required
@require_POST
def list_delete(request, pk):
    lst = _visible_list(request, pk)
    _require_change(request.user, lst.org)
    try:
        services.list_delete(actor=request.user, lst=lst)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("lists:list_detail", lst.pk)
    messages.success(request, _("清单已删除。"))
    return redirect("lists:index")


@login_required
def list_export(request, pk, fmt):
    lst = _visible_list(request, pk)
    if not _may(request.user, "export", lst.org):
        raise PermissionDenied(_("您无权导出该清单。"))
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


@login_required
def list_import(request):
    """Lists with their items from xlsx/csv, all or nothing; errors by row and column."""
    user = request.user
    if not scope_paths(user, "change"):
        raise PermissionDenied(_("您无权导入清单。"))
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            sheet = excel.open_upload(form.cleaned_data["file"])
            created = list_io.import_sheet(sheet, actor=user)
        except excel.SpreadsheetError as exc:
            form.add_error("file", str(exc))
        except list_io.ImportErrors as exc:
            errors = exc.errors
        else:
            messages.success(request, _("已导入 %(lists)d 个清单、%(measures)d 项措施。") % created)
            return redirect("lists:index")
    return render(request, "lists/import.html", {"form": form, "errors": errors[:200],
                                                 "more_errors": max(len(errors) - 200, 0),
                                                 "columns": list_io.COLUMNS, "help": list_io.IMPORT_HELP})


# Programmes, projects, measures --------------------------------------------------------

def _item_form(request, form_class, *, lst, title, create, obj=None, initial=None):
    user = request.user
    form = form_class(request.POST or None, user=user, lst=lst, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        reason = data.pop("reason", "")
        try:
            result = create(data, reason)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(result)
    intro = _("该清单已公示：新增和修改会记入公示页的变更记录，请填写原因。") if lst.was_published else ""
    return _form_page(request, form, title=title, cancel_url=reverse("lists:list_detail", args=[lst.pk]),
                      intro=intro, lst=lst)


@login_required
def programme_create(request, pk):
    lst = _visible_list(request, pk)
    _require_change(request.user, lst.org)

    def create(data, reason):
        services.programme_create(actor=request.user, lst=lst, reason=reason, **data)
        return reverse("lists:list_detail", args=[lst.pk])

    return _item_form(request, ProgrammeForm, lst=lst, title=_("添加工程"), create=create)


@login_required
def programme_edit(request, pk):
    programme = get_visible_or_404(Programme.objects.select_related("list__org"), request.user, "view", pk=pk)
    lst = programme.list
    _require_change(request.user, lst.org)

    def save(data, reason):
        services.programme_update(actor=request.user, programme=programme, reason=reason, **data)
        return reverse("lists:list_detail", args=[lst.pk])

    initial = {"title": programme.title, "domain": programme.domain_id, "org": programme.org_id,
               "weight": programme.weight, "description": programme.description}
    return _item_form(request, ProgrammeForm, lst=lst, title=_("修改工程"), create=save, initial=initial)


@login_required
def project_create(request, pk):
    lst = _visible_list(request, pk)
    _require_change(request.user, lst.org)

    def create(data, reason):
        services.project_create(actor=request.user, lst=lst, reason=reason, **data)
        return reverse("lists:list_detail", args=[lst.pk])

    initial = {"programme": request.GET.get("programme"), "is_public": True}
    return _item_form(request, ProjectForm, lst=lst, title=_("添加项目"), create=create, initial=initial)


@login_required
def project_edit(request, pk):
    project = get_visible_or_404(Project.objects.select_related("list__org"), request.user, "view", pk=pk)
    lst = project.list
    _require_change(request.user, lst.org)

    def save(data, reason):
        services.project_update(actor=request.user, project=project, reason=reason, **data)
        return reverse("lists:list_detail", args=[lst.pk])

    initial = {"title": project.title, "programme": project.programme_id, "org": project.org_id,
               "is_secretary_project": project.is_secretary_project, "weight": project.weight,
               "is_public": project.is_public, "description": project.description}
    return _item_form(request, ProjectForm, lst=lst, title=_("修改项目"), create=save, initial=initial)


@login_required
def measure_create(request, pk):
    lst = _visible_list(request, pk)
    _require_change(request.user, lst.org)

    def create(data, reason):
        measure = services.measure_create(actor=request.user, lst=lst, reason=reason, **data)
        return reverse("lists:list_detail", args=[lst.pk]) + f"#m{measure.pk}"

    initial = {"project": request.GET.get("project"), "org": lst.org_id, "is_public": True, "weight": 1,
               "start_on": timezone.localdate(), "deadline": lst.period_end}
    return _item_form(request, MeasureForm, lst=lst, title=_("添加措施"), create=create, initial=initial)


@login_required
def measure_edit(request, pk):
    measure = get_visible_or_404(Measure.objects.select_related("list__org"), request.user, "view", pk=pk)
    lst = measure.list
    _require_change(request.user, lst.org)

    def save(data, reason):
        services.measure_update(actor=request.user, measure=measure, reason=reason, **data)
        return reverse("lists:measure_detail", args=[measure.pk])

    return _item_form(request, MeasureForm, lst=lst, title=_("修改措施"), create=save,
                      initial=MeasureForm.initial_for(measure))


@login_required
def measure_list(request):
    """Measures in the user's subtrees: overdue, due soon, by status, kind or list."""
    user = request.user
    measures = (selectors.measures_for(user).select_related("org", "list", "responsible")
                .order_by("deadline", "id"))
    filterset = MeasurePageFilter(request.GET, queryset=measures)
    page, query = _paginate(request, filterset.qs)
    within_org = None
    if filterset.form.is_valid() and filterset.form.cleaned_data.get("within"):
        within_org = Org.objects.visible_to(user).filter(pk=filterset.form.cleaned_data["within"]).first()
    form = filterset.form
    shown = ("q", "status", "due", "kind", "year", "domain")
    return render(request, "lists/measure_list.html", {
        "filter": filterset, "page": page, "query": query, "today": timezone.localdate(), "within_org": within_org,
        "shown_fields": [form[name] for name in shown],
        "hidden_fields": [form[name] for name in form.fields if name not in shown],
    })


@login_required
def measure_detail(request, pk):
    user = request.user
    measure = get_visible_or_404(
        Measure.objects.select_related("list__org", "org", "project__programme", "responsible", "accepted_by"),
        user, "view", pk=pk)
    reports = list(measure.reports.prefetch_related("evidence"))
    reviewer_org = services.reviewing_org(measure.org)
    can_report = _may(user, "change", measure.org) and measure.status != MeasureStatus.ACCEPTED
    can_review = (_may(user, "change", reviewer_org)
                  and measure.status in (MeasureStatus.SUBMITTED, MeasureStatus.IN_PROGRESS))
    return render(request, "lists/measure_detail.html", {
        "measure": measure, "lst": measure.list, "reports": reports, "reviews": list(measure.reviews.select_related("reviewer_org")),
        "report_form": ReportForm(measure=measure) if can_report else None,
        "review_form": ReviewForm() if can_review else None,
        "can_edit": _may(user, "change", measure.list.org) and measure.status != MeasureStatus.ACCEPTED,
        "reviewer_org": reviewer_org, "ancestors": _ancestors(user, measure.org),
    })


@login_required
@require_POST
def measure_report(request, pk):
    user = request.user
    measure = get_visible_or_404(Measure.objects.select_related("list", "org"), user, "view", pk=pk)
    _require_change(user, measure.org)
    form = ReportForm(request.POST, request.FILES, measure=measure)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_report_progress(actor=user, measure=measure, percent=data.get("percent"),
                                             value=data.get("value"), note=data.get("note", ""),
                                             files=data.get("files") or [])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("进展已报告。"))
            return redirect("lists:measure_detail", measure.pk)
    measure = Measure.objects.select_related("list__org", "org", "responsible").get(pk=measure.pk)
    return render(request, "lists/measure_detail.html", {
        "measure": measure, "lst": measure.list, "reports": list(measure.reports.prefetch_related("evidence")),
        "reviews": list(measure.reviews.select_related("reviewer_org")), "report_form": form, "review_form": None,
        "reviewer_org": services.reviewing_org(measure.org), "ancestors": _ancestors(user, measure.org),
    }, status=400)


@login_required
@require_POST
def measure_review(request, pk):
    user = request.user
    measure = get_visible_or_404(Measure.objects.select_related("list", "org"), user, "view", pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "accept":
                services.measure_accept(actor=user, measure=measure, note=form.cleaned_data["reason"])
                messages.success(request, _("已验收。"))
            else:
                services.measure_send_back(actor=user, measure=measure, reason=form.cleaned_data["reason"])
                messages.success(request, _("已退回，并通知责任方。"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("请选择验收结论。"))
    return redirect("lists:measure_detail", measure.pk)


@login_required
def evidence_file(request, pk):
    """An evidence file, to those who may see its measure (never a public media URL)."""
    item = get_visible_or_404(Evidence.objects.all(), request.user, "view", pk=pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404
    inline = item.kind == "photo"
    response = FileResponse(handle, content_type=item.content_type, as_attachment=not inline, filename=item.name)
    response["Cache-Control"] = "private, max-age=3600"
    return response


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
    kind, averaging, missing, year = values["kind"], values["averaging"], values["missing"], values["year"]
    domains = list(ProgrammeDomain.objects.all())
    domain = next((d for d in domains if d.pk == values.get("domain")), None)
    data = selectors.board(user, root, kind=kind, domain=domain.pk if domain else None, year=year,
                           averaging=averaging, missing=missing)
    formula, missing_text = rule_text(averaging, missing)
    base = {"kind": kind, "domain": domain.pk if domain else None, "year": year}
    for row in data["rows"]:
        row.board_url = _url("lists:board", root=row.org.pk, averaging=averaging, missing=missing, **base)
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
        "averaging_choices": Averaging.choices, "missing_choices": MissingProgress.choices,
        "formula": formula, "missing_text": missing_text, "parent": parent,
        "ancestors": _ancestors(user, root),
        "self_rows_url": _url("lists:measure_list", org=root.pk, kind=kind, year=year),
        "parent_url": _url("lists:board", root=parent.pk, averaging=averaging, missing=missing, **base)
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
    page, query = _paginate(request, qs)
    return render(request, "lists/notifications.html", {"page": page, "query": query,
                                                        "unread": qs.unread().count()})
