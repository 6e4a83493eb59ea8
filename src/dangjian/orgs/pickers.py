"""What the organisation system lets a person pick: organisations, areas and members,
each inside the user's scope for the action the form performs (registered in
`OrgsConfig.ready`)."""

from dangjian.core import pickers
from dangjian.core.scope import ScopedQuerySet
from dangjian.core.tree import subtree_q

from .filters import search_filter
from .models import Area, Member, Org

ORG_ACTIONS = ("view", "change", "view_members", "export")


def _org_within(queryset, value):
    root = Org.objects.filter(pk=int(value)).only("path").first() if str(value).isdigit() else None
    return queryset.filter(subtree_q("path", [root.path])) if root is not None else queryset.none()


def _member_within(queryset, value):
    root = Org.objects.filter(pk=int(value)).only("path").first() if str(value).isdigit() else None
    return queryset.filter(subtree_q("org__path", [root.path])) if root is not None else queryset.none()


def _org_note(org):
    return org.get_kind_display()


def _with_parent_names(areas):
    """Areas repeat names (every grid has a "1号楼"): the note names the parent, one query per page."""
    parents = {area.path[:-Area.steplen] for area in areas if area.depth > 1}
    names = dict(Area.objects.filter(path__in=parents).values_list("path", "name")) if parents else {}
    for area in areas:
        area.parent_name = names.get(area.path[:-Area.steplen], "")


def _area_note(area):
    parent = getattr(area, "parent_name", "")
    return f"{parent} · {area.get_kind_display()}" if parent else area.get_kind_display()


def _members_in_scope(user, action):
    """Members of the user's subtrees, without the own-record extra of `Member.visible_to`:
    a person does not pick themselves, and that OR keeps PostgreSQL from starting at the
    path index (300 ms instead of 30 ms for a community secretary at nantong scale)."""
    return ScopedQuerySet.visible_to(Member.objects.all(), user, action)


def _member_note(member):
    return f"{member.org.short_name or member.org.name} · {member.id_number_masked}"


def register():
    pickers.register(
        "org",
        queryset=lambda user, action: Org.objects.visible_to(user, action),
        note=_org_note, order_by=("depth", "path"), actions=ORG_ACTIONS,
        options={"open": lambda qs, value: qs.open(), "within": _org_within},
    )
    pickers.register(
        "area",
        queryset=lambda user, action: Area.objects.visible_to(user, action),
        note=_area_note, order_by=("depth", "path"), actions=("view", "change"), prepare=_with_parent_names,
    )
    pickers.register(
        "member",
        queryset=_members_in_scope,
        search=search_filter, note=_member_note, order_by=("name", "pk"),
        actions=("view_members", "change"), select_related=("org",),
        options={"active": lambda qs, value: qs.active(), "within": _member_within},
    )

