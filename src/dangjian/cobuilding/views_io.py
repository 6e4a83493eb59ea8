"""Import and export pages for units and agreements. Exports take the same filters as
the list pages (the query string), need the export grant, and are audited."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from dangjian.core.scope import scope_paths
from dangjian.core.spreadsheets.views import import_page

from . import spreadsheets as io
from .filters import AgreementFilter, UnitFilter
from .models import Agreement, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=gettext_lazy("格式"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (.csv)")],
                               initial="xlsx", widget=forms.RadioSelect)


def _queryset(request, kind):
    if kind == "units":
        base = Unit.objects.visible_to(request.user, "export")
        data = request.GET.copy()
        data.setdefault("closed", "false")
        filterset = UnitFilter(data, queryset=base, request=request)
    else:
        base = Agreement.objects.visible_to(request.user, "export")
        filterset = AgreementFilter(request.GET, queryset=base, request=request)
    return filterset.qs if filterset.is_valid() else base.none()


TITLES = {"units": gettext_lazy("驻区单位"), "agreements": gettext_lazy("共建协议")}


@never_cache
@login_required
def export_view(request, kind):
    if not scope_paths(request.user, "export"):
        raise PermissionDenied(_("您没有导入导出权限。"))
    queryset = _queryset(request, kind)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        writer = io.export_units if kind == "units" else io.export_agreements
        content = writer(actor=request.user, queryset=queryset, fmt=fmt)
        filename = f"{TITLES[kind]}.{fmt}"
        if fmt == "csv":
            response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    return render(request, "cobuilding/export.html", {
        "what": TITLES[kind], "form": form, "count": queryset.count(), "query": request.GET.urlencode(),
        "back_url": reverse("cobuilding:unit_list" if kind == "units" else "cobuilding:agreement_list"),
    }, status=400 if request.method == "POST" else 200)


def import_view(request):
    return import_page(request, "cobuilding_units", intro=io.IMPORT_HELP)
