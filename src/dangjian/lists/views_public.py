"""Public disclosure (公示): published lists and their public items, per organisation,
with progress and acceptance, open to anyone without logging in.

What is shown: the list, its items, the responsible organisation and the responsible
post (no person's name, burden rules: no naming and shaming beside 逾期; no reporter names,
no phone numbers, no evidence files), progress, acceptance, and every change made after
publication. The completion headline says how many items it counts.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import cache_control

from dangjian.core.text import normalise_query
from dangjian.orgs.models import Org

from . import selectors
from .models import List, MeasureStatus, MissingProgress
from .views import flatten, rule_text

PAGE_SIZE = 50


@cache_control(public=True, max_age=300)
def index(request):
    """Organisations with published lists (searchable), and the latest published lists."""
    q = normalise_query(request.GET.get("q", ""))
    orgs = selectors.public_orgs()
    if q:
        orgs = orgs.filter(search_text__contains=q)
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    latest = selectors.public_lists().order_by("-published_at")[:10]
    return render(request, "public/index.html", {"page": page, "latest": latest, "q": request.GET.get("q", ""),
                                                 "query": f"q={request.GET.get('q', '')}"})


@cache_control(public=True, max_age=300)
def org_lists(request, pk):
    org = get_object_or_404(Org, pk=pk)
    lists = (selectors.public_lists().filter(org=org).order_by("-period_start", "id")
             .annotate(n_measures=Count("measures", filter=Q(measures__is_public=True)),
                       n_accepted=Count("measures", filter=Q(measures__is_public=True,
                                                              measures__status=MeasureStatus.ACCEPTED))))
    if not lists:
        from django.http import Http404

        raise Http404
    return render(request, "public/org_lists.html", {"org": org, "lists": lists})


@cache_control(public=True, max_age=120)
def list_detail(request, pk):
    lst = get_object_or_404(List.objects.published().select_related("org"), pk=pk)
    data = selectors.list_rollup(lst, public_only=True)
    formula, missing_text = rule_text(lst.averaging, lst.missing_progress)
    posts = selectors.responsible_posts(data.measures)
    rows = flatten(data.result)
    for item in rows:
        obj = item["obj"]
        if item["kind"] == "measure" and obj.responsible_id:
            item["post"] = posts.get(obj.responsible_id, "")
    counted = data.counts["reported"] if lst.missing_progress == MissingProgress.EXCLUDE else data.counts["measures"]
    shown = {("measure", m.pk) for m in data.measures} | {("project", p.pk) for p in data.projects}
    revisions = [r for r in lst.revisions.all()[:500]
                 if r.object_type not in ("measure", "project") or (r.object_type, r.object_id) in shown]
    return render(request, "public/list_detail.html", {
        "lst": lst, "data": data, "rows": rows, "formula": formula, "missing_text": missing_text,
        "revisions": revisions, "today": timezone.localdate(),
        "counted": counted, "not_counted": data.counts["measures"] - counted,
    })
