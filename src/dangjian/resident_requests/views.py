"""Pages: the resident's (no account: submit, follow, confirm, reopen, rate) and the staff's
(intake queue, request page with its actions, 全程代办 entry, figures, units, export)."""

import datetime
import time

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from dangjian.core.generic_views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    add_service_errors,
    error_messages,
)
from dangjian.core.middleware import client_ip
from dangjian.core.page_filters import PageFilterMixin
from dangjian.core.scope import scope_paths
from dangjian.orgs.models import Area, Org

from . import access, selectors, services
from . import spreadsheets as request_io
from .filters import RequestFilter
from .forms import (
    DispatchForm,
    ExtendForm,
    NoteForm,
    QuestionForm,
    RateForm,
    ReasonForm,
    ReassignForm,
    ResidentRequestForm,
    ResolveForm,
    StaffRequestForm,
    UnitForm,
)
from .models import (
    OPEN_STATUSES,
    Channel,
    DispatchUnit,
    Request,
    RequestEvent,
    RequestPhoto,
    Status,
)
from .tables import RequestTable, UnitTable

# The resident's side ---------------------------------------------------------------------

GUESS_LIMIT = 30  # unknown tracking codes per client address per 10 minutes


def _guessing(request):
    key = f"dangjian-track-miss:{client_ip(request)}:{int(time.time() // 600)}"
    return (cache.get(key) or 0) >= GUESS_LIMIT, key


def _miss(key):
    cache.add(key, 0, 605)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, 605)


def _public_measure(value):
    from dangjian.lists.models import Measure

    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    if not 1 <= pk <= 2**63 - 1:
        return None
    return Measure.objects.public().select_related("org").filter(pk=pk).first()


def _labelled_places(areas):
    """[(area, label)] with the community named before a grid or building, in one query."""
    prefixes = {a.path[:i] for a in areas for i in range(4, len(a.path), 4)}
    names = dict(Area.objects.filter(path__in=prefixes, kind__in=("community", "village", "grid"))
                 .values_list("path", "name"))
    result = []
    for area in areas:
        parts = [names[p] for p in sorted(names) if area.path.startswith(p) and p != area.path]
        result.append((area, " · ".join([*parts, area.name])))
    return result


def places(request):
    """The resident's place search (htmx partial): communities, grids and buildings by name or pinyin."""
    text = (request.GET.get("place_q") or "").strip()[:50]
    rows = selectors.public_places(text) if text else []
    return render(request, "resident_requests/_places.html", {"places": _labelled_places(rows), "text": text})


def request_new(request):
    """The resident's form: no account needed. `?measure=<id>` links the request to a
    disclosed measure (提意见 on a public page)."""
    measure = _public_measure(request.GET.get("measure") or request.POST.get("measure"))
    chosen_area, candidates, place_error = None, [], ""
    if request.method == "POST":
        form = ResidentRequestForm(request.POST, request.FILES)
        chosen_area, candidates, place_error = _chosen_place(request.POST, optional=measure is not None)
        if form.is_valid() and not place_error:
            data = form.cleaned_data
            try:
                created = services.request_submit(
                    channel=Channel.MEASURE if measure else Channel.WEB, category=data["category"],
                    description=data["description"], area=chosen_area, address=data["address"], name=data["name"],
                    phone=data["phone"], photos=data["photos"], share_location=data["share_location"],
                    client_address=client_ip(request), linked_measure=measure)
            except services.Flooded:
                return render(request, "resident_requests/flooded.html", status=429)
            except ValidationError as exc:
                place_error = "；".join(exc.message_dict.pop("area", [])) if hasattr(exc, "error_dict") else ""
                if hasattr(exc, "error_dict") and exc.message_dict:
                    add_service_errors(form, ValidationError(exc.message_dict))
            else:
                url = reverse("resident_requests:track", args=[created.tracking_code])
                return redirect(f"{url}?new=1")
    else:
        form = ResidentRequestForm()
        area_id = request.GET.get("area")
        if area_id and area_id.isdigit() and len(area_id) < 19:
            chosen_area = Area.objects.filter(pk=int(area_id), kind__in=services.PLACE_KINDS).first()
    context = {"form": form, "measure": measure, "chosen": _labelled_places([chosen_area])[0] if chosen_area else None,
               "candidates": _labelled_places(candidates), "place_error": place_error,
               "place_q": request.POST.get("place_q", "") if request.method == "POST" else ""}
    return render(request, "resident_requests/new.html", context, status=400 if request.method == "POST" else 200)


