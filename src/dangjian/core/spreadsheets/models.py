"""ImportJob: one uploaded file going through an import in the background."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import PathField


class BackgroundJob(models.Model):
    """What an import and an export job share: who asked, how far it is, when it ended.
    A subclass declares its `Status` (queued, running, done, failed) and `status` field."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.CASCADE,
                              related_name="+")
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} {self.status}"

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        if self.finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)


class ImportJob(BackgroundJob):
    """The upload, its progress and its outcome. Only its owner sees it (views filter on
    `owner`); `org_path` is the owner's import scope when it started, for the record."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("有问题，未导入")

    org_path = PathField(max_length=255, blank=True)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    upload = models.BinaryField(null=True, editable=False)  # dropped when the job ends
    dry_run = models.BooleanField(_("只检查"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_count = models.PositiveIntegerField(_("新建条数"), default=0)
    problem_count = models.PositiveIntegerField(_("问题数"), default=0)
    problems = models.JSONField(_("问题"), default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self):
        return f"{self.kind} {self.filename} {self.status}"


class ExportJob(BackgroundJob):
    """A large xlsx export built in the background, for an export its request has already
    checked and audited (core.spreadsheets.exports). Only its owner sees it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未能导出")

    params = models.JSONField(default=dict, blank=True)  # the list's filters, as the page had them
    options = models.JSONField(default=dict, blank=True)  # format, full values
    request_id = models.CharField(max_length=40, blank=True)  # the request whose audit entry covers it
    client_ip = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    stored_name = models.CharField(max_length=100, blank=True)  # under DANGJIAN_EXPORT_DIR
    error = models.TextField(blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
