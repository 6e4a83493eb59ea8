"""Pagination of every API list: page numbers for people, a cursor for programs.

- `?page=2&page_size=100`: numbered pages with a total `count` (one `COUNT(*)` per page).
- `?cursor=` (empty for the first page, then the `next` link): pages in id order with
  no `count` and no `COUNT(*)`; each page is one index range scan (`id > last seen`), so
  walking a list of 90,000 members costs the same per page from the first to the last.

`page_size` (1-500) works in both; a value outside that range is refused (400) rather
than quietly replaced."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination

MAX_PAGE_SIZE = 500


class _PageSize:
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError({self.page_size_query_param: [
                _("每页条数应为 1 到 %(max)s 之间的整数。") % {"max": self.max_page_size}]})
        return size


class PageNumbers(_PageSize, pagination.PageNumberPagination):
    pass


class IdCursor(_PageSize, pagination.CursorPagination):
    ordering = "pk"
    invalid_cursor_message = _("游标无效：请使用上一页响应中的 next 或 previous 链接。")


class Pagination(pagination.BasePagination):
    """Page numbers, or the id cursor when the request carries `cursor`."""

    cursor_query_param = "cursor"

    def __init__(self):
        self.pages = PageNumbers()
        self.cursor = IdCursor()
        self.active = self.pages

    def paginate_queryset(self, queryset, request, view=None):
        if self.cursor_query_param in request.query_params:
            # The cursor wins over a page number; a page that is not a page number at all
            # is still refused (400), as it is without a cursor.
            raw = request.query_params.get("page")
            if raw not in (None, "") and not (raw.isdigit() and 1 <= int(raw) <= 2**31 - 1):
                raise exceptions.ValidationError({"page": [_("页码应为正整数。")]})
            self.active = self.cursor
        else:
            self.active = self.pages
        return self.active.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.active.get_paginated_response(data)

    def to_html(self):
        return self.active.to_html()

    def get_results(self, data):
        return data["results"]

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123,
                          "description": str(_("总条数；只在按页码分页时给出。"))},
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "example": "http://api.example.org/accounts/?page=4"},
                "previous": {"type": "string", "nullable": True, "format": "uri",
                             "example": "http://api.example.org/accounts/?page=2"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "page", "required": False, "in": "query",
             "description": str(_("页码（从1开始）；超出范围得到404。")),
             "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
            {"name": "page_size", "required": False, "in": "query",
             "description": str(_("每页条数，默认50，最多500。")),
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}},
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": str(_("游标分页：第一页传空值（?cursor=），之后跟随 next 链接。按 id 排序，"
                                  "不给出 count，适合逐页读取整个列表。")),
             "schema": {"type": "string"}},
        ]