def _chosen_place(data, *, optional=False):
    """(area, candidates, error) from the radio the resident chose or the text typed."""
    value = data.get("area")
    if value and value.isdigit() and len(value) < 19:
        area = Area.objects.filter(pk=int(value)).first()
        if area is not None:
            return area, [], ""
    text = (data.get("place_q") or "").strip()
    if not text:
        return None, [], "" if optional else _("请选择所在的社区、网格或楼栋。")
    rows = selectors.public_places(text, limit=6)
    if len(rows) == 1:
        return rows[0], [], ""
    if not rows:
        return None, [], _("没有找到“%(text)s”，请换个名称或拼音试试。") % {"text": text}
    return None, rows, _("有多个地点符合，请从下面选择一个。")


def track_lookup(request):
    """A box to type a tracking code into."""
    code = (request.GET.get("code") or "").strip()
    if code:
        clean = "".join(ch for ch in code.upper() if ch.isalnum())[:32]
        if clean:
            return redirect("resident_requests:track", code=clean)
    return render(request, "resident_requests/track_lookup.html", {})


def _tracked(request, code):
    blocked, key = _guessing(request)
    if blocked:
        raise Http404
    found = selectors.by_tracking_code(code)
    if found is None:
        _miss(key)
        raise Http404
    return found


def track(request, code):
    """The resident's page: plain words, nothing personal of anyone (no staff names, no phone)."""
    found = _tracked(request, code)
    now = timezone.now()
    in_window = found.resolved_at is not None and now <= found.resolved_at + services.RATING_WINDOW
    context = {
        "req": found, "status_text": selectors.public_status(found), "events": selectors.public_events(found),
        "place": _labelled_places([found.area])[0][1], "new": request.GET.get("new") == "1",
        "can_confirm": found.status == Status.RESOLVED,
        "can_reopen": found.status == Status.RESOLVED and in_window,
        "can_rate": found.rating is None and found.status in (Status.RESOLVED, Status.CLOSED) and in_window,
        "need_info": found.status == Status.NEED_INFO,
        "rate_form": RateForm(), "is_open": found.status in OPEN_STATUSES,
    }
    return render(request, "resident_requests/track.html", context)


