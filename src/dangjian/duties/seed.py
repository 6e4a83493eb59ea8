"""Demo data for duties, called by `dangjian seed` after organisations, members, accounts
and lists (see orgs/management/commands/seed.py).

Both presets get the last twelve months (the current one included) of duties derived from
the seeded rules (the same derivation as services.roll_over: `roll_over` afterwards adds
nothing) and the activity records that fulfil them: most organisations green, some late
(held after their theme-day plan's date, or missing now and then), a few red. One activity
often counts twice (a 主题党日 that is also the month's 支委会).

Attendance is recorded for every branch in `demo`; in `nantong` for the demo-shaped subtree
(the street of the demo accounts) and a sample of 2% of the branches elsewhere. Theme-day
plans: every branch in `demo`, the demo-shaped subtree in `nantong`.

Duties of post holders (支部书记讲党课) are derived per holder as the roll-over does; the
holder chairs one of the branch's lectures of the year in most branches, which fulfils it.

The grid branch of the `grid_secretary` account has this month's 主题党日 still to hold
(the browser walkthrough records it) and one missed month, so recording it moves its rate.

Rows are written in batches of organisations with bulk inserts; one audit entry per table
with its row count.
"""

import datetime
import time
from collections import defaultdict

from django.apps import apps
from django.db import connection
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.spreadsheets.bulk import insert_rows
from dangjian.orgs.models import Member, Org, Post

from . import periods as P
from .defaults import FREE_RULES, install
from .models import (
    THEME_DAY,
    Activity,
    ActivityKind,
    Attendance,
    DutyRuleVersion,
    Fulfilment,
    Occurrence,
    OccurrenceLink,
    OccurrenceStatus,
    ThemeDayPlan,
)

CHUNK = 1000
TOPICS = {
    "theme_day": ["学习习近平新时代中国特色社会主义思想", "重温入党誓词", "网格走访联系群众", "志愿服务进小区",
                  "学习党章党规", "“我为群众办实事”实践活动", "红色教育基地参观学习", "垃圾分类宣传志愿服务"],
    "committee_meeting": ["研究本月支部工作", "讨论发展党员工作", "研究主题党日安排", "研究党费收缴情况"],
    "group_meeting": ["党小组学习讨论", "党小组谈心谈话"],
    "member_assembly": ["支部党员大会：通报工作", "支部党员大会：讨论接收预备党员", "支部党员大会：学习传达上级精神"],
    "party_lecture": ["书记讲党课：践行初心使命", "专题党课：基层治理与为民服务", "党课：学习党的光辉历史"],
    "life_meeting": ["年度组织生活会", "专题组织生活会"],
    "member_review": ["民主评议党员"],
    "central_study": ["理论学习中心组：学习基层党建工作部署", "理论学习中心组专题学习"],
    "deployment": ["年度基层党建工作部署会"],
}
PLACES = ["党群服务中心", "社区会议室", "网格党建驿站", "村委会会议室", "党员活动室"]
REASONS = ["外出务工", "出差", "身体不适", "家中有事", "值班"]


def _months_back(day, months):
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _reserve_ids(model, n):
    """`n` fresh primary keys for explicit inserts."""
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
                           [n])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + n))


class Profile:
    """How an organisation keeps its duties: the chance it holds one, and holds it late."""

    def __init__(self, rng):
        roll = rng.random()
        if roll < 0.75:
            self.hold, self.late = 0.985, 0.03
        elif roll < 0.92:
            self.hold, self.late = 0.86, 0.25
        else:
            self.hold, self.late = 0.45, 0.3


