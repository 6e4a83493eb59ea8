"""Writes of the duties module: rules (versioned), the roll-over that derives occurrences,
activity records with attendance, excuses, theme-day plans, thresholds, calendar tokens.

Every function is keyword-only and atomic, checks the actor's scope on each object it is
handed, and writes one audit entry. Occurrence statuses follow the records: `recompute`
runs inside the write that moves them.
"""

import datetime
import hashlib
import secrets
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, metrics
from dangjian.core.scope import user_can
from dangjian.core.services import require
from dangjian.core.tree import subtree_q
from dangjian.core.uploads import check_files, store
from dangjian.orgs.models import Member, Org, OrgKind, Post, PostKind

from . import periods as P
from .models import (
    THEME_DAY,
    Activity,
    ActivityFile,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    CalendarToken,
    ComplianceThreshold,
    DutyRule,
    DutyRuleVersion,
    Frequency,
    Fulfilment,
    FulfilmentFile,
    Occurrence,
    OccurrenceLink,
    OccurrenceStatus,
    ThemeDayPlan,
)

METRIC_KEYS = ("duties.compliance", "duties.theme_day", "duties.three_meetings")
BATCH = 2000
ACTIVITY_FIELDS = ["org_id", "starts_at", "place", "topic", "chair_id", "recorder_id", "minutes"]


def _changed(org):
    for key in METRIC_KEYS:
        metrics.changed(key, org)


def _open_org(org, field="org"):
    if org.closed_at is not None:
        raise ValidationError({field: _("该组织已撤销。")})


# Rules -------------------------------------------------------------------------------

def _require_rule_scope(actor, root):
    """Rules for a subtree need `change` on its root; city-wide rules on a top organisation."""
    if actor is None:
        return
    if root is not None:
        require(actor, "change", root, field="root")
        return
    if not any(user_can(actor, "change", org) for org in Org.objects.filter(depth=1)):
        raise PermissionDenied(_("只有组织部门可以制定全市适用的职责规则。"))


def _clean_terms(*, kind, title, frequency, times, org_kinds, sectors, levels, post_kinds=()):
    errors = {}
    if any(value not in PostKind.values for value in post_kinds or ()):
        errors["post_kinds"] = _("请选择有效的职务。")
    if frequency not in Frequency.values:
        errors["frequency"] = _("请选择频次（每月、每季度、每半年或每年）。")
    if not isinstance(times, int) or not 1 <= times <= 31:
        errors["times"] = _("每期次数应为1至31。")
    if kind is None and not (title or "").strip():
        errors["kind"] = _("请选择活动类型，或填写职责名称。")
    if errors:
        raise ValidationError(errors)
    return dict(kind=kind, title=(title or "").strip(), frequency=frequency, times=times,
                org_kinds=sorted(set(org_kinds or [])), sectors=sorted(set(sectors or [])),
                levels=sorted(set(levels or [])), post_kinds=sorted(set(post_kinds or [])))


@transaction.atomic
def rule_create(*, actor, frequency, valid_from, kind=None, title="", times=1, org_kinds=(), sectors=(),
                levels=(), root=None, post_kinds=()):
    """A new rule. With `post_kinds` it is a duty of each holder of such a post in the
    organisations it applies to, not of the organisations."""
    _require_rule_scope(actor, root)
    terms = _clean_terms(kind=kind, title=title, frequency=frequency, times=times, org_kinds=org_kinds,
                         sectors=sectors, levels=levels, post_kinds=post_kinds)
    if valid_from is None:
        raise ValidationError({"valid_from": _("请填写生效日期。")})
    rule = DutyRule.objects.create(title=terms["title"] or kind.name)
    version = DutyRuleVersion.objects.create(rule=rule, number=1, root=root, valid_from=valid_from,
                                             created_by=actor, **terms)
    audit.record(actor=actor, action="create", obj=rule, org=root,
                 after={**_version_snapshot(version)})
    return rule


def _version_snapshot(version):
    return {"kind": version.kind.code if version.kind_id else None, "title": version.title,
            "frequency": version.frequency, "times": version.times, "org_kinds": version.org_kinds,
            "sectors": version.sectors, "levels": version.levels, "post_kinds": version.post_kinds,
            "root": version.root_id,
            "valid_from": version.valid_from, "valid_to": version.valid_to}


