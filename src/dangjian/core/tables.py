"""Tables: one way to render a list page (the idea of django-tables2, which NetBox uses,
kept small).

A table declares its columns; `includes/table.html` renders them with sortable headers
(`?sort=name`, `?sort=-name`), a card layout under 600 px (every cell carries its column
name in `data-label`, so no page scrolls sideways on a phone), an empty state that says
why it is empty, and the one pagination partial.

    class OrgTable(Table):
        columns = [
            Column("name", _("名称"), order_by=("name", "pk"),
                   template='<a href="{% url "orgs:org_detail" row.pk %}">{{ row.name }}</a>'),
            Column("kind", _("组织类别"), accessor="get_kind_display", css="meta"),
        ]
        empty_text = _("管辖范围内没有党组织。")

A cell is an attribute path (`accessor`, escaped; "—" when empty), or a small template
with `row` (and the table's `extra` context) in scope: inline (`template`) or, when it
holds text to translate, a file (`template_name`), where makemessages finds the text.
"""

from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.template import engines
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

EMPTY = "—"


def _ordered(field, *, descending):
    """A field name or an expression (such as core.text.PinyinOrder()), in the chosen direction."""
    if isinstance(field, str):
        return f"-{field}" if descending else field
    return field.desc() if descending else field.asc()


class Column:
    def __init__(self, name, label, *, accessor=None, template=None, template_name=None, order_by=None, css=""):
        self.name = name
        self.label = label
        self.accessor = accessor or name
        self.order_by = (order_by,) if isinstance(order_by, str) else order_by
        self.css = css
        self.template = template
        self.template_name = template_name

    @cached_property
    def _template(self):
        engine = engines["django"]
        if self.template_name:  # a file: where a cell has text to translate (makemessages reads files)
            return engine.get_template(self.template_name)
        return engine.from_string("{% load humanize %}" + self.template) if self.template else None

    def render(self, row, extra):
        if self._template is not None:
            return self._template.render({"row": row, **extra})
        value = row
        for part in self.accessor.split("."):
            value = getattr(value, part, None)
            if callable(value):
                value = value()
            if value is None:
                break
        return EMPTY if value in (None, "") else conditional_escape(value)


class Table:
    columns = ()
    default_order = None  # None: keep the queryset's order
    paginate_by = 50
    empty_text = _("没有记录。")
    empty_filtered_text = _("没有符合条件的记录，可清除筛选后再看。")
    empty_no_scope_text = _("您的账号还没有任何党组织的授权，因此这里没有内容。")
    row_css = None  # a callable(row) -> css class of the row
    page_param = "page"  # another name where one page shows two tables

    def __init__(self, queryset, *, request, filtered=False, no_scope=False, extra=None):
        self.request = request
        self.filtered = filtered
        self.no_scope = no_scope
        # Cells render without the request's context processors (one render per cell);
        # a cell with a form gets the CSRF token this way.
        self.extra = {"csrf_token": get_token(request), **(extra or {})}
        self.sort = self._valid_sort(request.GET.get("sort", ""))
        if self.sort:
            column = self._column(self.sort.lstrip("-"))
            prefix = "-" if self.sort.startswith("-") else ""
            queryset = queryset.order_by(*[_ordered(field, descending=bool(prefix)) for field in column.order_by])
        elif self.default_order:
            queryset = queryset.order_by(*self.default_order)
        self.page = Paginator(queryset, self.paginate_by).get_page(request.GET.get(self.page_param))
        self.page.object_list = list(self.page.object_list)
        self.prepare(self.page.object_list)
        query = request.GET.copy()
        query.pop(self.page_param, None)
        self.query = query.urlencode()

    def prepare(self, rows):
        """Add what the cells need to the rows of this page (counts, names), in a fixed number of queries."""

    def _column(self, name):
        return next((c for c in self.columns if c.name == name), None)

    def _valid_sort(self, value):
        column = self._column(value.lstrip("-")) if value else None
        return value if column is not None and column.order_by else ""

    @property
    def sortable(self):
        return any(column.order_by for column in self.columns)

    @property
    def headers(self):
        result = []
        for column in self.columns:
            header = {"label": column.label, "css": column.css, "url": None, "aria_sort": None, "arrow": ""}
            if column.order_by:
                ascending = self.sort == column.name
                descending = self.sort == f"-{column.name}"
                query = self.request.GET.copy()
                query.pop(self.page_param, None)
                query["sort"] = f"-{column.name}" if ascending else column.name
                header["url"] = f"?{query.urlencode()}"
                if ascending or descending:
                    header["aria_sort"] = "ascending" if ascending else "descending"
                    header["arrow"] = " ↑" if ascending else " ↓"
            result.append(header)
        return result

    @cached_property
    def rows(self):
        rows = []
        for row in self.page.object_list:
            cells = [{"label": c.label, "css": c.css, "html": c.render(row, self.extra)} for c in self.columns]
            rows.append({"row": row, "css": self.row_css(row) if self.row_css else "", "cells": cells})
        return rows

    @property
    def empty_message(self):
        if self.no_scope:
            return self.empty_no_scope_text
        return self.empty_filtered_text if self.filtered else self.empty_text
