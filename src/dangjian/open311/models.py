"""Open311 GeoReport v2: the client systems allowed to post requests, and what they posted.

A client's key is shown once, when created; only its SHA-256 is kept (the key is 256
random bits, as an API token's is, so a plain hash is enough) with its first characters
(`prefix`) so an operator can recognise it in `dangjian open311-key list`."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ClientQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class Open311Client(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=16)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Open311客户端")
        verbose_name_plural = _("Open311客户端")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class Submission(models.Model):
    """One request posted through Open311: which client sent it, and the token that client
    may resolve to the request's public number (GeoReport's `tokens/{token}`). The token is
    not the resident's tracking code, which stays a secret between the platform and the
    resident."""

    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="submissions")
    request = models.OneToOneField("resident_requests.Request", on_delete=models.CASCADE,
                                   related_name="open311_submission")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Open311提交")
        verbose_name_plural = _("Open311提交")

    def __str__(self):
        return f"{self.client.name}: {self.token}"