@transaction.atomic
def rule_revise(*, actor, rule, valid_from, frequency, kind=None, title="", times=1, org_kinds=(), sectors=(),
                levels=(), root=None, post_kinds=()):
    """A new version from `valid_from`; the current one ends the day before. Occurrences
    already derived keep their version: the past is not rewritten."""
    rule = DutyRule.objects.select_for_update().get(pk=rule.pk)
    current = rule.versions.order_by("-valid_from", "-number").first()
    _require_rule_scope(actor, current.root if current else None)
    _require_rule_scope(actor, root)
    terms = _clean_terms(kind=kind, title=title, frequency=frequency, times=times, org_kinds=org_kinds,
                         sectors=sectors, levels=levels, post_kinds=post_kinds)
    if valid_from is None:
        raise ValidationError({"valid_from": _("请填写生效日期。")})
    if current is not None and valid_from <= current.valid_from:
        raise ValidationError({"valid_from": _("新版本的生效日期应晚于现行版本（%(day)s）。")
                               % {"day": current.valid_from.isoformat()}})
    before = _version_snapshot(current) if current else None
    if current is not None:
        current.valid_to = valid_from - datetime.timedelta(days=1)
        current.save(update_fields=["valid_to"])
    version = DutyRuleVersion.objects.create(rule=rule, number=(current.number + 1 if current else 1), root=root,
                                             valid_from=valid_from, created_by=actor, **terms)
    if terms["title"] or kind is not None:
        rule.title = terms["title"] or kind.name
        rule.save(update_fields=["title"])
    audit.record(actor=actor, action="update", obj=rule, org=root, before=before, after=_version_snapshot(version))
    return rule


# Roll-over ---------------------------------------------------------------------------

def _candidate_orgs(version):
    qs = Org.objects.order_by()
    if version.org_kinds:
        qs = qs.filter(kind__in=version.org_kinds)
    if version.sectors:
        qs = qs.filter(sector__in=version.sectors)
    if version.levels:
        qs = qs.filter(hanyang_level__in=version.levels)
    if version.root_id:
        qs = qs.filter(subtree_q("path", [version.root.path]))
    return qs


def _candidate_posts(version):
    """(post id, org id, from, until) of every post of the version's kinds in its organisations:
    a holder owes from the later of the org's founding and the appointment, and nothing for
    a period that begins after the post (or the org) ended."""
    rows = Post.objects.filter(kind__in=version.post_kinds, org__in=_candidate_orgs(version)).order_by() \
        .values_list("pk", "org_id", "org__founded_on", "org__closed_at", "start_on", "end_on")
    result = []
    for pk, org_id, founded_on, closed_at, start_on, end_on in rows:
        since = max(day for day in (founded_on, start_on) if day is not None)
        ends = [day for day in (closed_at, end_on) if day is not None]
        result.append((pk, org_id, since, min(ends) if ends else None))
    return result


def implied(start, end, *, orgs=None):
    """Every (org_id, rule_id, period_start, n, post_id) the rules imply for periods
    overlapping [start, end], with the version and dates: {key: (version, period_end)}.
    `post_id` is None for an organisation's duty, the post for a holder's."""
    result = {}
    rules = defaultdict(list)
    for version in DutyRuleVersion.objects.select_related("root", "kind").order_by("valid_from"):
        rules[version.rule_id].append(version)
    org_filter = None if orgs is None else {org.pk for org in orgs}
    cache = {}
    for rule_id, versions in rules.items():
        for frequency in {v.frequency for v in versions}:
            for period_start, period_end in P.periods(frequency, start, end):
                version = P.version_for(versions, period_start)
                if version is None or version.frequency != frequency:
                    continue
                if version.pk not in cache:
                    if version.post_kinds:
                        cache[version.pk] = _candidate_posts(version)
                    else:
                        cache[version.pk] = [(None, *row) for row in _candidate_orgs(version).values_list(
                            "pk", "founded_on", "closed_at")]
                for post_id, org_id, founded_on, closed_at in cache[version.pk]:
                    if org_filter is not None and org_id not in org_filter:
                        continue
                    for n in range(1, P.owed(version.times, period_start, period_end, founded_on, closed_at) + 1):
                        result[(org_id, rule_id, period_start, n, post_id)] = (version, period_end)
    return result


def _plans(org_ids, start, end):
    qs = ThemeDayPlan.objects.filter(month__gte=P.period_of("monthly", start)[0], month__lte=end)
    if org_ids is not None:
        qs = qs.filter(org_id__in=org_ids)
    return {(plan.org_id, plan.month): plan.planned_on for plan in qs}


