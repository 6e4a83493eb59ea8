"""Account writes. The three separated administrators (三员分立) split the power:
system administrators create and disable accounts, security administrators grant roles,
reset passwords and lock accounts, audit administrators only read the audit log.

Login security lives here too: failed-login counting and lockout, password changes with
history, and the TOTP second factor with recovery codes. Every lock, unlock, password
change and role change writes an audit entry."""

import datetime
import hashlib
import secrets

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, crypto
from dangjian.core.scope import forget_scope, user_can

from .models import PasswordHistory, RecoveryCode, RoleGrant, TOTPDevice, User
from .roles import SEPARATED_ADMINS, Role, two_factor_required_for_roles, user_has_global
from .sessions import end_sessions_of

PASSWORD_HISTORY = 5
# A manual lock lasts until a security administrator lifts it.
MANUAL_LOCK = datetime.timedelta(days=365 * 100)
RECOVERY_CODES = 10
TOTP_ISSUER = "党建+"


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
    _remember_password(user)
    audit.record(actor=actor, action="create", obj=user, object_repr=username,
                 after={"username": username, "display_name": display_name})
    return user


@transaction.atomic
def user_set_active(*, actor, user, active):
    """Enable or disable an account; disabling ends its sessions."""
    _require_global(actor, "manage_accounts")
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("不能停用或启用自己的账号。"))
    before = user.is_active
    if before == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        end_sessions_of(user)
    audit.record(actor=actor, action="update", obj=user, object_repr=user.username,
                 before={"is_active": before}, after={"is_active": active})
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
        if role in SEPARATED_ADMINS or not user_can(actor, "grant", org):
            _require_global(actor, "grant_roles")
    if org is not None and type(org).objects.filter(pk=org.pk, closed_at__isnull=False).exists():
        raise ValidationError({"org": _("该组织已撤销。")})
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
    """Take a grant back (security administrators; org admins for business roles in their subtree)."""
    if actor is not None:
        if grant.role in SEPARATED_ADMINS or not user_can(actor, "grant", grant.org):
            _require_global(actor, "grant_roles")
        if actor.pk == grant.user_id:
            raise PermissionDenied(_("不能撤销自己的授权。"))
    audit.record(actor=actor, action="revoke", obj=grant.user, object_repr=grant.user.username, org=grant.org,
                 before={"role": grant.role, "org": grant.org_id})
    user = grant.user
    grant.delete()
    forget_scope(user)
    user.__dict__.pop("_global_cache", None)


# Passwords ---------------------------------------------------------------------------

def _remember_password(user):
    PasswordHistory.objects.create(user=user, password=user.password)
    stale = user.password_history.values_list("pk", flat=True)[PASSWORD_HISTORY:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


def password_expired(user, now=None):
    """True when the password is older than DANGJIAN_PASSWORD_MAX_AGE_DAYS (0 turns ageing off)."""
    days = settings.DANGJIAN_PASSWORD_MAX_AGE_DAYS
    if not days or user.password_changed_at is None:
        return False
    return (now or timezone.now()) - user.password_changed_at > datetime.timedelta(days=days)


def _set_password(user, password):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    user.set_password(password)
    user.password_changed_at = timezone.now()


@transaction.atomic
def password_change(*, user, old_password, new_password):
    """The account holder changes their own password (policy and the last 5 are checked)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": _("原密码不正确。")})
    _set_password(user, new_password or "")
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    _remember_password(user)
    audit.record(actor=user, action="password", obj=user, object_repr=user.username)
    return user


def _temporary_password():
    # 16 characters from four classes; the holder must replace it at first login.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(13))
    return body + secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + secrets.choice("23456789") + secrets.choice("-_.!")


@transaction.atomic
def password_reset(*, actor, user):
    """A security administrator sets a one-time password; returns it to be handed over.

    The holder must change it at the next login; the account's sessions end."""
    _require_global(actor, "reset_passwords")
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("请在“账号安全”中修改自己的密码。"))
    user = User.objects.select_for_update().get(pk=user.pk)
    temporary = _temporary_password()
    user.set_password(temporary)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    _remember_password(user)
    end_sessions_of(user)
    audit.record(actor=actor, action="password", obj=user, object_repr=user.username, after={"reset": True})
    return temporary


# Lockout -----------------------------------------------------------------------------

@transaction.atomic
def login_failed(*, user, factor="password"):
    """Count a failed login; the Nth in a row (DANGJIAN_LOCKOUT_ATTEMPTS) locks the account."""
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user = User.objects.select_for_update().get(pk=user.pk)
    if factor != "password":
        audit.record(actor=None, action="login_failed", obj=user, object_repr=user.username, after={"factor": factor})
    if user.failed_logins >= settings.DANGJIAN_LOCKOUT_ATTEMPTS:
        now = timezone.now()
        user.locked_until = now + datetime.timedelta(minutes=settings.DANGJIAN_LOCKOUT_MINUTES)
        user.failed_logins = 0
        user.save(update_fields=["locked_until", "failed_logins"])
        audit.record(actor=None, action="lock", obj=user, object_repr=user.username,
                     after={"reason": "failed_logins", "locked_until": user.locked_until})
    return user


