"""Demo data for 一岗双责, called by `dangjian seed` after organisations, members, posts,
accounts and lists exist.

- Responsibilities from the posts: a secretary bears 第一责任 (primary), a deputy secretary
  or party-affairs worker 直接责任 (direct), a committee member 具体责任 (specific). The seed
  city's posts name secretaries only, so the committees of districts, streets/towns,
  communities and villages get their direct and specific leaders from their own members;
  about one in six is left without a specific one, so the figure "三级责任齐全" is not 100%.
- `demo`: a signed 责任书 per community with the level above and public commitments
  (公开承诺) for most; "八个一" records for district leaders over the year so far (the
  five items article 002 names); contact points of district leaders with visits over the
  last twelve months, a few not visited for months.
- `nantong`: the same from the posts of every organisation, in bulk, and the 318 contact
  points article 002 counts ("全市建立党员领导干部党建工作联系点318个") with visits.

Rows are written with bulk_create in batches, one audit entry per table with its count."""

import datetime
import time

from django.db.models import Q
from django.utils import timezone

from dangjian.core import audit
from dangjian.orgs.models import AreaKind, Member, Org, OrgKind, Post, PostKind, Sector

from .models import (
    ContactPoint,
    ContactVisit,
    DocumentKind,
    LeaderDutyItem,
    LeaderDutyRecord,
    Level,
    Responsibility,
    ResponsibilityDocument,
)

# Quoted from article 002; the migration adds the same rows (kept in step).
ARTICLE_002_ITEMS = [
    ("每季度开展一次党建督导", 4, "每季度"),
    ("每半年召开一次专题党建会议", 2, "每半年"),
    ("每年上一次专题示范党课", 1, "每年"),
    ("开展一轮谈心谈话", 1, "每年"),
    ("谋划推进一个党建项目", 1, "每年"),
]
POST_LEVELS = {PostKind.SECRETARY: Level.PRIMARY, PostKind.DEPUTY_SECRETARY: Level.DIRECT,
               PostKind.PARTY_AFFAIRS_WORKER: Level.DIRECT, PostKind.COMMITTEE_MEMBER: Level.SPECIFIC}
PORTFOLIOS = ["经济发展", "社会事业", "城市管理", "平安建设", "乡村振兴", "民生保障", "宣传文化", "纪检监察"]
NANTONG_POINTS = 318
BATCH = 2000
VISIT_NOTES = [
    ("调研网格党支部建设情况，参加主题党日活动", "部分网格党员联系户不够明确", "社区党委一个月内完善网格党员联系户名单"),
    ("督导“三会一课”落实，查阅会议记录", "", ""),
    ("走访困难党员和老党员，听取意见建议", "个别老党员反映活动场所无障碍设施不足", "纳入党群服务中心提档升级项目"),
    ("参加支部组织生活会，点评班子对照检查", "", ""),
    ("推进党建项目，现场协调共建单位资源", "共建单位资源对接不够及时", "建立月度对接例会"),
    ("讲授专题党课", "", ""),
]


def ensure_items():
    """The five items of article 002 (a flushed test database loses the migration's rows)."""
    for position, (name, times, description) in enumerate(ARTICLE_002_ITEMS, 1):
        LeaderDutyItem.objects.get_or_create(name=name, defaults={"times_per_year": times, "description": description,
                                                                  "position": position})
    return list(LeaderDutyItem.objects.filter(active=True))


def _units():
    """District, street/town and village/community committees: the leaderships the seed fills."""
    return list(Org.objects.filter(closed_at__isnull=True, depth__gte=2).filter(
        Q(area__kind=AreaKind.DISTRICT, depth=2) | Q(area__kind__in=[AreaKind.STREET, AreaKind.TOWN], depth=3)
        | Q(area__kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE], kind__in=[OrgKind.COMMITTEE,
                                                                          OrgKind.GENERAL_BRANCH])
    ).exclude(kind=OrgKind.GROUP).select_related("area").order_by("path"))