def roll_over(*, actor=None, period_start=None, period_end=None, today=None, orgs=None):
    """Derive the occurrences the rules imply for the periods overlapping
    [period_start, period_end] (default: the periods holding today). Idempotent: the unique
    (org, rule, period_start, n[, post]) makes a second run, or two at once, add nothing. Then the
    statuses are brought up to date. Returns the number of occurrences created."""
    today = today or timezone.localdate()
    period_start = period_start or today
    period_end = period_end or period_start
    if period_end < period_start:
        raise ValidationError({"period_end": _("结束日期不能早于开始日期。")})
    if actor is not None:
        _require_rule_scope(actor, None)
    wanted = implied(period_start, period_end, orgs=orgs)
    org_ids = None if orgs is None else [org.pk for org in orgs]
    plans = _plans(org_ids, period_start, period_end)
    created = 0
    items = list(wanted.items())
    for index in range(0, len(items), BATCH):
        chunk = items[index:index + BATCH]
        with transaction.atomic():
            _rollover_lock()
            before = _count(chunk)
            rows = []
            for (org_id, rule_id, start, n, post_id), (version, end) in chunk:
                due = end
                if version.kind_id and version.kind.code == THEME_DAY and version.frequency == Frequency.MONTHLY \
                        and post_id is None:
                    due = plans.get((org_id, start), end)
                rows.append(Occurrence(org_id=org_id, rule_id=rule_id, post_id=post_id, version=version,
                                       kind_id=version.kind_id,
                                       period_start=start, period_end=end, n=n, due_date=due,
                                       status=OccurrenceStatus.DUE))
            Occurrence.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)
            created += _count(chunk) - before
    if wanted:
        first = min(key[2] for key in wanted)
        last = max(end for _, end in wanted.values())
        held = Activity.objects.filter(held_on__gte=first, held_on__lte=last)
        if org_ids is not None:
            held = held.filter(org_id__in=org_ids)
        with_records = set(held.order_by().values_list("org_id", flat=True).distinct())
        recompute(org_ids=sorted(with_records), start=first, end=last, today=today)
    mark_overdue(today=today)
    if actor is not None or created:
        audit.record(actor=actor, action="rollover", object_type="duties.occurrence",
                     object_repr=f"{period_start.isoformat()}—{period_end.isoformat()}", row_count=created)
    return created


ROLLOVER_LOCK = 0x6475747931  # "duty1": concurrent roll-overs take turns per batch


def _rollover_lock():
    """Two roll-overs at once take turns per batch, so each counts only what it added."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLOVER_LOCK])


def _count(chunk):
    """How many of the chunk's keys exist (one query per chunk)."""
    if not chunk:
        return 0
    org_ids = {key[0] for key, _ in chunk}
    starts = {key[2] for key, _ in chunk}
    rules = {key[1] for key, _ in chunk}
    keys = {key for key, _ in chunk}
    found = Occurrence.objects.filter(org_id__in=org_ids, period_start__in=starts, rule_id__in=rules) \
        .values_list("org_id", "rule_id", "period_start", "n", "post_id")
    return sum(1 for row in found.iterator(chunk_size=BATCH) if tuple(row) in keys)


def mark_overdue(*, today=None):
    today = today or timezone.localdate()
    return Occurrence.objects.filter(status=OccurrenceStatus.DUE, due_date__lt=today) \
        .update(status=OccurrenceStatus.LATE)


def recompute(*, org_ids, start, end, today=None):
    """Match activities to the occurrences of `org_ids` whose periods overlap [start, end]:
    the n-th activity of the duty's kind held in the period fulfils its n-th occurrence
    (late when held after the due date); a post holder's duty counts only the activities the
    holder chaired; a duty with a fulfilment record (履职记录) is fulfilled by it. A fixed
    number of queries per 500 orgs."""
    today = today or timezone.localdate()
    org_ids = list(org_ids)
    for index in range(0, len(org_ids), 500):
        _recompute_chunk(org_ids[index:index + 500], start, end, today)


