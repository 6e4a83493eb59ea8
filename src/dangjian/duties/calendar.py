"""iCalendar (RFC 5545) feeds of an organisation's duties and activities, and of a
member's meetings, behind a secret token URL (only the token's hash is stored)."""

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Activity, Attendance, CalendarToken, Occurrence
from .services import token_digest

HORIZON = datetime.timedelta(days=400)


def _calendar(name):
    cal = Calendar()
    cal.add("prodid", "-//dangjian//duties//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _activity_event(activity, host):
    event = Event()
    event.add("uid", f"activity-{activity.pk}@{host}")
    event.add("dtstamp", activity.updated_at)
    event.add("dtstart", activity.starts_at)
    event.add("dtend", activity.starts_at + datetime.timedelta(hours=2))
    event.add("summary", f"{activity.topic}（{activity.org.name}）")
    if activity.place:
        event.add("location", activity.place)
    return event


def _due_event(occurrence, host, now):
    event = Event()
    event.add("uid", f"duty-{occurrence.pk}@{host}")
    event.add("dtstamp", now)
    event.add("dtstart", occurrence.due_date)
    event.add("dtend", occurrence.due_date + datetime.timedelta(days=1))
    event.add("summary", f"应开展：{occurrence.label}（{occurrence.org.name}）")
    event.add("status", "CONFIRMED")
    return event


def org_calendar(org, host="dangjian"):
    now = timezone.now()
    since = timezone.localdate() - HORIZON
    cal = _calendar(org.name)
    for occurrence in (Occurrence.objects.filter(org=org, due_date__gte=since, status__in=("due", "late"),
                                                 fulfilled_on__isnull=True)
                       .select_related("org", "version__kind", "rule")):
        cal.add_component(_due_event(occurrence, host, now))
    for activity in Activity.objects.filter(org=org, held_on__gte=since).select_related("org"):
        cal.add_component(_activity_event(activity, host))
    return cal.to_ical()


def member_calendar(member, host="dangjian"):
    since = timezone.localdate() - HORIZON
    cal = _calendar(member.name)
    rows = Attendance.objects.filter(member=member, activity__held_on__gte=since).select_related("activity__org")
    for row in rows:
        cal.add_component(_activity_event(row.activity, host))
    return cal.to_ical()


def feed_for_token(token):
    row = (CalendarToken.objects.filter(token_hash=token_digest(token or ""), revoked_at__isnull=True)
           .select_related("org", "member").first())
    if row is None:
        return None
    if row.org_id:
        if row.org.closed_at is not None:
            return None
        return org_calendar(row.org)
    if row.member.left_on is not None:
        return None
    return member_calendar(row.member)
