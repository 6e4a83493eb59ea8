"""Pages for spreadsheet import and export (see orgs.spreadsheets for the rules).

Import: the shared page of core.spreadsheets (upload, background job, progress, result
with every problem by row and column; nothing is changed until the whole file is right). Export: the query string carries
the same filters as the org and member lists, so “export” gives the rows the user was
looking at; the options (format, reason, full ID numbers) are posted with CSRF.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from dangjian.core.scope import scope_paths
from dangjian.core.spreadsheets.exports import start_export
from dangjian.core.spreadsheets.importer import may_import
from dangjian.core.spreadsheets.views import import_page

from . import spreadsheets as io

KINDS = {"orgs": gettext_lazy("党组织"), "members": gettext_lazy("党员")}


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=gettext_lazy("格式"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (.csv)")],
                               initial="xlsx", widget=forms.RadioSelect)
    reason = forms.CharField(label=gettext_lazy("导出事由"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))
    full_id = forms.BooleanField(label=gettext_lazy("包含完整身份证号、手机号和住址（将记入审计）"), required=False)

    def __init__(self, *args, allow_full=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_full:
            del self.fields["full_id"]


def _require_export_scope(user):
    if not scope_paths(user, "export"):
        raise PermissionDenied(_("您没有导入导出权限。"))


@login_required
def index(request):
    return render(request, "orgs/io/index.html", {
        "can_export": bool(scope_paths(request.user, "export")), "can_import": may_import(request.user),
        "org_columns": io.ORG_COLUMNS, "member_columns": io.MEMBER_COLUMNS,
    })


@login_required
def template_download(request, kind):
    handle = io.template_workbook(kind)
    return FileResponse(handle, as_attachment=True, filename=f"{io.SHEET_TITLES[kind]}导入模板.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


INTROS = {
    "orgs": gettext_lazy("每行新建一个党组织；上级须已在系统中，或在本文件中列在前面。"),
    "members": gettext_lazy("每行登记一名党员；身份证号已登记的会被指出，不会重复登记。"),
}


def import_view(request, kind):
    template = "orgs_io:org_template" if kind == "orgs" else "orgs_io:member_template"
    return import_page(request, kind, template_url=reverse(template), intro=INTROS[kind])


@never_cache
@login_required
def export_view(request, kind):
    _require_export_scope(request.user)
    allow_full = kind == "members" and bool(scope_paths(request.user, "view_full_id"))
    status = 200
    error = ""
    if request.method == "POST":
        form = ExportForm(request.POST, allow_full=allow_full)
        if form.is_valid():
            try:
                return _export_response(request, kind, form.cleaned_data)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    if field in form.fields:
                        form.add_error(field, messages)
                    else:
                        form.add_error(None, messages)
            except PermissionDenied as exc:
                error = str(exc) or _("您无权进行此操作。")
                status = 403
        if status == 200:
            status = 400
    else:
        form = ExportForm(allow_full=allow_full)
    count, filter_error = _preview_count(request, kind)
    return render(request, "orgs/io/export.html", {
        "kind": kind, "what": KINDS[kind], "form": form, "count": count, "error": error,
        "filter_error": filter_error, "query": request.GET.urlencode(),
        "needs_reason": count is not None and count > settings.DANGJIAN_BULK_THRESHOLD,
        "threshold": settings.DANGJIAN_BULK_THRESHOLD,
    }, status=status)


def _preview_count(request, kind):
    """How many rows the export would hold (shown before the user confirms)."""
    selector = io.org_export_queryset if kind == "orgs" else io.member_export_queryset
    try:
        queryset, _used = selector(request.user, request.GET)
    except ValidationError as exc:
        return None, " ".join(m for messages in exc.message_dict.values() for m in messages)
    return queryset.count(), ""


def _export_response(request, kind, options):
    if kind == "orgs":
        export = io.export_orgs(actor=request.user, params=request.GET, fmt=options["format"],
                                reason=options["reason"])
    else:
        export = io.export_members(actor=request.user, params=request.GET, fmt=options["format"],
                                   reason=options["reason"], full_id=options.get("full_id", False))
    if export.fmt == "xlsx" and export.count > settings.DANGJIAN_EXPORT_INLINE_ROWS:
        # Checked and audited here, in the request; too large to build within it: a task
        # writes the same rows, in this user's scope, and the user downloads the file.
        job = start_export(actor=request.user, kind=kind, params=request.GET, fmt="xlsx",
                           full_id=export.full_id, total=export.count)
        return redirect("export_job", pk=job.pk)
    if export.fmt == "csv":
        response = StreamingHttpResponse(export.csv_chunks(), content_type=export.content_type)
        response["Content-Disposition"] = content_disposition_header(True, export.filename)
    else:
        response = FileResponse(export.temporary_file(), as_attachment=True, filename=export.filename,
                                content_type=export.content_type)
    response["Cache-Control"] = "no-store"
    return response