def _recompute_chunk(org_ids, start, end, today):
    occurrences = list(Occurrence.objects.filter(org_id__in=org_ids, period_end__gte=start, period_start__lte=end)
                       .order_by("org_id", "rule_id", "period_start", "n"))
    if not occurrences:
        return
    first = min(o.period_start for o in occurrences)
    last = max(o.period_end for o in occurrences)
    held = defaultdict(list)  # (org, kind) -> [(held_on, starts_at, id, chair id)]
    through = Activity.kinds.through.objects.filter(activity__org_id__in=org_ids, activity__held_on__gte=first,
                                                    activity__held_on__lte=last)
    for org_id, kind_id, held_on, starts_at, activity_id, chair_id in through.values_list(
            "activity__org_id", "activitykind_id", "activity__held_on", "activity__starts_at", "activity_id",
            "activity__chair_id"):
        held[(org_id, kind_id)].append((held_on, starts_at, activity_id, chair_id))
    post_ids = {o.post_id for o in occurrences if o.post_id}
    holders = dict(Post.objects.filter(pk__in=post_ids).values_list("pk", "member_id")) if post_ids else {}
    free = [o.pk for o in occurrences if not o.kind_id]
    done = dict(Fulfilment.objects.filter(occurrence_id__in=free).values_list("occurrence_id", "done_on")) \
        if free else {}
    for rows in held.values():
        rows.sort()
    links = {occ_id: act_id for occ_id, act_id in
             OccurrenceLink.objects.filter(occurrence__in=[o.pk for o in occurrences])
             .values_list("occurrence_id", "activity_id")}
    changed, new_links, drop_links = [], [], []
    for occ in occurrences:
        activity = None
        if occ.kind_id and occ.status != OccurrenceStatus.EXCUSED:
            chair = holders.get(occ.post_id) if occ.post_id else None
            inside = [row for row in held.get((occ.org_id, occ.kind_id), ())
                      if occ.period_start <= row[0] <= occ.period_end and (not occ.post_id or
                                                                          (chair is not None and row[3] == chair))]
            if len(inside) >= occ.n:
                activity = inside[occ.n - 1]
        if occ.status == OccurrenceStatus.EXCUSED:
            status, fulfilled_on = occ.status, None
        elif occ.pk in done:
            fulfilled_on = done[occ.pk]
            status = OccurrenceStatus.FULFILLED if fulfilled_on <= occ.due_date else OccurrenceStatus.LATE
        elif activity is not None:
            fulfilled_on = activity[0]
            status = OccurrenceStatus.FULFILLED if fulfilled_on <= occ.due_date else OccurrenceStatus.LATE
        else:
            fulfilled_on = None
            status = OccurrenceStatus.LATE if occ.due_date < today else OccurrenceStatus.DUE
        if (status, fulfilled_on) != (occ.status, occ.fulfilled_on):
            occ.status, occ.fulfilled_on = status, fulfilled_on
            changed.append(occ)
        want = activity[2] if activity else None
        have = links.get(occ.pk)
        if want != have:
            if have is not None:
                drop_links.append(occ.pk)
            if want is not None:
                new_links.append(OccurrenceLink(occurrence_id=occ.pk, activity_id=want))
    if drop_links:
        OccurrenceLink.objects.filter(occurrence_id__in=drop_links).delete()
    if new_links:
        OccurrenceLink.objects.bulk_create(new_links, batch_size=BATCH)
    if changed:
        Occurrence.objects.bulk_update(changed, ["status", "fulfilled_on"], batch_size=BATCH)


# Activities --------------------------------------------------------------------------

def _clean_activity(*, actor, org, kinds, starts_at, topic, chair, recorder):
    errors = {}
    kinds = list(kinds or [])
    if not kinds:
        errors["kinds"] = _("请至少选择一种活动类型。")
    if starts_at is None:
        errors["starts_at"] = _("请填写开展时间。")
    elif starts_at > timezone.now():
        errors["starts_at"] = _("不能登记未来的活动：请在活动开展后登记。")
    if not (topic or "").strip():
        errors["topic"] = _("请填写活动主题。")
    for field, person in (("chair", chair), ("recorder", recorder)):
        if person is not None and (person.left_on is not None or not _member_visible(actor, person)):
            errors[field] = _("请选择本组织在册党员。")
    if errors:
        raise ValidationError(errors)
    return kinds


def _member_visible(actor, member):
    if actor is None:
        return True
    return Member.objects.visible_to(actor, "view_members").filter(pk=member.pk).exists()


