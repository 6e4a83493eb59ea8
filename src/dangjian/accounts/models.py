from django.contrib.auth.models import AbstractUser
from django.db import models
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

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self):
        return self.display_name or self.username


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
