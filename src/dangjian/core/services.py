"""Helpers every app's services use."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .scope import user_can


def require(actor, action, org, *, field=None):
    """Refuse unless `actor` may do `action` on `org`'s subtree.

    With `field`, the refusal is a validation error on that field (an org chosen in a
    form that lies outside the actor's scope), else a PermissionDenied.
    """
    if actor is None:
        return  # system jobs (seed, sweeps) act without a user
    if user_can(actor, action, org):
        return
    if field:
        raise ValidationError({field: _("该组织不在您的管辖范围内。")}, code="out_of_scope")
    raise PermissionDenied(_("您无权对该组织进行此操作。"))
