"""The inbox's own records: how often a user wants a digest, the digests sent, and
complaints and suggestions about the platform (投诉建议) for its administrators."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DigestFrequency(models.TextChoices):
    DAILY = "daily", _("每天一次")
    WEEKLY = "weekly", _("每周一次")
    NEVER = "never", _("不发送")


class InboxSettings(models.Model):
    """A user's choice of digest; a user without a row gets the daily digest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_settings")
    digest = models.CharField(_("待办摘要"), max_length=10, choices=DigestFrequency.choices,
                              default=DigestFrequency.DAILY)

    class Meta:
        verbose_name = _("待办设置")
        verbose_name_plural = _("待办设置")


class Digest(models.Model):
    """One digest per user and period: the unique key makes the command idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=20)  # "daily:2026-12-01" or "weekly:2026-W49"
    item_count = models.PositiveIntegerField(default=0)
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="digest_once_per_period")]


class FeedbackKind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")


class Feedback(models.Model):
    """A complaint or suggestion about the platform itself, sent from any page's footer."""

    kind = models.CharField(_("类型"), max_length=12, choices=FeedbackKind.choices, default=FeedbackKind.SUGGESTION)
    text = models.TextField(_("内容"), max_length=2000)
    page = models.CharField(_("来自页面"), max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉建议")
        verbose_name_plural = _("投诉建议")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["handled_at"], name="feedback_open_idx")]