class Seeder:
    def __init__(self, preset, rng, today):
        self.preset, self.rng, self.today = preset, rng, today
        self.start = _months_back(today, 11)
        self.kinds = {k.code: k for k in ActivityKind.objects.all()}
        self.kind_codes = {k.pk: k.code for k in self.kinds.values()}
        self.versions = list(DutyRuleVersion.objects.select_related("root", "kind").order_by("valid_from"))
        self.by_rule = defaultdict(list)
        for version in self.versions:
            self.by_rule[version.rule_id].append(version)
        self.counts = defaultdict(int)

    def post_holders(self, orgs):
        """{org id: [(post id, member id, since, until)]} of the posts the post rules name."""
        kinds = {kind for v in self.versions for kind in v.post_kinds}
        result = defaultdict(list)
        if not kinds:
            return result
        by_pk = {org.pk: org for org in orgs}
        for pk, org_id, kind, member_id, start_on, end_on in Post.objects.filter(
                org_id__in=list(by_pk), kind__in=kinds).order_by("pk").values_list(
                "pk", "org_id", "kind", "member_id", "start_on", "end_on"):
            org = by_pk[org_id]
            since = max(day for day in (org.founded_on, start_on) if day is not None)
            ends = [day for day in (org.closed_at, end_on) if day is not None]
            result[org_id].append((pk, kind, member_id, since, min(ends) if ends else None, start_on, end_on))
        return result

    def periods(self):
        """[(rule_id, version, period_start, period_end)] for the window."""
        result = []
        for rule_id, versions in self.by_rule.items():
            for frequency in {v.frequency for v in versions}:
                for start, end in P.periods(frequency, self.start, self.today):
                    version = P.version_for(versions, start)
                    if version is not None and version.frequency == frequency:
                        result.append((rule_id, version, start, end))
        return result

    def run(self, orgs, attendance_orgs, plan_orgs, grid_branch_id):
        periods = self.periods()
        for index in range(0, len(orgs), CHUNK):
            self.chunk(orgs[index:index + CHUNK], periods, attendance_orgs, plan_orgs, grid_branch_id)

    def _day(self, start, end, before=None, after=None):
        """A past day in [start, end] (and before/after a due date when asked)."""
        last = min(end, self.today - datetime.timedelta(days=1))
        first = start
        if before is not None:
            last = min(last, before)
        if after is not None:
            first = max(first, after + datetime.timedelta(days=1))
        if first > last:
            return None
        return first + datetime.timedelta(days=self.rng.randrange((last - first).days + 1))

    def chunk(self, orgs, periods, attendance_orgs, plan_orgs, grid_branch_id):
        rng, today = self.rng, self.today
        # activities: [held_on, org_id, kind_ids, [occ index], chair member id]
        occurrences, plans, activities, fulfilments = [], [], [], []
        holders = self.post_holders(orgs)
        for org in orgs:
            profile = Profile(rng)
            if org.pk == grid_branch_id:
                profile.hold, profile.late = 0.9, 0.1
            planned = {}
            if org.pk in plan_orgs and org.kind == "branch":
                month = self.start
                while month <= today:
                    month_end = P.period_of("monthly", month)[1]
                    day = month.replace(day=rng.randint(8, 20))
                    if month_end >= today:  # this month: the plan is still ahead
                        day = min(month_end, max(today, day))
                    planned[month] = day
                    plans.append({"org_id": org.pk, "month": month, "planned_on": day,
                                  "topic": rng.choice(TOPICS["theme_day"])})
                    month = P.period_of("monthly", month)[1] + datetime.timedelta(days=1)
            month_held = {}  # (period_start) -> activity index holding a theme day or committee meeting
            first_activity = len(activities)
            post_periods = []
            for rule_id, version, start, end in periods:
                if not version.applies_to(org):
                    continue
                if version.post_kinds:
                    post_periods.append((rule_id, version, start, end))
                    continue
                owed = P.owed(version.times, start, end, org.founded_on, org.closed_at)
                code = version.kind.code if version.kind_id else ""
                for n in range(1, owed + 1):
                    due = end
                    if code == THEME_DAY and start in planned:
                        due = planned[start]
                    row = {"org_id": org.pk, "rule_id": rule_id, "version_id": version.pk, "kind_id": version.kind_id,
                           "period_start": start, "period_end": end, "n": n, "due_date": due,
                           "status": OccurrenceStatus.DUE, "fulfilled_on": None}
                    occurrences.append(row)
                    current = end >= today
                    forced_open = org.pk == grid_branch_id and code == THEME_DAY and current
                    missed_month = (org.pk == grid_branch_id and code == THEME_DAY
                                    and start == _months_back(today, 2))
                    chance = profile.hold * ((today - start).days / ((end - start).days + 1) if current else 1)
                    if forced_open or missed_month or rng.random() >= chance:
                        row["status"] = OccurrenceStatus.LATE if due < today else OccurrenceStatus.DUE
                        continue
                    late = due < end and rng.random() < profile.late
                    held_on = (self._day(start, end, after=due) if late else None) or self._day(start, end, before=due)
                    if held_on is None:
                        row["status"] = OccurrenceStatus.LATE if due < today else OccurrenceStatus.DUE
                        continue
                    row["status"] = OccurrenceStatus.FULFILLED if held_on <= due else OccurrenceStatus.LATE
                    row["fulfilled_on"] = held_on
                    if not version.kind_id:  # a free-form duty: a fulfilment record, no activity
                        fulfilments.append((len(occurrences) - 1, held_on, version.label))
                        continue
                    shared = month_held.get(start) if code in ("theme_day", "committee_meeting") else None
                    if shared is not None and rng.random() < 0.5 and shared[1] != code:
                        activity = activities[shared[0]]
                        if activity[0] <= due:  # the same day serves both duties
                            activity[2].append(version.kind_id)
                            activity[3].append(len(occurrences) - 1)
                            row["fulfilled_on"] = activity[0]
                            row["status"] = OccurrenceStatus.FULFILLED
                            month_held.pop(start)
                            continue
                    activities.append([held_on, org.pk, [version.kind_id], [len(occurrences) - 1], None])
                    if code in ("theme_day", "committee_meeting"):
                        month_held[start] = (len(activities) - 1, code)
            self.holders_duties(org, post_periods, holders.get(org.pk, ()), occurrences,
                                activities[first_activity:], profile)
        # Occurrences first (their ids for the links), then activities with explicit ids.
        occ_ids = _reserve_ids(Occurrence, len(occurrences))
        for row, pk in zip(occurrences, occ_ids):
            row["id"] = pk
        _insert_with_ids(Occurrence, occurrences)
        notes = {title: note for title, *_rest, note in FREE_RULES}
        insert_rows(Fulfilment, [{"occurrence_id": occurrences[index]["id"], "done_on": done_on,
                                  "note": notes.get(label, label).format(year=done_on.year),
                                  "recorded_by_name": "组织部"} for index, done_on, label in fulfilments])
        if plans:
            insert_rows(ThemeDayPlan, plans)
        act_ids = _reserve_ids(Activity, len(activities))
        act_rows, kind_rows, link_rows = [], [], []
        member_rows = defaultdict(list)
        attending = [a for a in activities if a[1] in attendance_orgs]
        if attending:
            for org_id, member_id in Member.objects.filter(org_id__in={a[1] for a in attending},
                                                             left_on__isnull=True).values_list("org_id", "id"):
                member_rows[org_id].append(member_id)
        attendance = []
        tz = timezone.get_current_timezone()
        for (held_on, org_id, kind_ids, occ_indexes, chair_id), pk in zip(activities, act_ids):
            code = self.kind_codes[kind_ids[0]]
            hour = rng.choice((9, 14, 15, 19))
            act_rows.append({"id": pk, "org_id": org_id, "held_on": held_on, "chair_id": chair_id,
                             "starts_at": datetime.datetime(held_on.year, held_on.month, held_on.day, hour, 0,
                                                            tzinfo=tz),
                             "topic": rng.choice(TOPICS.get(code, ["组织生活"])), "place": rng.choice(PLACES)})
            for kind_id in kind_ids:
                kind_rows.append({"activity_id": pk, "activitykind_id": kind_id})
            for index in occ_indexes:
                link_rows.append({"occurrence_id": occurrences[index]["id"], "activity_id": pk})
            for member_id in member_rows.get(org_id, ()):
                roll = rng.random()
                status = "present" if roll < 0.86 else ("absent" if roll < 0.93 else "leave")
                attendance.append({"activity_id": pk, "member_id": member_id, "status": status,
                                   "reason": "" if status == "present" else rng.choice(REASONS), "is_guest": False})
        _insert_with_ids(Activity, act_rows)
        insert_rows(Activity.kinds.through, kind_rows)
        insert_rows(OccurrenceLink, link_rows)
        insert_rows(Attendance, attendance)
        for name, rows in (("occurrences", occurrences), ("activities", act_rows), ("links", link_rows),
                           ("attendance", attendance), ("plans", plans)):
            self.counts[name] += len(rows)


    def holders_duties(self, org, post_periods, posts, occurrences, activities, profile):
        """The occurrences each post holder owes (as services.implied derives them), fulfilled
        when the holder chaired an activity of the kind in the period: the branch's own
        records, of which the holder chairs at most one a day, in date order, as
        services.recompute matches them."""
        for rule_id, version, start, end in post_periods:
            for post_id, kind, member_id, since, until, start_on, end_on in posts:
                if kind not in version.post_kinds:
                    continue
                owed = P.owed(version.times, start, end, since, until)
                if not owed:
                    continue
                rows = []
                for n in range(1, owed + 1):
                    rows.append({"org_id": org.pk, "rule_id": rule_id, "version_id": version.pk,
                                 "kind_id": version.kind_id, "post_id": post_id, "period_start": start,
                                 "period_end": end, "n": n, "due_date": end,
                                 "status": OccurrenceStatus.LATE if end < self.today else OccurrenceStatus.DUE,
                                 "fulfilled_on": None})
                    occurrences.append(rows[-1])
                if member_id is None or not version.kind_id:
                    continue
                base = len(occurrences) - owed
                chaired, last_day = 0, None
                for activity in sorted(activities, key=lambda a: a[0]):
                    held_on = activity[0]
                    if chaired >= owed or activity[4] is not None or version.kind_id not in activity[2]:
                        continue
                    if not (start <= held_on <= end and start_on <= held_on and (end_on is None or held_on <= end_on)):
                        continue
                    if held_on == last_day or self.rng.random() >= profile.hold:
                        continue
                    activity[4] = member_id
                    rows[chaired]["status"] = OccurrenceStatus.FULFILLED
                    rows[chaired]["fulfilled_on"] = held_on
                    activity[3].append(base + chaired)
                    chaired, last_day = chaired + 1, held_on


