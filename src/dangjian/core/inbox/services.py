"""Writes of the inbox: a user's digest choice, complaints and suggestions, digests."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dangjian.core import audit, notify

from . import sections
from .models import Digest, DigestFrequency, Feedback, FeedbackKind, InboxSettings

FEEDBACK_MAX = 2000


@transaction.atomic
def settings_update(*, actor, digest):
    """Choose the digest: daily, weekly or none (a user changes only their own)."""
    if digest not in DigestFrequency.values:
        raise ValidationError({"digest": _("请选择摘要频率。")})
    row, _created = InboxSettings.objects.get_or_create(user=actor)
    if row.digest != digest:
        before = {"digest": row.digest}
        row.digest = digest
        row.save(update_fields=["digest"])
        audit.record(actor=actor, action="update", obj=row, object_repr=str(actor), before=before,
                     after={"digest": digest})
    return row


@transaction.atomic
def feedback_send(*, actor, kind, text, page=""):
    """A complaint or suggestion about the platform; it waits in the system administrators' inbox."""
    text = (text or "").strip()
    errors = {}
    if kind not in FeedbackKind.values:
        errors["kind"] = _("请选择投诉或建议。")
    if not text:
        errors["text"] = _("请填写内容。")
    elif len(text) > FEEDBACK_MAX:
        errors["text"] = _("内容不能超过%(n)d字。") % {"n": FEEDBACK_MAX}
    if errors:
        raise ValidationError(errors)
    author = actor if getattr(actor, "is_authenticated", False) else None
    item = Feedback.objects.create(kind=kind, text=text, page=(page or "")[:300], author=author)
    audit.record(actor=author, action="feedback", obj=item, object_repr=item.get_kind_display())
    return item


@transaction.atomic
def feedback_handle(*, actor, feedback):
    if not audit_scope_global(actor):
        raise ValidationError(_("只有系统管理员可以处理投诉建议。"))
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.handled_at is None:
        feedback.handled_at = timezone.now()
        feedback.save(update_fields=["handled_at"])
        audit.record(actor=actor, action="update", obj=feedback, object_repr=feedback.get_kind_display(),
                     after={"handled": True})
    return feedback


def audit_scope_global(user):
    from dangjian.core.scope import has_global

    return has_global(user, "manage_accounts")


def period_key(frequency, today):
    if frequency == DigestFrequency.WEEKLY:
        year, week, _day = today.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"daily:{today.isoformat()}"


def _email_configured():
    return bool(getattr(settings, "EMAIL_HOST", "")) and settings.EMAIL_HOST != "localhost"


def digests_send(*, today=None, weekday=0, stdout=None):
    """Send each user at most one digest per period they chose: every section of their
    inbox in one message (in the platform, and by email when mail is configured), never
    one message per event. Weekly digests go out on `weekday` (0 = Monday). Idempotent:
    a period's digest is written once (Digest's unique key), however often this runs."""
    today = today or timezone.localdate()
    User = get_user_model()
    chosen = dict(InboxSettings.objects.values_list("user_id", "digest"))
    counts = {"users": 0, "sent": 0, "emailed": 0}
    periods = {f: period_key(f, today) for f in (DigestFrequency.DAILY, DigestFrequency.WEEKLY)}
    already = set(Digest.objects.filter(period__in=periods.values()).values_list("user_id", "period"))
    memo = {}  # per-scope sections, computed once for all users holding the same grants
    for user in User.objects.filter(is_active=True).order_by("pk").iterator(chunk_size=500):
        frequency = chosen.get(user.pk, DigestFrequency.DAILY)
        if frequency == DigestFrequency.NEVER or (frequency == DigestFrequency.WEEKLY and today.weekday() != weekday):
            continue
        counts["users"] += 1
        period = periods[frequency]
        if (user.pk, period) in already:
            continue
        found = sections(user, entries=False, memo=memo)
        if not found:
            continue
        total = sum(s.count for s in found)
        lines = [f"{s.title}：{s.count}" for s in found]
        title = (ngettext("每日待办摘要：%(n)d项", "每日待办摘要：%(n)d项", total) if frequency == DigestFrequency.DAILY
                 else ngettext("每周待办摘要：%(n)d项", "每周待办摘要：%(n)d项", total)) % {"n": total}
        try:
            with transaction.atomic():
                digest = Digest.objects.create(user=user, period=period, item_count=total)
                notify.send([user], kind="core.digest", title=title, body="\n".join(lines), url=reverse("inbox"),
                            key=f"core.digest:{period}")
        except IntegrityError:  # another run wrote this period's digest meanwhile
            continue
        counts["sent"] += 1
        if user.email and _email_configured():
            send_mail(title, "\n".join(lines), None, [user.email], fail_silently=True)
            Digest.objects.filter(pk=digest.pk).update(emailed=True)
            counts["emailed"] += 1
    with transaction.atomic():
        audit.record(actor=None, action="digest", object_type="core.digest", object_repr="inbox_digest",
                     after={"today": today, **counts}, row_count=counts["sent"])
    if stdout is not None:
        stdout.write(f"users due: {counts['users']}, digests sent: {counts['sent']}, emailed: {counts['emailed']}")
    return counts
