"""Account writes. The three separated administrators (三员分立) split the power:
system administrators create and disable accounts, security administrators grant roles,
reset passwords and lock accounts, audit administrators only read the audit log."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.scope import forget_scope, user_can

from .models import RoleGrant, User
from .roles import SEPARATED_ADMINS, Role, user_has_global


def _require_global(actor, action):
    if actor is not None and not user_has_global(actor, action):
        raise PermissionDenied(_("您没有此项账号管理权限。"))


@transaction.atomic
def user_create(*, actor, username, password, display_name="", member=None):
    """Create an account (system administrators; None for system jobs). It has no roles yet."""
    _require_global(actor, "manage_accounts")
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("用户名不能为空。")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("该用户名已存在。")})
    user = User(username=username, display_name=display_name, member=member)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    audit.record(actor=actor, action="create", obj=user, object_repr=username,
                 after={"username": username, "display_name": display_name})
    return user


@transaction.atomic
def user_set_active(*, actor, user, active):
    """Enable or disable an account; disabling ends its sessions."""
    _require_global(actor, "manage_accounts")
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        from .sessions import end_sessions_of

        end_sessions_of(user)
    audit.record(actor=actor, action="update", obj=user, object_repr=user.username, after={"is_active": active})
    return user


@transaction.atomic
def role_grant(*, actor, user, role, org):
    """Grant `role` at `org`. Refuses a second separated-administrator role for one account.

    Security administrators grant anywhere; an organisation-department admin may grant
    business roles inside its own subtree.
    """
    if role not in Role.values:
        raise ValidationError({"role": _("无效的角色。")})
    if actor is not None:
        if role in SEPARATED_ADMINS or not user_can(actor, "view_full_id", org):
            _require_global(actor, "grant_roles")
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("不能给自己授权。"))
    held = set(user.role_grants.values_list("role", flat=True))
    if role in SEPARATED_ADMINS and (held & SEPARATED_ADMINS) - {role}:
        raise ValidationError({"role": _("系统管理员、安全管理员、审计管理员不能由同一账号兼任。")})
    if role in SEPARATED_ADMINS and held - SEPARATED_ADMINS:
        raise ValidationError({"role": _("三员账号不能同时持有业务角色。")})
    if role not in SEPARATED_ADMINS and held & SEPARATED_ADMINS:
        raise ValidationError({"role": _("三员账号不能同时持有业务角色。")})
    grant, created = RoleGrant.objects.get_or_create(user=user, role=role, org=org, defaults={"granted_by": actor})
    if created:
        audit.record(actor=actor, action="grant", obj=user, object_repr=user.username, org=org,
                     after={"role": role, "org": org.pk})
    forget_scope(user)
    user.__dict__.pop("_global_cache", None)
    return grant


@transaction.atomic
def role_revoke(*, actor, grant):
    if actor is not None and not user_can(actor, "view_full_id", grant.org):
        _require_global(actor, "grant_roles")
    audit.record(actor=actor, action="revoke", obj=grant.user, object_repr=grant.user.username, org=grant.org,
                 before={"role": grant.role, "org": grant.org_id})
    grant.delete()
