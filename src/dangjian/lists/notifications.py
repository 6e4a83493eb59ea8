"""Who is told what about measures, and the in-app channel of core.notify.

Recipients are accounts: the responsible person's own accounts (User.member), else the
accounts that may change the responsible organisation; for escalation, the accounts that
may change the organisation one level up. Lookups are batched so a sweep over thousands
of measures takes a handful of queries per batch.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleGrant
from dangjian.accounts.roles import CAPABILITIES
from dangjian.core import notify
from dangjian.orgs.models import Org

from .models import ListKind, Measure, Notification

BATCH = 500


class InAppChannel:
    """Notifications shown in the platform, on /lists/notifications/."""

    name = "in_app"

    def deliver(self, recipients, message):
        return self.deliver_many([(recipients, message)])

    def deliver_many(self, items):
        wanted = {}
        for recipients, message in items:
            for user in recipients:
                wanted[(user.pk, message.key)] = (user, message)
        if not wanted:
            return 0
        keys = {key for _pk, key in wanted}
        users = {pk for pk, _key in wanted}
        existing = set(Notification.objects.filter(recipient_id__in=users, key__in=keys)
                       .values_list("recipient_id", "key"))
        rows = [Notification(recipient=user, kind=message.kind, title=message.title[:200], body=message.body,
                             url=message.url[:300], key=message.key[:200])
                for pair, (user, message) in wanted.items() if pair not in existing]
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        return len(rows)


def _change_roles():
    return [role for role, actions in CAPABILITIES.items() if "change" in actions]


def recipients_for(measures):
    """{measure id: {"responsible": [users], "above": [users]}} in three queries."""
    User = get_user_model()
    measures = list(measures)
    member_ids = {m.responsible_id for m in measures if m.responsible_id}
    by_member = defaultdict(list)
    if member_ids:
        for user in User.objects.filter(member_id__in=member_ids, is_active=True):
            by_member[user.member_id].append(user)
    paths = set()
    for m in measures:
        paths.add(m.org.path)
        if m.org.depth > 1:
            paths.add(m.org.path[: -Org.steplen])
    by_path = defaultdict(list)
    grants = list(RoleGrant.objects.filter(org__path__in=paths, role__in=_change_roles(), user__is_active=True,
                                            org__closed_at__isnull=True).values_list("org__path", "user_id"))
    user_ids = {uid for _path, uid in grants}
    users = User.objects.in_bulk(user_ids) if user_ids else {}
    for path, uid in grants:
        if users[uid] not in by_path[path]:
            by_path[path].append(users[uid])
    result = {}
    for m in measures:
        responsible = by_member.get(m.responsible_id) or by_path.get(m.org.path, [])
        parent = m.org.path[: -Org.steplen] if m.org.depth > 1 else m.org.path
        result[m.pk] = {"responsible": list(responsible), "above": list(by_path.get(parent, []))}
    return result


def _url(measure):
    return reverse("lists:measure_detail", args=[measure.pk])


def measure_event(measure_id, event):
    """Tell the right people that a measure was submitted, accepted or sent back."""
    measure = Measure.objects.select_related("org", "list").filter(pk=measure_id).first()
    if measure is None:
        return 0
    people = recipients_for([measure])[measure.pk]
    if event == "submitted":
        recipients = people["above"]
        title = _("待验收：%(title)s") % {"title": measure.title}
        body = _("%(org)s报告该措施已完成，请验收。") % {"org": measure.org.name}
    elif event == "accepted":
        recipients = people["responsible"]
        title = _("已验收：%(title)s") % {"title": measure.title}
        body = _("该措施已通过上级验收。")
    elif event == "returned":
        recipients = people["responsible"]
        review = measure.reviews.order_by("-reviewed_at", "-id").first()
        title = _("被退回：%(title)s") % {"title": measure.title}
        body = _("退回原因：%(reason)s") % {"reason": review.reason if review else ""}
    else:
        raise ValueError(event)
    stamp = measure.updated_at.isoformat()
    result = notify.send(recipients, kind=f"lists.{event}", title=title, body=body, url=_url(measure),
                         key=f"lists.{event}:{measure.pk}:{stamp}")
    return result.get("in_app", 0)


def _send_many(items):
    written = 0
    for channel in notify.channels():
        if hasattr(channel, "deliver_many"):
            count = channel.deliver_many(items)
        else:
            count = sum(channel.deliver(recipients, message) for recipients, message in items)
        if channel.name == "in_app":
            written = count
    return written


# Lists whose measures are a year's plan of intent rather than a deliverable with a date:
# their overdue items wait in the inbox and the digest, and are never escalated by the
# daily sweep (burden rules: plan-type items are not escalated daily).
PLAN_KINDS = (ListKind.RESPONSIBILITY, ListKind.COMMITMENT)


def sweep(*, today, days):
    """The daily deadline sweep. Routine reminders (due soon, overdue to the responsible
    side) are not messages of their own: they wait in the inbox and reach each user in the
    digest they chose (core.inbox). What the sweep writes is the escalation: the level
    above is told once about a measure past its deadline, never about plan-type items.
    Keys carry the deadline, so a moved deadline escalates again and an unchanged one never
    repeats."""
    counts = {"due_soon": Measure.objects.due_soon(days, today).count(), "overdue": 0, "written": 0}
    base = Measure.objects.overdue(today).exclude(list__kind__in=PLAN_KINDS).select_related("org").only(
        "id", "title", "deadline", "responsible_id", "org__path", "org__depth", "org__name")
    counts["overdue"] = Measure.objects.overdue(today).count()
    last_id = 0
    while True:
        batch = list(base.filter(pk__gt=last_id).order_by("pk")[:BATCH])
        if not batch:
            break
        last_id = batch[-1].pk
        people = recipients_for(batch)
        items = []
        for m in batch:
            message = notify.Message(
                kind="lists.overdue", url=_url(m), key=f"lists.overdue:{m.pk}:{m.deadline}",
                title=_("已逾期：%(title)s") % {"title": m.title},
                body=_("%(org)s的措施已于%(deadline)s到期，尚未完成。") % {"org": m.org.name, "deadline": m.deadline})
            items.append((people[m.pk]["above"], message))
        counts["written"] += _send_many(items)
    return counts