@transaction.atomic
def login_succeeded(*, user):
    """Reset the failure count; a lock that ran out is recorded as lifted."""
    fields = {}
    if user.failed_logins:
        fields["failed_logins"] = 0
    if user.locked_until is not None:
        fields["locked_until"] = None
        audit.record(actor=None, action="unlock", obj=user, object_repr=user.username, after={"reason": "expired"})
    if fields:
        User.objects.filter(pk=user.pk).update(**fields)
        for name, value in fields.items():
            setattr(user, name, value)
    return user


@transaction.atomic
def account_lock(*, actor, user, reason=""):
    """Lock an account until it is unlocked (security administrators); its sessions end."""
    _require_global(actor, "lock_accounts")
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("不能锁定自己的账号。"))
    user.locked_until = timezone.now() + MANUAL_LOCK
    user.save(update_fields=["locked_until"])
    end_sessions_of(user)
    audit.record(actor=actor, action="lock", obj=user, object_repr=user.username,
                 after={"reason": reason or "manual", "locked_until": user.locked_until})
    return user


@transaction.atomic
def account_unlock(*, actor, user):
    """Lift a lock, manual or after failed logins (security administrators)."""
    _require_global(actor, "lock_accounts")
    before = user.locked_until
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit.record(actor=actor, action="unlock", obj=user, object_repr=user.username,
                 before={"locked_until": before}, after={"locked_until": None})
    return user


# Second factor -----------------------------------------------------------------------

def two_factor_required(user):
    """Required (when DANGJIAN_REQUIRE_2FA is on) for administrators and anyone who may
    see full ID numbers or export; optional for everyone else."""
    if not settings.DANGJIAN_REQUIRE_2FA:
        return False
    return two_factor_required_for_roles(user.role_grants.values_list("role", flat=True), user.is_superuser)


def has_two_factor(user):
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


@transaction.atomic
def totp_start(*, user):
    """Begin enrolment: a new secret, not yet in force until a code from it is confirmed."""
    secret = pyotp.random_base32()
    device, _created = TOTPDevice.objects.select_for_update().get_or_create(
        user=user, defaults={"secret_encrypted": crypto.encrypt(secret)}
    )
    if device.confirmed_at is not None:
        raise ValidationError({"code": _("已启用动态口令；如需更换，请先停用。")})
    if not _created:
        device.secret_encrypted = crypto.encrypt(secret)
        device.last_step = 0
        device.save(update_fields=["secret_encrypted", "last_step"])
    return device


def totp_secret(device):
    return crypto.decrypt(device.secret_encrypted)


def totp_uri(device):
    return pyotp.TOTP(totp_secret(device)).provisioning_uri(name=device.user.username, issuer_name=TOTP_ISSUER)


def _matching_step(device, code, now=None):
    """The 30-second step whose code equals `code` (one step of drift each way), or None."""
    code = (code or "").strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(totp_secret(device))
    moment = (now or timezone.now()).timestamp()
    current = int(moment // totp.interval)
    for step in (current, current - 1, current + 1):
        if step > device.last_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _hash_recovery(code):
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).hexdigest()


def _new_recovery_codes(user):
    RecoveryCode.objects.filter(user=user).delete()
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    codes = []
    for _count in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _position in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash_recovery(c)) for c in codes])
    return codes


@transaction.atomic
def totp_confirm(*, user, code):
    """Finish enrolment with a code from the app; returns the recovery codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise ValidationError({"code": _("请先开始绑定动态口令。")})
    step = _matching_step(device, code)
    if step is None:
        raise ValidationError({"code": _("验证码不正确，请核对手机时间后重试。")})
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    codes = _new_recovery_codes(user)
    audit.record(actor=user, action="update", obj=user, object_repr=user.username, after={"two_factor": "enabled"})
    return codes


@transaction.atomic
def totp_verify(*, user, code):
    """Check a login's second factor: a TOTP code or an unused recovery code.

    A wrong code counts as a failed login, so guessing locks the account."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    step = _matching_step(device, code)
    if step is not None:
        device.last_step = step
        device.save(update_fields=["last_step"])
        return True
    used = RecoveryCode.objects.filter(user=user, code_hash=_hash_recovery(code or ""), used_at__isnull=True) \
        .update(used_at=timezone.now())
    if used:
        audit.record(actor=user, action="update", obj=user, object_repr=user.username,
                     after={"two_factor": "recovery_code_used"})
        return True
    return False


@transaction.atomic
def recovery_codes_regenerate(*, user):
    if not has_two_factor(user):
        raise ValidationError({"code": _("尚未启用动态口令。")})
    codes = _new_recovery_codes(user)
    audit.record(actor=user, action="update", obj=user, object_repr=user.username,
                 after={"two_factor": "recovery_codes_regenerated"})
    return codes


@transaction.atomic
def totp_disable(*, actor, user):
    """Remove the second factor: by its holder when not required, or by a security
    administrator (a lost phone); the holder enrols again at the next login if required."""
    if actor is None or actor.pk != user.pk:
        _require_global(actor, "reset_passwords")
    elif two_factor_required(user):
        raise PermissionDenied(_("您的账号必须启用动态口令，不能停用。"))
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if actor is None or actor.pk != user.pk:
        end_sessions_of(user)
    audit.record(actor=actor, action="update", obj=user, object_repr=user.username, after={"two_factor": "disabled"})