def _clean_attendance(*, actor, org, attendance):
    """[(member, status, reason, is_guest)] checked: members of the branch, or guests from
    elsewhere marked as guests; nobody twice; nobody who has left."""
    rows, seen, errors = [], set(), []
    for entry in attendance:
        member = entry["member"]
        status = entry.get("status") or AttendanceStatus.PRESENT
        is_guest = bool(entry.get("is_guest"))
        reason = (entry.get("reason") or "").strip()
        if not isinstance(member, Member):
            errors.append(_("出席名单中有不在党员名册中的人员。"))
            continue
        if status not in AttendanceStatus.values:
            errors.append(_("%(name)s的出席情况无效。") % {"name": member.name})
            continue
        if member.pk in seen:
            errors.append(_("%(name)s重复出现在出席名单中。") % {"name": member.name})
            continue
        seen.add(member.pk)
        if member.left_on is not None:
            errors.append(_("%(name)s已出党或转出，不能登记出席。") % {"name": member.name})
        elif member.org_id != org.pk and not is_guest:
            errors.append(_("%(name)s不是本支部党员，如来列席请标记为列席。") % {"name": member.name})
        elif member.org_id != org.pk and actor is not None and not _member_visible(actor, member):
            errors.append(_("出席名单中有不在党员名册中的人员。"))
        rows.append((member, status, reason, is_guest and member.org_id != org.pk))
    if errors:
        raise ValidationError({"attendance": errors})
    return rows


def default_attendance(org):
    """The branch's members, all present: what the record form starts from."""
    return [{"member": m, "status": AttendanceStatus.PRESENT, "reason": "", "is_guest": False}
            for m in Member.objects.filter(org=org, left_on__isnull=True).order_by("search_text", "id")]


def _write_attendance(activity, rows):
    Attendance.objects.bulk_create([
        Attendance(activity=activity, member=member, status=status, reason=reason[:200], is_guest=is_guest)
        for member, status, reason, is_guest in rows], batch_size=BATCH)


def _attendance_summary(rows):
    counts = defaultdict(int)
    for _member, status, _reason, is_guest in rows:
        counts["guest" if is_guest else status] += 1
    return dict(counts)


def _user(actor):
    return actor if actor is not None and actor.pk else None


def _store_activity_files(activity, checked, actor):
    return store(checked, lambda item: ActivityFile(
        activity=activity, name=item.name, kind=item.kind, content_type=item.content_type, size=item.size,
        sha256=item.sha256, uploaded_by=_user(actor)))


@transaction.atomic
def activity_create(*, actor, org, kinds, starts_at, topic, place="", chair=None, recorder=None, minutes="",
                    attendance=None, files=None, keep_location=False):
    """Record a meeting or activity held by `org`. Without `attendance` every current
    member of the org is recorded present. `files`: optional photos and documents (never
    required); photos lose their EXIF location unless `keep_location`."""
    require(actor, "change", org, field="org")
    _open_org(org)
    kinds = _clean_activity(actor=actor, org=org, kinds=kinds, starts_at=starts_at, topic=topic, chair=chair,
                            recorder=recorder)
    rows = _clean_attendance(actor=actor, org=org,
                             attendance=default_attendance(org) if attendance is None else attendance)
    checked = check_files(files, keep_location=keep_location)  # before anything is written
    held_on = timezone.localtime(starts_at).date() if timezone.is_aware(starts_at) else starts_at.date()
    activity = Activity.objects.create(org=org, starts_at=starts_at, held_on=held_on, place=(place or "").strip(),
                                       topic=topic.strip(), chair=chair, recorder=recorder, minutes=minutes or "",
                                       created_by=actor if actor is not None and actor.pk else None)
    activity.kinds.set(kinds)
    _write_attendance(activity, rows)
    _store_activity_files(activity, checked, actor)
    audit.record(actor=actor, action="create", obj=activity,
                 after={**audit.snapshot(activity, ACTIVITY_FIELDS), "kinds": sorted(k.code for k in kinds),
                        "attendance": _attendance_summary(rows), "files": len(checked)})
    recompute(org_ids=[org.pk], start=held_on, end=held_on)
    _changed(org)
    return activity