def _insert_with_ids(model, rows):
    """Rows carrying their own ids: COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
        return
    import io

    fields = [f for f in model._meta.concrete_fields]
    now = timezone.now()
    buffer = io.StringIO()
    for row in rows:
        values = []
        for field in fields:
            if field.attname in row:
                value = row[field.attname]
            elif field.name in row:
                value = row[field.name]
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
            values.append(_copy_value(value))
        buffer.write("\t".join(values) + "\n")
    buffer.seek(0)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        with cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)


def _copy_value(value):
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def seed(*, preset, rng, stdout):
    started = time.monotonic()
    install(apps)  # a flushed database has lost the migration's rows; put them back
    today = timezone.localdate()
    if Occurrence.objects.exists():
        return
    from dangjian.accounts.models import User

    grid_user = User.objects.filter(username="grid_secretary").first()
    grid_branch = grid_user.role_grants.select_related("org").first().org if grid_user else None
    street_user = User.objects.filter(username="street_secretary").first()
    street = street_user.role_grants.select_related("org").first().org if street_user else None
    orgs = list(Org.objects.filter(closed_at__isnull=True).only(
        "id", "path", "kind", "sector", "hanyang_level", "founded_on", "closed_at").order_by("path"))
    branches = [o for o in orgs if o.kind == "branch"]
    if preset == "demo":
        attendance_orgs = {o.pk for o in branches}
        plan_orgs = set(attendance_orgs)
    else:
        shaped = {o.pk for o in branches if street is not None and o.path.startswith(street.path)}
        sample = {o.pk for o in branches if rng.random() < 0.02}
        attendance_orgs = shaped | sample
        plan_orgs = set(shaped)
    if grid_branch is not None:
        attendance_orgs.add(grid_branch.pk)
        plan_orgs.add(grid_branch.pk)
    seeder = Seeder(preset, rng, today)
    seeder.run(orgs, attendance_orgs, plan_orgs, grid_branch.pk if grid_branch else None)
    for name, model in (("occurrences", "duties.occurrence"), ("activities", "duties.activity"),
                        ("attendance", "duties.attendance")):
        audit.record(actor=None, action="seed", object_type=model, object_repr=f"duties {name}",
                     row_count=seeder.counts[name])
    c = seeder.counts
    stdout.write(f"组织生活：应履职事项 {c['occurrences']:,} 项，活动记录 {c['activities']:,} 条，"
                 f"出席记录 {c['attendance']:,} 条，主题党日计划 {c['plans']:,} 个"
                 f"（{time.monotonic() - started:.1f} 秒）")
