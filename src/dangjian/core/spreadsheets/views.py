"""Pages every import shares: upload (creates a job), the job's progress and result, and
its error report. A job is visible to its owner only (404 for anyone else)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from .importer import importable, may_import
from .jobs import problems_csv, start_import
from .models import ImportJob
from .templates import template_workbook


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件（.xlsx 或 .csv）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    dry_run = forms.BooleanField(label=gettext_lazy("只检查，不导入"), required=False)


def require_import(user):
    if not may_import(user):
        raise PermissionDenied(_("您没有导入权限。"))


@never_cache
@login_required
def import_page(request, kind, template_url="", intro="", help_text=""):
    """Upload a file for the registered `kind`; the import runs as a job."""
    require_import(request.user)
    spec = importable(kind)
    template_url = template_url or reverse("import_template", args=[kind])
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_import(actor=request.user, kind=kind, upload=form.cleaned_data["file"],
                           dry_run=form.cleaned_data["dry_run"])
        return redirect("import_job", pk=job.pk)
    return render(request, "core/import.html", {
        "kind": kind, "what": spec.title, "form": form, "columns": [c for c in spec.columns if not c.read_only],
        "template_url": template_url, "intro": intro, "help": help_text, "back_url": spec.back_url,
    }, status=400 if request.method == "POST" else 200)


@login_required
def template_download(request, kind):
    """An empty import file for any registered kind: the module's own template, or one
    made from its columns (header row, drop-downs, a sheet 说明 describing every column)."""
    try:
        spec = importable(kind)
    except KeyError:
        raise Http404 from None
    handle = spec.template() if spec.template else template_workbook(spec.columns, str(spec.title))
    return FileResponse(handle, as_attachment=True, filename=f"{spec.title}导入模板.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _own_job(request, pk):
    return get_object_or_404(ImportJob, pk=pk, owner=request.user)


@never_cache
@login_required
def job_detail(request, pk):
    """Progress while the job runs (the bar refreshes itself through htmx), then the result."""
    job = _own_job(request, pk)
    spec = importable(job.kind)
    context = {"job": job, "what": spec.title, "back_url": spec.back_url}
    if request.headers.get("HX-Request"):
        return render(request, "core/includes/import_job_status.html", context)
    return render(request, "core/import_job.html", context)


@never_cache
@login_required
def job_problems(request, pk):
    """The job's problems as csv: row, column, cell excerpt, reason in Chinese and English."""
    job = _own_job(request, pk)
    response = HttpResponse(problems_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"import-problems-{job.pk}.csv")
    response["Cache-Control"] = "no-store"
    return response


# Export jobs (core.spreadsheets.exports) ---------------------------------------------

def _own_export(request, pk):
    from .models import ExportJob

    return get_object_or_404(ExportJob, pk=pk, owner=request.user)


@never_cache
@login_required
def export_job_detail(request, pk):
    """A large export's progress (refreshing itself through htmx), then its download."""
    from django.conf import settings

    job = _own_export(request, pk)
    context = {"job": job, "keep_hours": settings.DANGJIAN_EXPORT_KEEP_HOURS}
    if request.headers.get("HX-Request"):
        return render(request, "core/includes/export_job_status.html", context)
    return render(request, "core/export_job.html", context)


@never_cache
@login_required
def export_job_download(request, pk):
    """The finished file, to its owner only. The export was audited when it was built."""
    from .exports import path_of

    job = _own_export(request, pk)
    path = path_of(job)
    if job.status != job.Status.DONE or path is None or not path.exists():
        raise Http404
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=job.filename,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            if job.filename.endswith(".xlsx") else "text/csv; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