@transaction.atomic
def activity_update(*, actor, activity, kinds, starts_at, topic, place="", chair=None, recorder=None, minutes="",
                    attendance=None, files=None, keep_location=False):
    """Correct a record; `files` are added to those it has."""
    activity = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    org = activity.org
    require(actor, "change", org)
    kinds = _clean_activity(actor=actor, org=org, kinds=kinds, starts_at=starts_at, topic=topic, chair=chair,
                            recorder=recorder)
    rows = None if attendance is None else _clean_attendance(actor=actor, org=org, attendance=attendance)
    checked = check_files(files, keep_location=keep_location)
    before = {**audit.snapshot(activity, ACTIVITY_FIELDS), "kinds": sorted(activity.kinds.values_list("code",
                                                                                                     flat=True))}
    old_day = activity.held_on
    activity.starts_at, activity.topic, activity.place = starts_at, topic.strip(), (place or "").strip()
    activity.held_on = timezone.localtime(starts_at).date() if timezone.is_aware(starts_at) else starts_at.date()
    activity.chair, activity.recorder, activity.minutes = chair, recorder, minutes or ""
    activity.save()
    activity.kinds.set(kinds)
    if rows is not None:
        activity.attendance.all().delete()
        _write_attendance(activity, rows)
    _store_activity_files(activity, checked, actor)
    after = {**audit.snapshot(activity, ACTIVITY_FIELDS), "kinds": sorted(k.code for k in kinds)}
    if rows is not None:
        after["attendance"] = _attendance_summary(rows)
    if checked:
        after["files_added"] = len(checked)
    audit.record(actor=actor, action="update", obj=activity, before=before, after=after)
    recompute(org_ids=[org.pk], start=min(old_day, activity.held_on), end=max(old_day, activity.held_on))
    _changed(org)
    return activity


@transaction.atomic
def activity_delete(*, actor, activity):
    activity = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    org = activity.org
    require(actor, "change", org)
    day = activity.held_on
    audit.record(actor=actor, action="delete", obj=activity, before=audit.snapshot(activity, ACTIVITY_FIELDS))
    activity.delete()
    recompute(org_ids=[org.pk], start=day, end=day)
    _changed(org)


@transaction.atomic
def activity_file_delete(*, actor, item):
    """Remove a photo or file from a record (the stored file goes once the removal commits)."""
    item = ActivityFile.objects.select_related("activity__org").get(pk=item.pk)
    require(actor, "change", item.activity.org)
    audit.record(actor=actor, action="delete", obj=item, org=item.activity.org,
                 before={"activity": item.activity_id, "name": item.name, "sha256": item.sha256})
    stored = item.file
    item.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))
    return item


# Fulfilment records (履职记录) ----------------------------------------------------------

@transaction.atomic
def occurrence_fulfil(*, actor, occurrence, done_on, note, files=None, keep_location=False, today=None):
    """Record that a duty with no activity kind (a free-form duty such as 年度部署党建工作)
    was done: the day, what was done, optional files. The duty turns fulfilled (late when
    done after its due date). A duty with an activity kind is fulfilled by recording the
    activity instead."""
    occurrence = Occurrence.objects.select_for_update().select_related("org", "version").get(pk=occurrence.pk)
    require(actor, "change", occurrence.org)
    today = today or timezone.localdate()
    if occurrence.kind_id:
        raise ValidationError({"done_on": _("该职责由“%(kind)s”的活动记录履行，请登记活动。")
                               % {"kind": occurrence.kind.name}})
    if occurrence.status == OccurrenceStatus.EXCUSED:
        raise ValidationError({"done_on": _("该事项已免除。")})
    if Fulfilment.objects.filter(occurrence=occurrence).exists():
        raise ValidationError({"done_on": _("该事项已有履职记录。")})
    errors = {}
    if done_on is None:
        errors["done_on"] = _("请填写履职日期。")
    elif done_on > today:
        errors["done_on"] = _("不能登记未来的日期：请在履职后登记。")
    elif done_on < occurrence.period_start:
        errors["done_on"] = _("履职日期应在该期间（%(start)s至%(end)s）内或之后。") % {
            "start": occurrence.period_start.isoformat(), "end": occurrence.period_end.isoformat()}
    note = (note or "").strip()
    if not note:
        errors["note"] = _("请简要填写履职情况。")
    if errors:
        raise ValidationError(errors)
    checked = check_files(files, keep_location=keep_location)
    record = Fulfilment.objects.create(occurrence=occurrence, done_on=done_on, note=note, recorded_by=_user(actor),
                                       recorded_by_name=str(actor) if actor is not None else _("系统"))
    store(checked, lambda item: FulfilmentFile(
        fulfilment=record, name=item.name, kind=item.kind, content_type=item.content_type, size=item.size,
        sha256=item.sha256, uploaded_by=_user(actor)))
    before = {"status": occurrence.status}
    recompute(org_ids=[occurrence.org_id], start=occurrence.period_start, end=occurrence.period_end, today=today)
    occurrence.refresh_from_db(fields=["status", "fulfilled_on"])
    audit.record(actor=actor, action="fulfil", obj=occurrence, org=occurrence.org, before=before,
                 after={"status": occurrence.status, "done_on": done_on, "note": note[:200], "files": len(checked)})
    _changed(occurrence.org)
    return record


