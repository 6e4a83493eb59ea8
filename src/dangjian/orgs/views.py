"""Pages of the organisation system: trees, lists and records of orgs, members and areas,
on the kit's scoped generic views (core.generic_views) and tables (core.tables).

Every read starts from `visible_to(user)`; anything outside the user's subtrees is 404.
Every write goes through `orgs.services`; a refusal there (PermissionDenied) is the 403
page, a ValidationError is shown on the field it names. Trees load one level at a time
(htmx), so opening a city of 25,000 organisations costs the same as opening a branch.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
import django_filters

from dangjian.core import overview as core_overview
from dangjian.core.generic_views import ObjectDetailView, ObjectEditView, ObjectListView
from dangjian.core.landing import landing_url
from dangjian.core.page_filters import PageFilterMixin
from dangjian.core.scope import get_visible_or_404, scope_paths, user_can
from dangjian.core.text import PinyinOrder
from dangjian.core.tree import in_subtree, minimal_paths, subtree_q

from . import selectors, services
from .filters import AreaFilter, IdFilter, MemberFilter, OrgFilter
from .forms import (
    MemberForm,
    OrgCloseForm,
    OrgForm,
    OrgMoveForm,
    PostAssignForm,
    PostEndForm,
)
from .models import Area, AreaKind, Member, Org, OrgKind, Post, PostKind
from .tables import AreaTable, MemberTable, OrgTable

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

    area = IdFilter(label=gettext_lazy("覆盖区域编号"), field_name="area_id")
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

    within = IdFilter(label=gettext_lazy("所属区域（含下级）"), method="filter_within")
    covered = django_filters.BooleanFilter(label=gettext_lazy("已覆盖"), method="filter_covered")
    hidden_fields = ("parent",)
    pickers = {"within": "area"}

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
        # Other modules' panels load after the page (overview_panel): placeholders only here.
        "panels": [{"key": panel.key, "title": panel.title,
                    "url": _url("orgs:overview_panel", panel.key, root=root.pk if root is not None else None)}
                   for panel in core_overview.registered()],
        "can_view_members": bool(scope_paths(user, "view_members")),
    }


@login_required
def overview_panel(request, key):
    """One module's overview panel, fetched by htmx once the home or org page has loaded, so
    that neither page waits for every module's figures. `?root=` as on the home page (404
    outside the scope). Without htmx (the placeholder's plain link) it is a page of its own."""
    panel = core_overview.get(key)
    if panel is None:
        raise Http404
    root = root_from_request(request)
    context = {"panel": panel.compute(request.user, root), "title": panel.title, "root": root}
    template = "includes/overview_panel.html" if request.headers.get("HX-Request") else "core/overview_panel.html"
    response = render(request, template, context)
    response["Cache-Control"] = "private, no-store"
    return response


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


def _named_org(user, form, field):
    """The org a picker field names, if the user may see it (to show its name beside the number)."""
    value = form.data.get(field)
    if not value or not str(value).isdigit():
        return None
    return Org.objects.visible_to(user).filter(pk=value).only("name", "path").first()


class OrgListView(ObjectListView):
    queryset = Org.objects.select_related("area")
    filterset_class = OrgPageFilter
    filter_defaults = {"closed": "false"}
    filter_fields = ("q", "kind", "sector", "within", "grassroots", "closed")
    table_class = OrgTable
    template_name = "orgs/org_list.html"

    def get_table_kwargs(self):
        return {"member_counts": lambda ids: member_counts(self.request.user, ids)}

    def get_extra_context(self, table, filterset):
        return {"within_org": _named_org(self.request.user, filterset.form, "within"),
                "can_export": bool(scope_paths(self.request.user, "export"))}  # its own grant: no link to a 403


class OrgDetailView(ObjectDetailView):
    queryset = Org.objects.select_related("area")
    template_name = "orgs/org_detail.html"
    context_object_name = "org"

    def get_extra_context(self):
        user, org = self.request.user, self.object
        children, more_children = _children_with_counts(user, org)
        can_view_members = user_can(user, "view_members", org)
        can_change = user_can(user, "change", org)
        direct_members = []
        if can_view_members:
            direct_members = list(
                Member.objects.visible_to(user, "view_members").filter(org=org, left_on__isnull=True)
                .order_by(PinyinOrder().asc(), "pk")[:DETAIL_MEMBERS]
            )
        counts = member_counts(user, [org.pk])
        rank = {kind: i for i, kind in enumerate(PostKind.values)}  # secretary first, as the choices list them
        posts = sorted(Post.objects.filter(org=org).current().select_related("member", "person", "area"),
                       key=lambda post: (rank.get(post.kind, len(rank)), post.start_on))
        return {
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


class OrgFormView(ObjectEditView):
    """A form page on an org (or on something an org holds): breadcrumbs to that org,
    back to its page afterwards. The form classes take the user (their pickers are scoped)."""

    queryset = Org.objects.all()
    template_name = "orgs/form.html"

    def page_org(self):
        return self.object

    def permission_org(self, obj):
        return self.page_org()

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def service_kwargs(self, form):
        return {"org": self.object, **form.cleaned_data}

    def get_cancel_url(self):
        org = self.page_org()
        return reverse("orgs:org_detail", args=[org.pk]) if org else reverse("orgs:member_list")

    def get_success_url(self, result):
        return reverse("orgs:org_detail", args=[self.page_org().pk])

    def get_extra_context(self):
        org = self.page_org()
        return {"org": org, "ancestors": [*visible_ancestors(self.request.user, org), org] if org else []}


class OrgCreateView(OrgFormView):
    """A new org under `?parent=<id>`."""

    form_class = OrgForm
    service = services.org_create
    title = gettext_lazy("新建下级党组织")

    def get_lookup(self):
        return self.request.GET.get("parent") or 0

    def get_initial(self):
        return {"sector": self.object.sector}

    def service_kwargs(self, form):
        return {"parent": self.object, **form.cleaned_data}

    def get_intro(self):
        return _("上级组织：%(name)s") % {"name": self.object.name}

    def get_success_message(self, org):
        return _("已创建党组织“%(name)s”。") % {"name": org.name}

    def get_success_url(self, org):
        return reverse("orgs:org_detail", args=[org.pk])


class OrgEditView(OrgFormView):
    form_class = OrgForm
    service = services.org_update
    title = gettext_lazy("修改党组织信息")
    error_aliases = {"area_id": "area"}

    def get_initial(self):
        return OrgForm.initial_for(self.object)


class OrgMoveView(OrgFormView):
    form_class = OrgMoveForm
    service = services.org_move
    title = gettext_lazy("移动党组织")
    submit = gettext_lazy("移动")

    def get_intro(self):
        return _("“%(name)s”及其全部下级组织将移到新的上级组织之下。") % {"name": self.object.name}

    def get_success_message(self, result):
        return _("已移动到“%(name)s”之下。") % {"name": self.form.cleaned_data["new_parent"].name}


class OrgCloseView(OrgFormView):
    form_class = OrgCloseForm
    service = services.org_close
    title = gettext_lazy("撤销党组织")
    submit = gettext_lazy("撤销")
    success_message = gettext_lazy("已撤销。")
    danger = True

    def get_form_kwargs(self):
        return {}

    def service_kwargs(self, form):
        return {"org": self.object, "on": form.cleaned_data["closed_at"]}

    def get_intro(self):
        return _("撤销前须先撤销或移走全部下级组织，并转出全部党员。")


class PostAssignView(OrgFormView):
    form_class = PostAssignForm
    service = services.post_assign
    title = gettext_lazy("任命职务")
    submit = gettext_lazy("任命")

    error_aliases = {"name": "person_name", "phone": "person_phone", "person": "person_name"}

    def get_initial(self):
        return {"member": self.request.GET.get("member")}

    def call_service(self, form):
        kwargs = self.service_kwargs(form)
        name, phone = kwargs.pop("person_name", ""), kwargs.pop("person_phone", "")
        if kwargs.get("member") is None and name:
            kwargs.pop("member", None)
            return services.post_assign_resident(actor=self.request.user, person_name=name, person_phone=phone,
                                                 **kwargs)
        return services.post_assign(actor=self.request.user, **kwargs)

    def get_success_message(self, post):
        return _("已任命：%(post)s。") % {"post": post}


class PostEndView(OrgFormView):
    queryset = Post.objects.select_related("org", "member")
    form_class = PostEndForm
    service = services.post_end
    title = gettext_lazy("免去职务")
    submit = gettext_lazy("免去")
    danger = True

    def page_org(self):
        return self.object.org

    def get_form_kwargs(self):
        return {}

    def service_kwargs(self, form):
        return {"post": self.object, "end_on": form.cleaned_data["end_on"]}

    def get_intro(self):
        return str(self.object)

    def get_success_message(self, result):
        return _("已免去：%(post)s。") % {"post": self.object}


org_list = OrgListView.as_view()
org_detail = OrgDetailView.as_view()
org_create = OrgCreateView.as_view()
org_edit = OrgEditView.as_view()
org_move = OrgMoveView.as_view()
org_close = OrgCloseView.as_view()
post_assign = PostAssignView.as_view()
post_end = PostEndView.as_view()


# Members -----------------------------------------------------------------------------

class MemberListView(ObjectListView):
    queryset = Member.objects.select_related("org").order_by(PinyinOrder().asc(), "pk")
    view_action = "view_members"
    filterset_class = MemberPageFilter
    filter_defaults = {"left": "false"}
    filter_fields = ("q", "status", "category", "within", "gender", "left")
    table_class = MemberTable
    template_name = "orgs/member_list.html"

    def get_extra_context(self, table, filterset):
        return {"within_org": _named_org(self.request.user, filterset.form, "within"),
                "only_org": _named_org(self.request.user, filterset.form, "org"),
                "can_export": bool(scope_paths(self.request.user, "export"))}


class MemberDetailView(ObjectDetailView):
    queryset = Member.objects.select_related("org", "residence_area", "employer_org")
    view_action = "view_members"
    template_name = "orgs/member_detail.html"
    context_object_name = "member"
    revealed = None

    def get_extra_context(self):
        user, member = self.request.user, self.object
        posts = list(member.posts.select_related("org", "area").order_by("-start_on"))
        scope = scope_paths(user, "view")
        for post in posts:
            post.org_visible = in_subtree(post.org.path, scope)
        return {
            "ancestors": [*visible_ancestors(user, member.org), member.org]
            if user_can(user, "view", member.org) else [],
            "posts": posts,
            "can_reveal": user_can(user, "view_full_id", member.org),
            "can_change": user_can(user, "change", member.org),
            "revealed": self.revealed,
        }


@method_decorator(never_cache, name="dispatch")
class MemberRevealView(MemberDetailView):
    """The full ID number, phone and address, on this response only (audited by the service)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.revealed = services.member_reveal(actor=request.user, member=self.object)
        return self.get(request, *args, **kwargs)


class MemberFormView(OrgFormView):
    form_class = MemberForm

    def service_kwargs(self, form):
        return form.service_fields()

    def get_success_url(self, member):
        return reverse("orgs:member_detail", args=[member.pk])


class MemberCreateView(MemberFormView):
    """A new member; `?org=<id>` fills in the org (which must be one the user may change)."""

    service = services.member_create
    title = gettext_lazy("登记党员")
    object_required = False

    def get_object(self):
        if not self.request.GET.get("org"):
            return None
        return get_visible_or_404(Org.objects, self.request.user, "view", pk=self.request.GET["org"])

    def get_initial(self):
        return {"org": self.object.pk if self.object else None}

    def get_intro(self):
        org = self.object
        return _("所在党组织：%(name)s（编号 %(pk)s）") % {"name": org.name, "pk": org.pk} if org else ""

    def get_success_message(self, member):
        return _("已登记党员“%(name)s”。") % {"name": member.name}


class MemberEditView(MemberFormView):
    queryset = Member.objects.select_related("org")
    view_action = "view_members"
    service = services.member_update

    def page_org(self):
        return self.object.org

    def get_form_kwargs(self):
        return {"user": self.request.user, "member": self.object}

    def get_initial(self):
        return MemberForm.initial_for(self.object)

    def service_kwargs(self, form):
        return {"member": self.object, **form.service_fields()}

    def get_title(self):
        return _("修改党员信息：%(name)s") % {"name": self.object.name}

    def get_cancel_url(self):
        return reverse("orgs:member_detail", args=[self.object.pk])

    def get_success_url(self, result):
        return reverse("orgs:member_detail", args=[self.object.pk])


member_list = MemberListView.as_view()
member_detail = MemberDetailView.as_view()
member_reveal = MemberRevealView.as_view()
member_create = MemberCreateView.as_view()
member_edit = MemberEditView.as_view()


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


class AreaListView(ObjectListView):
    queryset = Area.objects.all()
    filterset_class = AreaPageFilter
    filter_fields = ("q", "kind", "within", "covered")
    table_class = AreaTable
    template_name = "orgs/area_list.html"

    def decorate(self, areas):
        """Coverage, covering orgs and the parent area of each row on the page."""
        user = self.request.user
        _decorate_areas(user, areas)
        parent_paths = {a.path[: -Area.steplen] for a in areas if a.depth > 1}
        parents = {p.path: p for p in Area.objects.visible_to(user).filter(path__in=parent_paths)
                   .only("pk", "name", "path")}
        for area in areas:
            area.parent_area = parents.get(area.path[: -Area.steplen])

    def get_table_kwargs(self):
        return {"decorate": self.decorate}

    def get_extra_context(self, table, filterset):
        value = self.request.GET.get("within")
        within_area = None
        if value and value.isdigit():
            within_area = Area.objects.visible_to(self.request.user).filter(pk=value).first()
        return {"within_area": within_area}


area_list = AreaListView.as_view()


# Home ---------------------------------------------------------------------------------

@login_required
def home(request):
    """The user's subtree at a glance; `?root=<org id>` narrows it to a visible org. Without
    `root`, a user whose work is elsewhere (core.landing) is sent there."""
    if "root" not in request.GET:
        url = landing_url(request.user)
        if url:
            return redirect(url)
    root = root_from_request(request)
    context = overview_context(request.user, root)
    context["root"] = root
    context["roots"] = selectors.root_orgs(request.user)
    context["ancestors"] = visible_ancestors(request.user, root) if root is not None else []
    return render(request, "core/home.html", context)