def _members_near(org, exclude, limit):
    """Members registered at `org`, else in its subtree (first by path), not `exclude`."""
    qs = Member.objects.filter(left_on__isnull=True).exclude(pk__in=exclude)
    found = list(qs.filter(org=org).values_list("id", flat=True)[:limit])
    if len(found) < limit:
        below = (qs.filter(org__path__startswith=org.path, org__depth__gt=org.depth)
                 .exclude(pk__in=found).values_list("id", flat=True)[:limit - len(found)])
        found += list(below)
    return found


def seed(*, preset, rng, stdout):
    started = time.perf_counter()
    today = timezone.localdate()
    city = Org.objects.filter(depth=1).order_by("path").first()
    if city is None:
        return
    items = ensure_items()
    year_start = today.replace(month=1, day=1)

    # Responsibilities from the posts ------------------------------------------------------
    rows = []
    primary = {}  # org id -> member id
    posts = (Post.objects.current(today).filter(kind__in=list(POST_LEVELS), member__isnull=False)
             .exclude(org__kind=OrgKind.GROUP).filter(org__closed_at__isnull=True)
             .values_list("org_id", "kind", "member_id", "start_on").order_by("org_id", "start_on", "id"))
    for org_id, kind, member_id, start_on in posts.iterator(chunk_size=BATCH):
        level = POST_LEVELS[kind]
        if level == Level.PRIMARY:
            if org_id in primary:
                continue
            primary[org_id] = member_id
        rows.append(Responsibility(org_id=org_id, level=level, member_id=member_id, start_on=start_on))

    # Direct and specific leaders of the committees, from their members.
    units = _units()
    leaders = {}  # org id -> [(level, member id)]
    for org in units:
        found = _members_near(org, [primary.get(org.pk, 0)], 3)
        picked = [(Level.PRIMARY, primary[org.pk])] if org.pk in primary else []
        if found:
            picked.append((Level.DIRECT, found[0]))
        if len(found) > 1 and rng.random() > 1 / 6:
            picked.append((Level.SPECIFIC, found[1]))
        start = datetime.date(today.year - rng.choice([1, 2, 3]), rng.choice([1, 3, 6, 9]), 1)
        for level, member_id in picked[1:]:
            rows.append(Responsibility(org_id=org.pk, level=level, member_id=member_id, start_on=start,
                                       portfolio="组织工作" if level == Level.DIRECT else rng.choice(PORTFOLIOS)))
        leaders[org.pk] = picked
    Responsibility.objects.bulk_create(rows, batch_size=BATCH)

    # Documents: a 责任书 per community with the level above, and public commitments.
    parents = {o.path: o for o in Org.objects.filter(path__in={u.path[:-Org.steplen] for u in units})}
    docs = []
    for org in units:
        if org.area.kind not in (AreaKind.COMMUNITY, AreaKind.VILLAGE) or org.pk not in primary:
            continue
        if preset == "nantong" and org.sector != Sector.URBAN_COMMUNITY:
            continue
        parent = parents.get(org.path[:-Org.steplen])
        signed = year_start + datetime.timedelta(days=rng.randint(10, 50))
        if signed > today:
            signed = today
        docs.append(ResponsibilityDocument(
            kind=DocumentKind.PLEDGE, org_id=org.pk, member_id=primary[org.pk], signed_on=signed,
            title=f"{today.year}年度基层党建工作责任书", counterparty=parent.name if parent else "",
            summary="落实党组织书记抓基层党建第一责任人职责：每季度研究党建工作不少于1次；网格党支部应建尽建；"
                    "“三会一课”按期规范开展；年底述职接受评议。"))
        if rng.random() < 0.7:
            docs.append(ResponsibilityDocument(
                kind=DocumentKind.COMMITMENT, org_id=org.pk, member_id=primary[org.pk],
                signed_on=min(today, signed + datetime.timedelta(days=rng.randint(5, 30))),
                title=f"{today.year}年党组织书记公开承诺", counterparty="全体党员和群众",
                summary="承诺办好为民实事3件，每月开展主题党日，每季度公开党务。"))
    ResponsibilityDocument.objects.bulk_create(docs, batch_size=BATCH)

    # Contact points with visits ------------------------------------------------------------
    districts = [o for o in units if o.depth == 2]
    townships = [o for o in units if o.depth == 3]
    grassroots = [o for o in units if o.area.kind in (AreaKind.COMMUNITY, AreaKind.VILLAGE)]
    hosts = []  # (leader org, member id)
    city_leaders = [(Level.PRIMARY, primary[city.pk])] if city.pk in primary else []
    city_leaders += [(Level.SPECIFIC, m) for m in _members_near(city, [primary.get(city.pk, 0)],
                                                                 24 if preset == "nantong" else 2)]
    hosts += [(city, member_id) for _level, member_id in city_leaders]
    for org in districts:
        hosts += [(org, member_id) for _level, member_id in leaders.get(org.pk, [])]
    if preset == "nantong":
        for org in townships:
            hosts += [(org, member_id) for _level, member_id in leaders.get(org.pk, [])]
        hosts = hosts[:NANTONG_POINTS]
    points = []
    taken = set()
    for org, member_id in hosts:
        below = [g for g in grassroots if g.path.startswith(org.path) and g.pk not in taken] or \
            [g for g in grassroots if g.path.startswith(org.path)]
        if not below:
            continue
        target = rng.choice(below)
        taken.add(target.pk)
        points.append(ContactPoint(org_id=org.pk, member_id=member_id, point_org_id=target.pk,
                                   since=datetime.date(today.year - 1, rng.choice([1, 3, 6]), 1)))
    visits = []
    for point in points:
        stale = rng.random() < 0.12
        last = None
        day = max(point.since, today - datetime.timedelta(days=365 - rng.randint(5, 40)))
        limit = today - datetime.timedelta(days=130) if stale else today
        while day <= limit:
            summary, problems, follow_up = rng.choice(VISIT_NOTES)
            visits.append((point, ContactVisit(visited_on=day, summary=summary, problems=problems,
                                               follow_up=follow_up)))
            last = day
            day += datetime.timedelta(days=rng.randint(45, 100))
        point.last_visit_on = last
    ContactPoint.objects.bulk_create(points, batch_size=BATCH)
    for point, visit in visits:
        visit.point_id = point.pk
    ContactVisit.objects.bulk_create([v for _p, v in visits], batch_size=BATCH)

    # "八个一" records of the district leaders (demo) --------------------------------------
    records = []
    if preset == "demo":
        for org in districts:
            for _level, member_id in leaders.get(org.pk, []):
                for item in items:
                    due = max(1, item.times_per_year * today.month // 12)
                    done = due if rng.random() < 0.7 else max(0, due - 1)
                    for n in range(done):
                        month = min(today.month, 1 + n * 12 // item.times_per_year)
                        day = datetime.date(today.year, month, rng.randint(3, 25))
                        records.append(LeaderDutyRecord(
                            org_id=org.pk, member_id=member_id, item=item, year=today.year, done_on=min(day, today),
                            summary=f"{item.name}：{rng.choice(['到联系点', '在区委', '到街道'])}开展，形成工作记录"))
        LeaderDutyRecord.objects.bulk_create(records, batch_size=BATCH)

    for model, count in ((Responsibility, len(rows)), (ResponsibilityDocument, len(docs)),
                         (ContactPoint, len(points)), (ContactVisit, len(visits)), (LeaderDutyRecord, len(records))):
        if count:
            audit.record(actor=None, action="seed", object_type=model._meta.label_lower,
                         object_repr="responsibilities seed", org=city, row_count=count)
    stdout.write(f"一岗双责：{len(rows):,} 条责任人，{len(docs):,} 份责任书与承诺，{len(points):,} 个联系点，"
                 f"{len(visits):,} 次走访，{len(records):,} 条“八个一”记录（{time.perf_counter() - started:.1f} 秒）")