@transaction.atomic
def fulfilment_delete(*, actor, fulfilment):
    """Withdraw a fulfilment record entered by mistake; the duty is owed again."""
    fulfilment = Fulfilment.objects.select_related("occurrence__org").get(pk=fulfilment.pk)
    occurrence = fulfilment.occurrence
    require(actor, "change", occurrence.org)
    audit.record(actor=actor, action="unfulfil", obj=occurrence, org=occurrence.org,
                 before={"status": occurrence.status, "done_on": fulfilment.done_on, "note": fulfilment.note[:200]})
    stored = [item.file for item in fulfilment.files.all()]
    fulfilment.delete()
    transaction.on_commit(lambda: [item.storage.delete(item.name) for item in stored])
    recompute(org_ids=[occurrence.org_id], start=occurrence.period_start, end=occurrence.period_end)
    _changed(occurrence.org)
    return occurrence


# Excuses, plans, thresholds ----------------------------------------------------------

def _excuse_org(org):
    """Excusing a duty is the level above's decision (a branch cannot excuse itself)."""
    if org.depth <= 1:
        return org
    return Org.objects.filter(path=org.path[:-Org.steplen]).first() or org


@transaction.atomic
def occurrence_excuse(*, actor, occurrence, reason):
    occurrence = Occurrence.objects.select_for_update().select_related("org").get(pk=occurrence.pk)
    require(actor, "change", _excuse_org(occurrence.org))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写免除理由。")})
    if occurrence.status == OccurrenceStatus.EXCUSED:
        raise ValidationError({"reason": _("该事项已免除。")})
    before = {"status": occurrence.status}
    occurrence.status = OccurrenceStatus.EXCUSED
    occurrence.fulfilled_on = None
    occurrence.excused_reason = reason[:200]
    occurrence.excused_by = actor if actor is not None and actor.pk else None
    occurrence.excused_at = timezone.now()
    occurrence.save(update_fields=["status", "fulfilled_on", "excused_reason", "excused_by", "excused_at"])
    occurrence.links.all().delete()
    audit.record(actor=actor, action="excuse", obj=occurrence, org=occurrence.org, before=before,
                 after={"status": occurrence.status, "reason": occurrence.excused_reason})
    recompute(org_ids=[occurrence.org_id], start=occurrence.period_start, end=occurrence.period_end)
    _changed(occurrence.org)
    return occurrence


@transaction.atomic
def occurrence_unexcuse(*, actor, occurrence):
    occurrence = Occurrence.objects.select_for_update().select_related("org").get(pk=occurrence.pk)
    require(actor, "change", _excuse_org(occurrence.org))
    if occurrence.status != OccurrenceStatus.EXCUSED:
        raise ValidationError({"reason": _("该事项未被免除。")})
    occurrence.status = OccurrenceStatus.DUE
    occurrence.excused_reason, occurrence.excused_by, occurrence.excused_at = "", None, None
    occurrence.save(update_fields=["status", "excused_reason", "excused_by", "excused_at"])
    audit.record(actor=actor, action="unexcuse", obj=occurrence, org=occurrence.org,
                 before={"status": OccurrenceStatus.EXCUSED}, after={"status": OccurrenceStatus.DUE})
    recompute(org_ids=[occurrence.org_id], start=occurrence.period_start, end=occurrence.period_end)
    _changed(occurrence.org)
    return occurrence


