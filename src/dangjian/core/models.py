from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .audit import action_choices
from .fields import PathField
from .scope import ScopedQuerySet, has_global
from .inbox.models import Digest, Feedback, InboxSettings  # noqa: F401  (models of this app)
from .spreadsheets.models import ExportJob, ImportJob  # noqa: F401  (models of this app, kept with their framework)


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

    time = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True, db_index=True)
    client_ip = models.CharField(_("来源地址"), max_length=64, blank=True)
    action = models.CharField(_("动作"), max_length=20, choices=action_choices, db_index=True)
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
