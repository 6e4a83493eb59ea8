"""Errors that services raise and every surface (page, API, import) answers the same way."""

from django.utils.translation import gettext_lazy as _


class ConflictError(Exception):
    """The record changed since the caller read it (optimistic concurrency).

    Pages re-render the form with status 409 and the message (core.generic_views.
    ObjectEditView does it); `changes` may name what changed meanwhile as
    {field: (yours, theirs)} so the form can show it.
    """

    default_message = _("该记录已被他人修改，请核对后重新提交。")

    def __init__(self, message=None, *, changes=None, current=None):
        self.message = message or self.default_message
        self.changes = changes or {}
        self.current = current
        super().__init__(str(self.message))