@transaction.atomic
def theme_day_plan_set(*, actor, org, month, planned_on, topic):
    """Publish (or change) the month's planned 主题党日; the month's duty falls due that day."""
    require(actor, "change", org, field="org")
    _open_org(org)
    month = month.replace(day=1)
    errors = {}
    if planned_on is None or (planned_on.year, planned_on.month) != (month.year, month.month):
        errors["planned_on"] = _("计划日期应在所选月份内。")
    if not (topic or "").strip():
        errors["topic"] = _("请填写计划主题。")
    if errors:
        raise ValidationError(errors)
    plan, created = ThemeDayPlan.objects.select_for_update().get_or_create(
        org=org, month=month, defaults={"planned_on": planned_on, "topic": topic.strip()})
    before = None if created else {"planned_on": plan.planned_on, "topic": plan.topic}
    plan.planned_on, plan.topic = planned_on, topic.strip()
    plan.save()
    Occurrence.objects.filter(org=org, period_start=month, kind__code=THEME_DAY,
                              period_end=P.period_of("monthly", month)[1]).update(due_date=planned_on)
    audit.record(actor=actor, action="create" if created else "update", obj=plan, org=org, before=before,
                 after={"month": month, "planned_on": planned_on, "topic": plan.topic})
    recompute(org_ids=[org.pk], start=month, end=planned_on)
    _changed(org)
    return plan


THRESHOLD_ORG_KINDS = (OrgKind.LOCAL_COMMITTEE, OrgKind.WORKING_COMMITTEE)


def _require_threshold_scope(actor, org):
    """The city default is the city organisation department's; a district's or street's
    thresholds are its own department's (`change` on that org), for its subtree."""
    if org is None:
        _require_rule_scope(actor, None)
        return
    require(actor, "change", org, field="org")
    if org.kind not in THRESHOLD_ORG_KINDS:
        raise ValidationError({"org": _("只有区（县）党委和街道（乡镇）党工委可以为本辖区设置阈值。")})


@transaction.atomic
def threshold_set(*, actor, org, green, yellow):
    """Set the red/yellow/green thresholds for `org`'s subtree (None: the city-wide default).
    The compliance pages colour each organisation by its nearest ancestor's row."""
    _require_threshold_scope(actor, org)
    errors = {}
    for name, value in (("green", green), ("yellow", yellow)):
        if value is None or not 0 <= value <= 100:
            errors[name] = _("请填写0至100之间的百分比。")
    if not errors and yellow > green:
        errors["yellow"] = _("黄色下限不能高于绿色下限。")
    if errors:
        raise ValidationError(errors)
    row, _created = ComplianceThreshold.objects.select_for_update().get_or_create(org=org)
    before = {"green": row.green, "yellow": row.yellow}
    row.green, row.yellow = green, yellow
    row.save()
    audit.record(actor=actor, action="update", object_type="duties.compliancethreshold", object_id=row.pk,
                 object_repr=str(org or _("全市默认")), org=org, before=before, after={"green": green, "yellow": yellow})
    return row


@transaction.atomic
def threshold_clear(*, actor, org):
    """Drop `org`'s own thresholds: its subtree follows the level above again."""
    _require_threshold_scope(actor, org)
    row = ComplianceThreshold.objects.select_for_update().filter(org=org).first()
    if row is None:
        return None
    audit.record(actor=actor, action="delete", object_type="duties.compliancethreshold", object_id=row.pk,
                 object_repr=str(org), org=org, before={"green": row.green, "yellow": row.yellow})
    row.delete()
    return org


# Calendar tokens ---------------------------------------------------------------------

def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_token_create(*, actor, org=None, member=None):
    """A secret feed URL token (returned once; only its hash is kept)."""
    if (org is None) == (member is None):
        raise ValidationError(_("请选择组织或党员之一。"))
    if org is not None:
        require(actor, "view", org)
    elif actor is not None and getattr(actor, "member_id", None) != member.pk:
        require(actor, "change", member.org)
    token = secrets.token_urlsafe(32)
    row = CalendarToken.objects.create(org=org, member=member, token_hash=token_digest(token),
                                       created_by=actor if actor is not None and actor.pk else None)
    audit.record(actor=actor, action="calendar_token", object_type="duties.calendartoken", object_id=row.pk,
                 object_repr=str(org or member), org=org or member.org, after={"operation": "create"})
    return row, token


@transaction.atomic
def calendar_token_revoke(*, actor, row):
    row = CalendarToken.objects.select_for_update(of=("self",)).select_related("org", "member__org").get(pk=row.pk)
    if actor is not None and row.created_by_id != actor.pk:
        require(actor, "change", row.org or row.member.org)
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="calendar_token", object_type="duties.calendartoken", object_id=row.pk,
                     object_repr=str(row.org or row.member), org=row.org or row.member.org,
                     after={"operation": "revoke"})
    return row


def kinds_by_code():
    return {kind.code: kind for kind in ActivityKind.objects.all()}

