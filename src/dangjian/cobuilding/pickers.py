"""What the co-building pages let a person pick: units in the user's scope (registered in
`CobuildingConfig.ready`; the community_service app picks units with it too)."""

from django.utils.translation import gettext_lazy as _  # noqa: F401

from dangjian.core import pickers
from dangjian.orgs.filters import search_filter
from dangjian.orgs.pickers import _within

from .models import Unit


def _unit_note(unit):
    return f"{unit.org.short_name or unit.org.name} · {unit.get_kind_display()}"


def register():
    pickers.register(
        "unit",
        queryset=lambda user, action: Unit.objects.visible_to(user, action).active(),
        search=search_filter, note=_unit_note, order_by=("name", "pk"), actions=("view", "change"),
        select_related=("org",), options={"within": _within("org__path")},
    )