def _resident_action(service, form_class=None, *, field=None, success=""):
    @require_POST
    def view(request, code):
        found = _tracked(request, code)
        kwargs = {}
        if form_class is not None:
            form = form_class(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for message in errors:
                        messages.error(request, message)
                return redirect("resident_requests:track", code=found.tracking_code)
            kwargs = dict(form.cleaned_data)
        try:
            service(request=found, **kwargs)
        except ValidationError as exc:
            error_messages(request, exc)
        else:
            messages.success(request, success)
        return redirect("resident_requests:track", code=found.tracking_code)

    return view


def _form(name, label, required=True):
    from django import forms

    return type("F", (forms.Form,), {name: forms.CharField(label=label, max_length=2000, required=required)})


track_confirm = _resident_action(services.request_confirm, success=gettext_lazy("感谢您的确认。"))
track_reopen = _resident_action(services.request_reopen, _form("reason", gettext_lazy("原因"), required=False),
                                success=gettext_lazy("已转回办理，我们会尽快处理。"))
track_rate = _resident_action(services.request_rate, RateForm, success=gettext_lazy("感谢您的评价。"))
track_info = _resident_action(services.request_add_info, _form("text", gettext_lazy("补充内容"), required=False),
                              success=gettext_lazy("已收到您补充的信息。"))


# The staff's side ------------------------------------------------------------------------

class RequestPageFilter(PageFilterMixin, RequestFilter):
    hidden_fields = ("grid", "flag", "queue", "start", "end")


REQUEST_ROWS = Request.objects.select_related("category", "grid", "community", "org")


class RequestListView(ObjectListView):
    """Requests in the user's subtrees: the intake queue, what the user handles, escalated ones."""

    queryset = REQUEST_ROWS
    filterset_class = RequestPageFilter
    filter_fields = ("q", "status", "category", "channel", "within")
    table_class = RequestTable
    template_name = "resident_requests/request_list.html"

    def has_scope(self):
        return bool(access.paths(self.request.user))

    def get_table_kwargs(self):
        return {"extra": {"now": timezone.now()}}

    def get_extra_context(self, table, filterset):
        data = filterset.form.cleaned_data if filterset.form.is_valid() else {}
        labels = dict(RequestFilter.base_filters["flag"].extra["choices"])
        queues = dict(RequestFilter.base_filters["queue"].extra["choices"])
        chips = []
        if data.get("flag"):
            chips.append(labels.get(data["flag"]))
        if data.get("queue"):
            chips.append(queues.get(data["queue"]))
        if data.get("grid"):
            grid = Area.objects.filter(pk=data["grid"]).first()
            chips.append(grid.name if grid else "")
        if data.get("start") or data.get("end"):
            chips.append(f"{data.get('start') or ''} ~ {data.get('end') or ''}")
        export = scope_paths(self.request.user, "export")
        return {"chips": [c for c in chips if c], "can_handle": bool(access.paths(self.request.user, access.HANDLE)),
                "export_url": (reverse("resident_requests:export") + "?" + self.request.GET.urlencode())
                if export else None}


class RequestDetailView(ObjectDetailView):
    queryset = Request.objects.select_related("category", "org", "area", "grid", "community", "unit__org",
                                              "first_handler", "escalated_to", "created_by", "linked_measure")
    template_name = "resident_requests/request_detail.html"
    context_object_name = "req"

    def get_extra_context(self):
        req, user = self.object, self.request.user
        handles = access.can(user, req.org)
        unit_side = req.unit_id is not None and (access.can(user, req.unit.org) or handles)
        status = req.status
        dispatch_form = DispatchForm(user=user, initial={"unit": services.suggested_unit(req)}, auto_id="dispatch_%s")
        return {
            "events": list(RequestEvent.objects.filter(request=req).select_related("actor", "unit", "org")),
            "photos": list(RequestPhoto.objects.filter(request=req)),
            "place": _labelled_places([req.area])[0][1],
            "now": timezone.now(),
            "can_accept": handles and status == Status.SUBMITTED,
            "can_dispatch": handles and status in services.DISPATCHABLE,
            "unit_can_accept": unit_side and status == Status.DISPATCHED,
            "unit_can_answer": unit_side and status in (Status.DISPATCHED, Status.IN_PROGRESS),
            "can_resolve": (unit_side or handles) and status in services.RESOLVABLE and status != Status.SUBMITTED,
            "can_supervise": handles and status in OPEN_STATUSES,
            "can_visit": handles,
            "dispatch_form": dispatch_form, "reassign_form": ReassignForm(user=user, auto_id="reassign_%s"),
            "note_form": NoteForm(auto_id="comment_%s"), "visit_form": NoteForm(auto_id="visit_%s"),
            "reason_form": ReasonForm(auto_id="handback_%s"), "question_form": QuestionForm(auto_id="info_%s"),
            "resolve_form": ResolveForm(auto_id="resolve_%s"), "extend_form": ExtendForm(auto_id="extend_%s"),
        }


class RequestActionView(ObjectActionView):
    """A button on the request page. Who may press it is the service's business (首办责任人,
    the unit's side, supervisors above); the page only needs the request to be visible."""

    queryset = Request.objects.select_related("org", "unit__org", "category")
    permission_action = None
    success_message = gettext_lazy("已完成。")

    def check_permission(self, obj):
        if not access.can(self.request.user, obj.org):
            raise PermissionDenied(_("您无权办理该诉求。"))

    def get_form_kwargs(self):
        from dangjian.core.forms import ScopedForm

        return {"user": self.request.user} if issubclass(self.form_class, ScopedForm) else {}

    def call_service(self, form):
        return type(self).service(actor=self.request.user, request=self.object, **self.service_kwargs(form))

    def get_object_url(self):
        return reverse("resident_requests:request_detail", args=[self.object.pk])


def _action(service, form_class=None, message=None, kwargs=None):
    attrs = {"service": service, "form_class": form_class}
    if message:
        attrs["success_message"] = message
    if kwargs:
        attrs["service_kwargs"] = lambda self, form: kwargs(form.cleaned_data if form is not None else {})
    return type("Action", (RequestActionView,), attrs).as_view()


request_accept = _action(services.request_accept, message=gettext_lazy("已受理，您是该诉求的首办责任人。"))
request_dispatch = _action(services.request_dispatch, DispatchForm, gettext_lazy("已派单。"))
request_unit_accept = _action(services.request_unit_accept, message=gettext_lazy("承办单位已接单。"))
request_need_info = _action(services.request_unit_need_info, QuestionForm, gettext_lazy("已请居民补充信息。"))
request_hand_back = _action(services.request_unit_hand_back, ReasonForm, gettext_lazy("已退回首办责任人。"))
request_resolve = _action(services.request_resolve, ResolveForm, gettext_lazy("已办结，等待居民确认。"))
request_comment = _action(services.request_comment, NoteForm, gettext_lazy("已记录督办意见。"))
request_reassign = _action(services.request_reassign, ReassignForm, gettext_lazy("已改派。"))
request_extend = _action(services.request_extend, ExtendForm, gettext_lazy("已延期。"),
                         kwargs=lambda d: {"deadline_at": d["deadline"], "reason": d.get("reason", "")})
request_visit = _action(services.request_visit, NoteForm, gettext_lazy("已记录回访。"))


class RequestCreateView(ObjectEditView):
    """全程代办: staff enter a request received in person or by phone."""

    queryset = Request.objects.all()
    object_required = False
    permission_action = None
    form_class = StaffRequestForm
    template_name = "resident_requests/form.html"
    title = gettext_lazy("代居民登记诉求（全程代办）")
    submit = gettext_lazy("登记")
    multipart = True

    def check_permission(self, obj):
        if not access.paths(self.request.user, access.HANDLE):
            raise PermissionDenied(_("您无权登记居民诉求。"))

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def call_service(self, form):
        data = form.cleaned_data
        return services.request_submit(actor=self.request.user, channel=data["channel"], category=data["category"],
                                       area=data["area"], address=data["address"], description=data["description"],
                                       name=data["name"], phone=data["phone"], photos=data["photos"])

    def get_success_message(self, result):
        return _("已登记，编号%(number)s。请把查询码告诉居民：%(code)s") % {
            "number": result.number, "code": result.tracking_code_display}

    def get_success_url(self, result):
        return reverse("resident_requests:request_detail", args=[result.pk])

    def get_cancel_url(self):
        return reverse("resident_requests:request_list")


class PhotoView(LoginRequiredMixin, View):
    def get(self, request, pk, photo):
        req = Request.objects.visible_to(request.user).filter(pk=pk).first()
        if req is None:
            raise Http404
        item = RequestPhoto.objects.filter(request=req, pk=photo).first()
        if item is None:
            raise Http404
        return FileResponse(item.file.open("rb"), content_type=item.content_type)


# Figures ------------------------------------------------------------------------------------

def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class FiguresView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        root = None
        within = request.GET.get("within")
        if within and within.isdigit() and len(within) < 19:
            root = Org.objects.filter(pk=int(within)).first()
            if root is None or not access.can(user, root, "view"):
                raise Http404
        start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
        data = selectors.figures(user, root, start=start, end=end)

        def link(**kw):
            return selectors.rows_url(root=root, start=start, end=end, **kw)

        def decorate(row, **kw):
            row["urls"] = {flag: link(flag=flag, **kw) for flag in selectors.FLAGS}
            return row

        decorate(data["total"])
        for row in data["by_category"]:
            decorate(row, category=row["category"])
        for row in data["by_grid"]:
            decorate(row, grid=row["grid"])
        return render(request, "resident_requests/figures.html", {
            **data, "root": root, "start": start, "end": end, "has_scope": bool(access.paths(user))})


# Units ----------------------------------------------------------------------------------------

class UnitListView(ObjectListView):
    queryset = DispatchUnit.objects.select_related("org")
    table_class = UnitTable
    template_name = "resident_requests/unit_list.html"

    def scope_queryset(self, queryset, action):
        return selectors.unit_picker_queryset(self.request.user).select_related("org")

    def has_scope(self):
        return bool(access.paths(self.request.user))

    def get_extra_context(self, table, filterset):
        return {"can_create": bool(scope_paths(self.request.user, "change"))}


class UnitCreateView(ObjectEditView):
    queryset = DispatchUnit.objects.all()
    object_required = False
    permission_action = None
    form_class = UnitForm
    template_name = "resident_requests/form.html"
    title = gettext_lazy("新建承办单位")
    submit = gettext_lazy("保存")
    service = services.unit_create

    def check_permission(self, obj):
        if not scope_paths(self.request.user, "change"):
            raise PermissionDenied(_("您无权新建承办单位。"))

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get_success_url(self, result):
        return reverse("resident_requests:unit_list")

    def get_cancel_url(self):
        return reverse("resident_requests:unit_list")


# Export ----------------------------------------------------------------------------------------

class ExportView(LoginRequiredMixin, View):
    """Requests for a subtree and period as an Excel file (needs the export grant)."""

    def get(self, request):
        rows = Request.objects.visible_to(request.user, "export")
        if not scope_paths(request.user, "export"):
            raise PermissionDenied(_("导出需要数据导入导出授权。"))
        filterset = RequestFilter(request.GET, queryset=rows, request=request)
        if not filterset.is_valid():
            return HttpResponse(status=400)
        stamp = timezone.localdate().strftime("%Y%m%d")
        if request.GET.get("format") == "csv":
            response = HttpResponse(request_io.export_csv(filterset.qs, actor=request.user),
                                    content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="requests-{stamp}.csv"'
            return response
        content = request_io.export_xlsx(filterset.qs, actor=request.user)
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="requests-{stamp}.xlsx"'
        return response


request_list = RequestListView.as_view()
request_detail = RequestDetailView.as_view()
request_create = RequestCreateView.as_view()
photo = PhotoView.as_view()
figures = FiguresView.as_view()
unit_list = UnitListView.as_view()
unit_create = UnitCreateView.as_view()
export = ExportView.as_view()
