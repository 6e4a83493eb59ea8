from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import PathField
from .scope import ScopedQuerySet, has_global

from .spreadsheets.models import ImportJob  # noqa: F401  (a model of this app, kept with its framework)

class AuditQuerySet(ScopedQuerySet):
    scope_path_field = "org_path"

    def update(self, **kwargs):
        raise PermissionError("audit entries are append-only")

    def delete(self):
        raise PermissionError("audit entries are append-only; prune with `dangjian audit prune`")

    def visible_to(self, user, action="view_audit"):
        if has_global(user, "view_audit_all"):
            return self
        return super().visible_to(user, action)


class AuditEntry(models.Model):
    """One audited event: a write, an export, a view of full personal data, a login.

    Entries are chained: `entry_hash` is a keyed hash over the entry and the previous
    entry's hash, so editing or deleting a row breaks the chain (`dangjian audit verify`).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        MOVE = "move", _("移动")
        CLOSE = "close", _("撤销")
        IMPORT = "import", _("导入")
        EXPORT = "export", _("导出")
        VIEW_PII = "view_pii", _("查看完整个人信息")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        LOCK = "lock", _("锁定")
        UNLOCK = "unlock", _("解锁")
        PASSWORD = "password", _("修改密码")
        GRANT = "grant", _("授权")
        REVOKE = "revoke", _("撤销授权")
        TOKEN = "token", _("创建令牌")
        SEED = "seed", _("载入演示数据")
        PRUNE = "prune", _("清理审计")

    time = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True, db_index=True)
    client_ip = models.CharField(_("来源地址"), max_length=64, blank=True)
    action = models.CharField(_("动作"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    org_path = PathField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")
