"""What the organisation system lets a person pick: organisations, areas and members,
each inside the user's scope for the action the form performs (registered in
`OrgsConfig.ready`)."""

from dangjian.core import pickers
from dangjian.core.scope import ScopedQuerySet
from dangjian.core.tree import subtree_q

from .filters import search_filter
from .models import Area, Member, Org

ORG_ACTIONS = ("view", "change", "view_members", "export")


def _within(path_field):
    """The `within=<org id>` option: rows in that org's subtree."""
    def narrow(queryset, value):
        root = Org.objects.filter(pk=int(value)).only("path").first() if str(value).isdigit() else None
        return queryset.filter(subtree_q(path_field, [root.path])) if root is not None else queryset.none()
    return narrow


def _parent_names(model, *fields):
    """Names repeat (every grid has a 1号楼, many committees a 第一党支部): a result's note
    names its parent (the first non-empty of `fields`) when the user may see it, one
    query for a page of results."""
    def prepare(rows, scoped):
        parents = {row.path[:-model.steplen] for row in rows if row.depth > 1}
        found = scoped.filter(path__in=parents).values_list("path", *fields) if parents else ()
        names = {path: next((name for name in names if name), "") for path, *names in found}
        for row in rows:
            row.parent_name = names.get(row.path[:-model.steplen], "")
    return prepare


def _tree_note(row):
    parent = getattr(row, "parent_name", "")
    return f"{parent} · {row.get_kind_display()}" if parent else row.get_kind_display()


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
        note=_tree_note, order_by=("depth", "path"), actions=ORG_ACTIONS,
        prepare=_parent_names(Org, "short_name", "name"),
        options={"open": lambda qs, value: qs.open(), "within": _within("path")},
    )
    pickers.register(
        "area",
        queryset=lambda user, action: Area.objects.visible_to(user, action),
        note=_tree_note, order_by=("depth", "path"), actions=("view", "change"), prepare=_parent_names(Area, "name"),
    )
    pickers.register(
        "member",
        queryset=_members_in_scope,
        search=search_filter, note=_member_note, order_by=("name", "pk"),
        actions=("view_members", "change"), select_related=("org",),
        options={"active": lambda qs, value: qs.active(), "within": _within("org__path")},
    )

