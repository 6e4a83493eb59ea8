"""Pages for spreadsheet import and export (see orgs.io for the rules).

Import: upload a file; every problem comes back as a table of row, column and reason,
and nothing is changed until the whole file is right. Export: the query string carries
the same filters as the org and member lists, so “export” gives the rows the user was
looking at; the options (format, reason, full ID numbers) are posted with CSRF.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from dangjian.core.excel import SpreadsheetError, open_upload
from dangjian.core.scope import scope_paths

from . import io

KINDS = {"orgs": gettext_lazy("党组织"), "members": gettext_lazy("党员")}


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件（.xlsx 或 .csv）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    dry_run = forms.BooleanField(label=gettext_lazy("只检查，不导入"), required=False)


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
        "can_export": bool(scope_paths(request.user, "export")),
        "org_columns": io.ORG_COLUMNS, "member_columns": io.MEMBER_COLUMNS,
    })


@login_required
def template_download(request, kind):
    handle = io.template_workbook(kind)
    return FileResponse(handle, as_attachment=True, filename=f"{io.SHEET_TITLES[kind]}导入模板.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@never_cache
@login_required
def import_view(request, kind):
    _require_export_scope(request.user)
    result = None
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            run = io.import_orgs if kind == "orgs" else io.import_members
            try:
                sheet = open_upload(form.cleaned_data["file"])
            except SpreadsheetError as exc:
                result = io.ImportResult(kind=kind, dry_run=form.cleaned_data["dry_run"],
                                         problems=[io.Problem(None, "", str(exc))])
            else:
                result = run(actor=request.user, sheet=sheet, dry_run=form.cleaned_data["dry_run"])
            if not result.ok:
                status = 400
        else:
            status = 400
    else:
        form = ImportForm()
    return render(request, "orgs/io/import.html", {
        "kind": kind, "what": KINDS[kind], "form": form, "result": result,
        "columns": io.COLUMNS[kind],
    }, status=status)


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
    if export.fmt == "csv":
        response = StreamingHttpResponse(export.csv_chunks(), content_type=export.content_type)
        response["Content-Disposition"] = content_disposition_header(True, export.filename)
    else:
        response = FileResponse(export.temporary_file(), as_attachment=True, filename=export.filename,
                                content_type=export.content_type)
    response["Cache-Control"] = "no-store"
    return response
