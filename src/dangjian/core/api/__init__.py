"""The API kit every app's API uses: `views.ScopedViewSet` (scoped queryset, read-back
after writes, versions), `pagination.Pagination` (page numbers or a cursor),
`errors.exception_handler` (one error shape) and `schema.ScopedAutoSchema` (documents
them). settings.REST_FRAMEWORK points here."""
