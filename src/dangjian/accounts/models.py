from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.scope import ScopedQuerySet

from .roles import Role


class User(AbstractUser):
    """An account. What it may see comes only from its role grants."""

    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    member = models.ForeignKey(
        "orgs.Member", verbose_name=_("对应党员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self):
        return self.display_name or self.username

    def is_locked(self, now=None):
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class RoleGrantQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    org = models.ForeignKey("orgs.Org", verbose_name=_("组织"), on_delete=models.PROTECT, related_name="role_grants")
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [models.UniqueConstraint(fields=["user", "role", "org"], name="unique_role_grant")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} @ {self.org}"


class PasswordHistory(models.Model):
    """Hashes of an account's recent passwords, so a new one cannot repeat them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class TOTPDevice(models.Model):
    """An authenticator app bound to an account (RFC 6238, 30-second steps, 6 digits).

    The shared secret is encrypted with the field key like other secrets at rest.
    `last_step` refuses a code that was already used (replay)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret_encrypted = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("动态口令设备")
        verbose_name_plural = _("动态口令设备")


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator is lost; only its SHA-256 is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="unique_recovery_code")]


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    USED = "used", _("已使用")


class BulkKind(models.TextChoices):
    EXPORT = "export", _("导出")
    FULL_VIEW = "full_view", _("查看完整个人信息")


class ExportApproval(models.Model):
    """A request to export or view in full more rows than the bulk threshold, and a
    security administrator's decision on it. An approval is used once, within a day."""

    requested_by = models.ForeignKey(User, verbose_name=_("申请人"), on_delete=models.CASCADE,
                                     related_name="export_requests")
    kind = models.CharField(_("类型"), max_length=16, choices=BulkKind.choices)
    row_count = models.PositiveIntegerField(_("行数"))
    reason = models.TextField(_("理由"))
    status = models.CharField(_("状态"), max_length=16, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.PENDING, db_index=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(User, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("批量访问审批")
        verbose_name_plural = _("批量访问审批")

    def __str__(self):
        return f"{self.get_kind_display()} {self.row_count} · {self.requested_by}"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """An API key for a script or another system. Only the SHA-256 of the key is kept (the
    key is 256 random bits, so a plain hash is enough); the key is shown once, at creation.
    `prefix` (the key's first characters) lets a holder recognise a token in lists."""

    user = models.ForeignKey(User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None):
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
