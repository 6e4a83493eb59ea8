"""Pages of the organisation system: trees, lists and records of orgs, members and areas.

Every read starts from `visible_to(user)`; anything outside the user's subtrees is 404.
Every write goes through `orgs.services`; a refusal there (PermissionDenied) is the 403
page, a ValidationError is shown on the field it names. Trees load one level at a time
(htmx), so opening a city of 25,000 organisations costs the same as opening a branch.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
import django_filters

from dangjian.core import overview as core_overview
from dangjian.core.page_filters import PageFilterMixin
from dangjian.core.scope import get_visible_or_404, scope_paths, user_can
from dangjian.core.tree import in_subtree, minimal_paths, subtree_q

from . import selectors, services
from .filters import AreaFilter, MemberFilter, OrgFilter
from .forms import (
    MemberForm,
    OrgCloseForm,
    OrgForm,
    OrgMoveForm,
    PostAssignForm,
    PostEndForm,
    add_service_errors,
)
from .models import Area, AreaKind, Member, Org, OrgKind, Post, PostKind

PAGE_SIZE = 50
CHILDREN_LIMIT = 500  # a tree level longer than this links to the filtered list instead
DETAIL_MEMBERS = 50
# Areas whose tree row shows the coverage of the grids and buildings under them.
COVERAGE_KINDS = {AreaKind.CITY, AreaKind.DISTRICT, AreaKind.STREET, AreaKind.TOWN, AreaKind.COMMUNITY,
                  AreaKind.VILLAGE}
# What "covered" means for an area: a grid has a branch, a building has a group, any
# other area has some open organisation.
COVERING_KIND = {AreaKind.GRID: OrgKind.BRANCH, AreaKind.BUILDING: OrgKind.GROUP}


def _url(name, *args, **params):
    url = reverse(name, args=args)
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def _paginate(request, filterset):
    """A page of the filtered rows; a filter that does not validate shows its error and no rows."""
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def visible_ancestors(user, org):
    """The ancestors of `org` the user may see, top first (one query)."""
    scope = scope_paths(user, "view")
    paths = [org.path[: i * Org.steplen] for i in range(1, org.depth)]
    paths = [p for p in paths if in_subtree(p, scope)]
    return list(Org.objects.filter(path__in=paths).order_by("path")) if paths else []


def member_counts(user, org_ids):
    """Active members held directly by each org, as far as the user may see members: one GROUP BY."""
    if not org_ids:
        return {}
    rows = (
        Member.objects.visible_to(user, "view_members")
        .filter(org_id__in=list(org_ids), left_on__isnull=True)
        .order_by()
        .values_list("org_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


# Filters on pages --------------------------------------------------------------------

class OrgPageFilter(PageFilterMixin, OrgFilter):
    """The org list: the shared OrgFilter plus `area` (the orgs covering one area, linked
    from the area pages)."""

    area = django_filters.NumberFilter(label=gettext_lazy("覆盖区域编号"), field_name="area_id")
    hidden_fields = ("parent", "area")

    class Meta(OrgFilter.Meta):
        fields = [*OrgFilter.Meta.fields, "area"]


class MemberPageFilter(PageFilterMixin, MemberFilter):
    hidden_fields = ("org",)


def _covered_q():
    """Q on areas that are covered (see COVERING_KIND), for use after `_with_cover_flags`."""
    q = Q(has_any=True) & ~Q(kind__in=list(COVERING_KIND))
    for area_kind in COVERING_KIND:
        q |= Q(kind=area_kind, **{f"has_{area_kind}_org": True})
    return q


def _with_cover_flags(queryset):
    open_orgs = Org.objects.filter(area=OuterRef("pk"), closed_at__isnull=True)
    flags = {f"has_{area_kind}_org": Exists(open_orgs.filter(kind=org_kind))
             for area_kind, org_kind in COVERING_KIND.items()}
    return queryset.alias(has_any=Exists(open_orgs), **flags)


class AreaPageFilter(PageFilterMixin, AreaFilter):
    """The area list: the shared AreaFilter plus `within` (an area's subtree) and
    `covered` (what the coverage figures count)."""

    within = django_filters.NumberFilter(label=gettext_lazy("所属区域编号（含下级）"), method="filter_within")
    covered = django_filters.BooleanFilter(label=gettext_lazy("已覆盖"), method="filter_covered")
    hidden_fields = ("parent",)

    class Meta(AreaFilter.Meta):
        fields = [*AreaFilter.Meta.fields, "within", "covered"]

    def filter_within(self, queryset, name, value):
        root = Area.objects.filter(pk=value).only("path").first()
        if root is None:
            return queryset.none()
        return queryset.filter(subtree_q("path", [root.path]))

    def filter_covered(self, queryset, name, value):
        queryset = _with_cover_flags(queryset)
        return queryset.filter(_covered_q()) if value else queryset.exclude(_covered_q())


def _with_defaults(request, **defaults):
    """The query with list defaults (open orgs, active members) unless the user chose."""
    data = request.GET.copy()
    for key, value in defaults.items():
        if key not in data:
            data[key] = value
    return data


def _filter_fields(filterset, names):
    form = filterset.form
    return [form[name] for name in names], [form[name] for name in form.fields if name not in names]


# Overview component ------------------------------------------------------------------

def overview_context(user, root=None):
    """The subtree overview with a link on every figure, plus the panels other modules
    register. Used by the home page and the org page."""
    figures = selectors.overview(user, root)
    within = root.pk if root is not None else None
    for item in figures["orgs_by_kind"]:
        item["url"] = _url("orgs:org_list", kind=item["key"], within=within)
    for item in figures["orgs_by_sector"]:
        item["url"] = _url("orgs:org_list", sector=item["key"], within=within)
    for item in figures["members_by_status"]:
        item["url"] = _url("orgs:member_list", status=item["key"], within=within)
    for item in figures["members_by_category"]:
        item["url"] = _url("orgs:member_list", category=item["key"], within=within)
    figures["orgs_url"] = _url("orgs:org_list", within=within)
    figures["grassroots_url"] = _url("orgs:org_list", grassroots="true", within=within)
    figures["members_url"] = _url("orgs:member_list", within=within)
    area_within = root.area_id if root is not None else None
    has_areas = root is None or root.area_id is not None
    coverage = []
    if has_areas:
        labels = {AreaKind.GRID: (_("网格"), _("有党支部")), AreaKind.BUILDING: (_("楼栋"), _("有党小组"))}
        for kind, (label, covered_label) in labels.items():
            data = figures["coverage"][kind]
            coverage.append({
                "label": label,
                "covered_label": covered_label,
                "total": data["total"],
                "covered": data["covered"],
                "uncovered": data["total"] - data["covered"],
                "rate": data["rate"],
                "url_total": _url("orgs:area_list", kind=kind, within=area_within),
                "url_covered": _url("orgs:area_list", kind=kind, covered="true", within=area_within),
                "url_uncovered": _url("orgs:area_list", kind=kind, covered="false", within=area_within),
            })
    return {
        "overview": figures,
        "coverage": coverage,
        "panels": core_overview.panels(user, root),
        "can_view_members": bool(scope_paths(user, "view_members")),
    }


def root_from_request(request):
    """`?root=<org id>`: narrow to a visible subtree; anything else is 404."""
    value = request.GET.get("root")
    if not value:
        return None
    return get_visible_or_404(Org.objects, request.user, "view", pk=value)


# Organisations -----------------------------------------------------------------------

def _children_with_counts(user, org):
    """One tree level under `org` with member counts: two queries, capped at CHILDREN_LIMIT."""
    children = list(selectors.children_of(user, org)[: CHILDREN_LIMIT + 1])
    more = len(children) > CHILDREN_LIMIT
    children = children[:CHILDREN_LIMIT]
    counts = member_counts(user, [c.pk for c in children])
    for child in children:
        child.member_count = counts.get(child.pk, 0)
    return children, more


@login_required
def tree(request):
    """The user's root orgs; a single root opens one level down at once."""
    user = request.user
    roots = selectors.root_orgs(user)
    counts = member_counts(user, [org.pk for org in roots])
    for org in roots:
        org.member_count = counts.get(org.pk, 0)
    if len(roots) == 1 and roots[0].numchild:
        root = roots[0]
        root.preloaded = True
        root.loaded_children, root.more_children = _children_with_counts(user, root)
        root.more_url = _url("orgs:org_list", parent=root.pk, closed="unknown")
    return render(request, "orgs/tree.html", {"roots": roots})


@login_required
def org_children(request, pk):
    """The partial one tree level down (loaded by htmx when a node is opened)."""
    org = get_visible_or_404(Org.objects, request.user, "view", pk=pk)
    children, more = _children_with_counts(request.user, org)
    return render(request, "orgs/_children.html", {
        "org": org, "children": children, "more": more,
        "more_url": _url("orgs:org_list", parent=org.pk, closed="unknown"),
    })


@login_required
def org_list(request):
    data = _with_defaults(request, closed="false")
    filterset = OrgPageFilter(data, queryset=Org.objects.visible_to(request.user).select_related("area"))
    page, query = _paginate(request, filterset)
    counts = member_counts(request.user, [org.pk for org in page])
    for org in page:
        org.member_count = counts.get(org.pk, 0)
    shown, hidden = _filter_fields(filterset, ["q", "kind", "sector", "within", "grassroots", "closed"])
    within_org = _named_org(request.user, filterset.form, "within")
    return render(request, "orgs/org_list.html", {
        "filter": filterset, "fields": shown, "hidden_fields": hidden, "page": page, "query": query,
        "within_org": within_org,
    })


def _named_org(user, form, field):
    """The org a picker field names, if the user may see it (to show its name beside the number)."""
    value = form.data.get(field)
    if not value or not str(value).isdigit():
        return None
    return Org.objects.visible_to(user).filter(pk=value).only("name", "path").first()


@login_required
def org_detail(request, pk):
    user = request.user
    org = get_visible_or_404(Org.objects.select_related("area"), user, "view", pk=pk)
    children, more_children = _children_with_counts(user, org)
    can_view_members = user_can(user, "view_members", org)
    can_change = user_can(user, "change", org)
    direct_members = []
    if can_view_members:
        direct_members = list(
            Member.objects.visible_to(user, "view_members").filter(org=org, left_on__isnull=True)
            .order_by("name", "pk")[:DETAIL_MEMBERS]
        )
    counts = member_counts(user, [org.pk])
    rank = {kind: i for i, kind in enumerate(PostKind.values)}  # secretary first, as the choices list them
    posts = sorted(Post.objects.filter(org=org).current().select_related("member", "area"),
                   key=lambda post: (rank.get(post.kind, len(rank)), post.start_on))
    context = {
        "org": org,
        "ancestors": visible_ancestors(user, org),
        "children": children,
        "more_children": more_children,
        "children_url": _url("orgs:org_list", parent=org.pk, closed="unknown"),
        "posts": posts,
        "members": direct_members,
        "direct_member_count": counts.get(org.pk, 0),
        "can_view_members": can_view_members,
        "can_change": can_change,
        "post_form": PostAssignForm(user=user) if can_change and not org.closed_at else None,
        "members_url": _url("orgs:member_list", org=org.pk),
        "members_within_url": _url("orgs:member_list", within=org.pk),
        **overview_context(user, org),
    }
    return render(request, "orgs/org_detail.html", context)


def _may_change(user, org):
    """Don't offer a form whose submission the service would refuse (it checks again)."""
    if not user_can(user, "change", org):
        raise PermissionDenied(_("您无权对该组织进行此操作。"))


def _form_page(request, form, *, title, org=None, cancel_url, submit=None, intro="", danger=False, **extra):
    """One template for every form page: breadcrumbs to `org`, fields, errors, submit."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["aria-invalid"] = "true"
            form.fields[name].widget.attrs["aria-describedby"] = f"{name}-errors"
    return render(request, "orgs/form.html", {
        "form": form, "title": title, "org": org, "cancel_url": cancel_url, "submit": submit or _("保存"),
        "intro": intro, "danger": danger,
        "ancestors": [*visible_ancestors(request.user, org), org] if org is not None else [],
        **extra,
    })


@login_required
def org_create(request):
    user = request.user
    parent = get_visible_or_404(Org.objects, user, "view", pk=request.GET.get("parent") or 0)
    _may_change(user, parent)
    if request.method == "POST":
        form = OrgForm(request.POST, user=user)
        if form.is_valid():
            try:
                org = services.org_create(actor=user, parent=parent, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已创建党组织“%(name)s”。") % {"name": org.name})
                return redirect("orgs:org_detail", org.pk)
    else:
        form = OrgForm(user=user, initial={"sector": parent.sector})
    return _form_page(request, form, title=_("新建下级党组织"), org=parent,
                      intro=_("上级组织：%(name)s") % {"name": parent.name},
                      cancel_url=reverse("orgs:org_detail", args=[parent.pk]))


@login_required
def org_edit(request, pk):
    user = request.user
    org = get_visible_or_404(Org.objects, user, "view", pk=pk)
    _may_change(user, org)
    if request.method == "POST":
        form = OrgForm(request.POST, user=user)
        if form.is_valid():
            try:
                services.org_update(actor=user, org=org, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc, {"area_id": "area"})
            else:
                messages.success(request, _("已保存。"))
                return redirect("orgs:org_detail", org.pk)
    else:
        form = OrgForm(user=user, initial=OrgForm.initial_for(org))
    return _form_page(request, form, title=_("修改党组织信息"), org=org,
                      cancel_url=reverse("orgs:org_detail", args=[org.pk]))


@login_required
def org_move(request, pk):
    user = request.user
    org = get_visible_or_404(Org.objects, user, "view", pk=pk)
    _may_change(user, org)
    if request.method == "POST":
        form = OrgMoveForm(request.POST, user=user)
        if form.is_valid():
            new_parent = form.cleaned_data["new_parent"]
            try:
                services.org_move(actor=user, org=org, new_parent=new_parent)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已移动到“%(name)s”之下。") % {"name": new_parent.name})
                return redirect("orgs:org_detail", org.pk)
    else:
        form = OrgMoveForm(user=user)
    return _form_page(request, form, title=_("移动党组织"), org=org, submit=_("移动"),
                      intro=_("“%(name)s”及其全部下级组织将移到新的上级组织之下。") % {"name": org.name},
                      cancel_url=reverse("orgs:org_detail", args=[org.pk]))


@login_required
def org_close(request, pk):
    user = request.user
    org = get_visible_or_404(Org.objects, user, "view", pk=pk)
    _may_change(user, org)
    if request.method == "POST":
        form = OrgCloseForm(request.POST)
        if form.is_valid():
            try:
                services.org_close(actor=user, org=org, on=form.cleaned_data["closed_at"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已撤销。"))
                return redirect("orgs:org_detail", org.pk)
    else:
        form = OrgCloseForm()
    return _form_page(request, form, title=_("撤销党组织"), org=org, submit=_("撤销"), danger=True,
                      intro=_("撤销前须先撤销或移走全部下级组织，并转出全部党员。"),
                      cancel_url=reverse("orgs:org_detail", args=[org.pk]))


@login_required
def post_assign(request, pk):
    user = request.user
    org = get_visible_or_404(Org.objects, user, "view", pk=pk)
    _may_change(user, org)
    if request.method == "POST":
        form = PostAssignForm(request.POST, user=user)
        if form.is_valid():
            try:
                post = services.post_assign(actor=user, org=org, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已任命：%(post)s。") % {"post": post})
                return redirect("orgs:org_detail", org.pk)
    else:
        form = PostAssignForm(user=user, initial={"member": request.GET.get("member")})
    return _form_page(request, form, title=_("任命职务"), org=org, submit=_("任命"),
                      cancel_url=reverse("orgs:org_detail", args=[org.pk]))


@login_required
def post_end(request, pk):
    user = request.user
    post = get_visible_or_404(Post.objects.select_related("org", "member"), user, "view", pk=pk)
    _may_change(user, post.org)
    if request.method == "POST":
        form = PostEndForm(request.POST)
        if form.is_valid():
            try:
                services.post_end(actor=user, post=post, end_on=form.cleaned_data["end_on"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已免去：%(post)s。") % {"post": post})
                return redirect("orgs:org_detail", post.org_id)
    else:
        form = PostEndForm()
    return _form_page(request, form, title=_("免去职务"), org=post.org, submit=_("免去"), danger=True,
                      intro=str(post), cancel_url=reverse("orgs:org_detail", args=[post.org_id]))


# Members -----------------------------------------------------------------------------

@login_required
def member_list(request):
    data = _with_defaults(request, left="false")
    queryset = Member.objects.visible_to(request.user, "view_members").select_related("org").order_by("name", "pk")
    filterset = MemberPageFilter(data, queryset=queryset)
    page, query = _paginate(request, filterset)
    shown, hidden = _filter_fields(filterset, ["q", "status", "category", "within", "gender", "left"])
    return render(request, "orgs/member_list.html", {
        "filter": filterset, "fields": shown, "hidden_fields": hidden, "page": page, "query": query,
        "within_org": _named_org(request.user, filterset.form, "within"),
        "only_org": _named_org(request.user, filterset.form, "org"),
    })


def _member_context(request, member, revealed=None):
    user = request.user
    posts = list(member.posts.select_related("org", "area").order_by("-start_on"))
    scope = scope_paths(user, "view")
    for post in posts:
        post.org_visible = in_subtree(post.org.path, scope)
    return {
        "member": member,
        "ancestors": [*visible_ancestors(user, member.org), member.org] if user_can(user, "view", member.org) else [],
        "posts": posts,
        "can_reveal": user_can(user, "view_full_id", member.org),
        "can_change": user_can(user, "change", member.org),
        "revealed": revealed,
    }


@login_required
def member_detail(request, pk):
    member = get_visible_or_404(
        Member.objects.select_related("org", "residence_area", "employer_org"), request.user, "view_members", pk=pk
    )
    return render(request, "orgs/member_detail.html", _member_context(request, member))


@never_cache
@require_POST
@login_required
def member_reveal(request, pk):
    """The full ID number, phone and address, on this response only (audited by the service)."""
    member = get_visible_or_404(
        Member.objects.select_related("org", "residence_area", "employer_org"), request.user, "view_members", pk=pk
    )
    revealed = services.member_reveal(actor=request.user, member=member)
    return render(request, "orgs/member_detail.html", _member_context(request, member, revealed))


@login_required
def member_create(request):
    user = request.user
    org = None
    if request.GET.get("org"):
        org = get_visible_or_404(Org.objects, user, "view", pk=request.GET["org"])
        _may_change(user, org)
    if request.method == "POST":
        form = MemberForm(request.POST, user=user)
        if form.is_valid():
            try:
                member = services.member_create(actor=user, **form.service_fields())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已登记党员“%(name)s”。") % {"name": member.name})
                return redirect("orgs:member_detail", member.pk)
    else:
        form = MemberForm(user=user, initial={"org": org.pk if org else None})
    cancel_url = reverse("orgs:org_detail", args=[org.pk]) if org else reverse("orgs:member_list")
    intro = _("所在党组织：%(name)s（编号 %(pk)s）") % {"name": org.name, "pk": org.pk} if org else ""
    return _form_page(request, form, title=_("登记党员"), org=org, cancel_url=cancel_url, intro=intro)


@login_required
def member_edit(request, pk):
    user = request.user
    member = get_visible_or_404(Member.objects.select_related("org"), user, "view_members", pk=pk)
    _may_change(user, member.org)
    if request.method == "POST":
        form = MemberForm(request.POST, user=user, member=member)
        if form.is_valid():
            try:
                services.member_update(actor=user, member=member, **form.service_fields())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("orgs:member_detail", member.pk)
    else:
        form = MemberForm(user=user, member=member, initial=MemberForm.initial_for(member))
    return _form_page(request, form, title=_("修改党员信息：%(name)s") % {"name": member.name}, org=member.org,
                      cancel_url=reverse("orgs:member_detail", args=[member.pk]))


# Areas -------------------------------------------------------------------------------

def _area_coverage(parent_paths_by_depth):
    """Grids with a branch and buildings with a group under each given area, as
    {path: {"grid": (covered, total), "building": (covered, total)}}: one GROUP BY per
    tree level present (at most four: city, district, street, community)."""
    result = {}
    for depth, paths in parent_paths_by_depth.items():
        length = depth * Area.steplen
        rows = (
            _with_cover_flags(Area.objects.filter(subtree_q("path", paths), kind__in=list(COVERING_KIND)))
            .order_by()
            .annotate(prefix=Substr("path", 1, length))
            .values("prefix", "kind")
            .annotate(total=Count("pk"), covered=Count("pk", filter=_covered_q()))
            .values_list("prefix", "kind", "covered", "total")
        )
        for prefix, kind, covered, total in rows:
            result.setdefault(prefix, {})[kind] = (covered, total)
    return result


AREA_ORG_NAMES = 3  # covering orgs named on an area's row; the rest are a count linking to the list


def _decorate_areas(user, areas):
    """Coverage figures, the covered flag and covering orgs for a list of areas: a fixed
    number of queries whatever the number of areas (coverage: one per tree level)."""
    by_depth = {}
    for area in areas:
        if area.kind in COVERAGE_KINDS:
            by_depth.setdefault(area.depth, []).append(area.path)
    coverage = _area_coverage(by_depth)
    ids = [a.pk for a in areas]
    visible_orgs = Org.objects.visible_to(user).filter(area_id__in=ids)
    org_counts = dict(visible_orgs.order_by().values_list("area_id").annotate(n=Count("pk")))
    leaf_ids = [a.pk for a in areas if a.kind in COVERING_KIND]
    covered = set()
    names = {}
    if leaf_ids:
        for area_id, kind in Org.objects.filter(area_id__in=leaf_ids, closed_at__isnull=True).values_list(
            "area_id", "kind"
        ):
            covered.add((area_id, kind))
        for org in visible_orgs.filter(area_id__in=leaf_ids).only("pk", "name", "area_id").order_by("path"):
            names.setdefault(org.area_id, []).append(org)
    for area in areas:
        area.org_count = org_counts.get(area.pk, 0)
        area.orgs_url = _url("orgs:org_list", area=area.pk)
        area.named_orgs = names.get(area.pk, [])[:AREA_ORG_NAMES]
        area.is_covered = (area.pk, COVERING_KIND.get(area.kind)) in covered
        area.coverage = []
        if area.kind in COVERAGE_KINDS:
            figures = coverage.get(area.path, {})
            for kind, label in ((AreaKind.GRID, _("网格有支部")), (AreaKind.BUILDING, _("楼栋有小组"))):
                done, total = figures.get(kind, (0, 0))
                area.coverage.append({
                    "label": label, "covered": done, "total": total,
                    "url": _url("orgs:area_list", kind=kind, within=area.pk),
                })
        area.has_coverage = any(c["total"] for c in area.coverage)
    return areas


def visible_root_areas(user):
    """The areas of the user's root orgs (the tops of what the area tree shows)."""
    paths = minimal_paths(org.area.path for org in selectors.root_orgs(user) if org.area_id)
    return list(Area.objects.filter(path__in=paths).order_by("path"))


def _area_children(user, area):
    children = list(
        Area.objects.filter(path__startswith=area.path, depth=area.depth + 1).order_by("path")[: CHILDREN_LIMIT + 1]
    )
    more = len(children) > CHILDREN_LIMIT
    return _decorate_areas(user, children[:CHILDREN_LIMIT]), more


@login_required
def area_tree(request):
    """The areas of the user's root orgs; a single root opens one level down at once."""
    if {"kind", "covered", "within", "q"} & set(request.GET):
        # Figures may link to /areas/?kind=grid&covered=0: that is the list.
        return redirect(f"{reverse('orgs:area_list')}?{request.GET.urlencode()}")
    roots = _decorate_areas(request.user, visible_root_areas(request.user))
    if len(roots) == 1 and roots[0].numchild:
        root = roots[0]
        root.preloaded = True
        root.loaded_children, root.more_children = _area_children(request.user, root)
        root.more_url = _url("orgs:area_list", parent=root.pk)
    return render(request, "orgs/area_tree.html", {"roots": roots})


@login_required
def area_children(request, pk):
    area = get_visible_or_404(Area.objects, request.user, "view", pk=pk)
    children, more = _area_children(request.user, area)
    return render(request, "orgs/_area_children.html", {
        "area": area, "children": children, "more": more, "more_url": _url("orgs:area_list", parent=area.pk),
    })


@login_required
def area_list(request):
    filterset = AreaPageFilter(request.GET.copy(), queryset=Area.objects.visible_to(request.user))
    page, query = _paginate(request, filterset)
    areas = _decorate_areas(request.user, list(page))
    parent_paths = {a.path[: -Area.steplen] for a in areas if a.depth > 1}
    parents = {p.path: p for p in Area.objects.visible_to(request.user).filter(path__in=parent_paths)
               .only("pk", "name", "path")}
    for area in areas:
        area.parent_area = parents.get(area.path[: -Area.steplen])
    shown, hidden = _filter_fields(filterset, ["q", "kind", "within", "covered"])
    within_area = None
    value = request.GET.get("within")
    if value and value.isdigit():
        within_area = Area.objects.visible_to(request.user).filter(pk=value).first()
    return render(request, "orgs/area_list.html", {
        "filter": filterset, "fields": shown, "hidden_fields": hidden, "page": page, "areas": areas,
        "query": query, "within_area": within_area,
    })

