"""Pickers: a person chooses an organisation, an area or a member by typing part of its
name, its pinyin or its initials (Simplified or Traditional), never its database number.

core imports no app, so apps register what may be picked in `AppConfig.ready`:

    pickers.register("org", queryset=lambda user, action: Org.objects.visible_to(user, action),
                     search=search_by_key, order_by=("depth", "path"))

One endpoint (`/pick/<kind>/?q=`) answers every picker on every page with at most
`LIMIT` rows, always from the kind's scoped queryset; `core.widgets.PickField` resolves
what a form sends back through the same queryset, so a picker cannot offer or accept a
row the user may not see.
"""

from dataclasses import dataclass, field
from typing import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .text import normalise_query

LIMIT = 20
MAX_QUERY = 50
MAX_ID = 2**63 - 1


def search_by_key(queryset, text, column="search_text"):
    """Rows whose search key (core.text.search_key) contains what was typed."""
    key = normalise_query(text)[:MAX_QUERY]
    return queryset.filter(**{f"{column}__contains": key}) if key else queryset


@dataclass(frozen=True)
class Kind:
    """What one picker kind needs: its scoped rows, how to search them, how to name a row.

    `options` are narrowing filters a form may ask for (`{"open": fn(qs, value)}`); the
    endpoint and the form field apply the same ones, so the list and the check agree.
    `prepare(rows, scoped)` may load what the notes show for a whole page of results at
    once, reading only through `scoped` (the kind's rows for this user and action)."""

    name: str
    queryset: Callable
    search: Callable = search_by_key
    label: Callable = str
    note: Callable = lambda obj: ""
    order_by: tuple = ()
    actions: tuple = ("view",)
    options: dict = field(default_factory=dict)
    select_related: tuple = ()
    prepare: Callable = None

    def rows(self, user, action=None, options=None):
        action = action if action in self.actions else self.actions[0]
        queryset = self.queryset(user, action)
        for name, value in (options or {}).items():
            if name in self.options and value not in (None, ""):
                queryset = self.options[name](queryset, value)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset

    def find(self, user, text, action=None, options=None, limit=LIMIT):
        """At most `limit` rows matching `text`, in the kind's order."""
        queryset = self.search(self.rows(user, action, options), text)
        if self.order_by:
            queryset = queryset.order_by(*self.order_by)
        rows = list(queryset[:limit])
        if self.prepare and rows:
            action = action if action in self.actions else self.actions[0]
            self.prepare(rows, self.queryset(user, action))
        return rows

    def get(self, user, pk, action=None, options=None):
        """The row with this id if the user may pick it, else None."""
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        if not 1 <= pk <= MAX_ID:
            return None
        return self.rows(user, action, options).filter(pk=pk).first()


_registry = {}


def register(name, **kwargs):
    """Declare a pickable kind (call from an AppConfig.ready); returns it."""
    kind = Kind(name=name, **kwargs)
    _registry[name] = kind
    return kind


def get_kind(name):
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"no picker kind {name!r} is registered") from None


def registered():
    return dict(_registry)


@never_cache
@login_required
def pick(request, kind):
    """The results list (an htmx partial) for what the user typed."""
    try:
        picker = get_kind(kind)
    except LookupError:
        raise Http404
    text = (request.GET.get("q") or "").strip()
    options = {name: request.GET.get(name) for name in picker.options if request.GET.get(name)}
    rows = picker.find(request.user, text, request.GET.get("action"), options) if text else []
    items = [{"pk": row.pk, "label": picker.label(row), "note": picker.note(row)} for row in rows]
    return render(request, "core/_pick_results.html", {
        "items": items, "text": text, "full": len(items) >= LIMIT, "limit": LIMIT, "listbox": request.GET.get("listbox", ""),
    })
