"""Demo data for residents' requests, called by `dangjian seed` after organisations, lists
and accounts exist.

Both presets get the categories typical of a Chinese community (物业维修, 环境卫生, 停车充电,
邻里纠纷, 养老助残, 政策咨询, 市政设施, 安全隐患) with their deadlines and default unit
kinds, and dispatch units: every community (村/社区) has its 居委会办公室, urban communities a
物业公司 and every other one an 业委会; every street or town has its 城管科 and 社会事务科.

Requests over the past year, in every state: `demo` a few hundred (plus a walkthrough through
the services so the demo accounts find work in their inbox), `nantong` about 60,000 (the volume
of a city of 7.7 million at roughly one request per 130 residents a year; our estimate), written
with bulk_create in batches, one audit entry per table with its row count.
"""

import datetime
import math

from django.utils import timezone

from dangjian.core import audit, crypto
from dangjian.orgs.models import Area, AreaKind, Org

from . import calendar as cal
from .models import (
    Category,
    Channel,
    DispatchUnit,
    EventKind,
    Holiday,
    Request,
    RequestCounter,
    RequestEvent,
    Status,
    UnitKind,
    new_tracking_code,
)

CATEGORIES = [
    # code, name, description, unit kind, hours, working days
    ("repair", "物业维修", "楼道灯、门禁、电梯、管道漏水等公共部位维修", UnitKind.PROPERTY_COMPANY, None, 3),
    ("sanitation", "环境卫生", "垃圾清运、楼道堆物、绿化养护", UnitKind.COMMUNITY_OFFICE, 48, None),
    ("parking", "停车充电", "车位、非机动车充电桩、飞线充电", UnitKind.PROPERTY_COMPANY, None, 5),
    ("dispute", "邻里纠纷", "噪音、漏水、宠物等邻里矛盾调解", UnitKind.COMMUNITY_OFFICE, None, 5),
    ("elderly", "养老助残", "助餐、助浴、上门探视、无障碍设施", UnitKind.COMMUNITY_OFFICE, None, 3),
    ("policy", "政策咨询", "社保、医保、救助、证明办理等政策咨询", UnitKind.COMMUNITY_OFFICE, 24, None),
    ("municipal", "市政设施", "路灯、道路、井盖、排水", UnitKind.STREET_DEPARTMENT, None, 10),
    ("safety", "安全隐患", "消防通道堵塞、高空坠物、危房", UnitKind.STREET_DEPARTMENT, 24, None),
]
# How often each category comes, per 100 requests (our estimate from published 12345 hotline
# breakdowns of community matters: maintenance and sanitation lead).
WEIGHTS = {"repair": 28, "sanitation": 18, "parking": 14, "dispute": 10, "elderly": 8, "policy": 12,
           "municipal": 6, "safety": 4}
DESCRIPTIONS = {
    "repair": ["楼道灯坏了，晚上看不见", "单元门禁失灵，外人随意进出", "电梯经常停运，老人上下楼困难", "楼顶漏水，墙面发霉"],
    "sanitation": ["垃圾桶满了两天没人清运", "楼道里堆满杂物，影响通行", "小区绿化带长期无人修剪"],
    "parking": ["电动车飞线充电，存在隐患", "希望增设非机动车充电桩", "消防通道被私家车占用"],
    "dispute": ["楼上夜间噪音扰民", "楼上漏水到我家，协商不成", "邻居养狗不拴绳"],
    "elderly": ["独居老人需要助餐服务", "希望楼道加装扶手", "申请居家养老上门服务"],
    "policy": ["咨询灵活就业人员医保缴费", "咨询临时救助申请条件", "开具居住证明需要什么材料"],
    "municipal": ["小区门口路灯不亮", "路面井盖松动", "雨后道路积水严重"],
    "safety": ["消防通道堵塞", "高层阳台花盆有坠落风险", "老旧房屋墙体开裂"],
}
RESOLUTIONS = {
    "repair": "已安排维修人员上门处理完毕", "sanitation": "已清运并安排保洁定时巡查", "parking": "已劝导整改并增设充电设施",
    "dispute": "社区调解员已上门调解，双方达成一致", "elderly": "已对接养老服务站，服务已开始",
    "policy": "已电话答复并告知办理材料", "municipal": "已报街道城管科修复", "safety": "已现场排除隐患",
}
CHANNEL_WEIGHTS = [(Channel.WEB, 55), (Channel.STAFF, 20), (Channel.PHONE, 15), (Channel.IN_PERSON, 10)]
PER_YEAR = {"demo": 300, "nantong": 60000}
BATCH = 2000


def _pick(rng, weighted):
    total = sum(w for _v, w in weighted)
    x = rng.random() * total
    for value, weight in weighted:
        x -= weight
        if x < 0:
            return value
    return weighted[-1][0]


def _categories():
    existing = {c.code: c for c in Category.objects.all()}
    made = []
    for position, (code, name, description, kind, hours, days) in enumerate(CATEGORIES):
        if code not in existing:
            made.append(Category(code=code, name=name, description=description, default_unit_kind=kind,
                                 deadline_hours=hours, deadline_working_days=days, position=position))
    Category.objects.bulk_create(made)
    if made:
        audit.record(actor=None, action="seed", object_type="resident_requests.category", object_repr="诉求类别",
                     row_count=len(made))
    return {c.code: c for c in Category.objects.all()}


def _intake_points():
    """[(place area, community area, grid area, org)] for every open org on a community,
    village or grid area; a community without its own grids gives itself as the place."""
    areas = {a.path: a for a in Area.objects.filter(kind__in=(AreaKind.COMMUNITY, AreaKind.VILLAGE, AreaKind.GRID))}
    orgs = list(Org.objects.filter(closed_at__isnull=True, area__kind__in=(AreaKind.COMMUNITY, AreaKind.VILLAGE,
                                                                          AreaKind.GRID)).only("id", "path", "area_id", "depth")
                .order_by("depth", "path"))
    by_area = {}
    for org in orgs:
        by_area.setdefault(org.area_id, org)
    grids_of = {}
    for area in areas.values():
        if area.kind == AreaKind.GRID:
            grids_of.setdefault(area.path[:-4], []).append(area)
    points = []
    for area in areas.values():
        if area.kind == AreaKind.GRID:
            community = areas.get(area.path[:-4])
            org = by_area.get(area.pk) or (by_area.get(community.pk) if community else None)
            if org is not None:
                points.append((area, community, area, org))
        elif area.pk in by_area and not grids_of.get(area.path):
            points.append((area, area, None, by_area[area.pk]))
    points.sort(key=lambda p: p[0].path)
    return points


def _units(points):
    """Dispatch units: per community its office and a property company or owners' committee,
    per street/town two departments. Returns {org path: [unit]}."""
    if not DispatchUnit.objects.exists():
        rows = []
        seen = set()
        for org in (Org.objects.filter(closed_at__isnull=True, area__kind__in=(AreaKind.COMMUNITY, AreaKind.VILLAGE))
                    .select_related("area").order_by("depth", "path")):
            if org.area_id in seen:
                continue
            seen.add(org.area_id)
            name = org.area.name
            rows.append(DispatchUnit(org=org, name=f"{name}居委会办公室", kind=UnitKind.COMMUNITY_OFFICE))
            if org.area.kind == AreaKind.COMMUNITY:
                kind = UnitKind.PROPERTY_COMPANY if len(seen) % 4 else UnitKind.OWNERS_COMMITTEE
                rows.append(DispatchUnit(org=org, name=f"{name}{'物业服务中心' if kind == UnitKind.PROPERTY_COMPANY else '业主委员会'}",
                                         kind=kind))
        for org in (Org.objects.filter(closed_at__isnull=True, area__kind__in=(AreaKind.STREET, AreaKind.TOWN))
                    .select_related("area").order_by("depth", "path")):
            if org.area_id in seen:
                continue
            seen.add(org.area_id)
            rows.append(DispatchUnit(org=org, name=f"{org.area.name}城管科", kind=UnitKind.STREET_DEPARTMENT))
            rows.append(DispatchUnit(org=org, name=f"{org.area.name}社会事务科", kind=UnitKind.STREET_DEPARTMENT))
        DispatchUnit.objects.bulk_create(rows, batch_size=BATCH)
        audit.record(actor=None, action="seed", object_type="resident_requests.dispatchunit", object_repr="承办单位",
                     row_count=len(rows))
    units = {}
    for unit in DispatchUnit.objects.select_related("org").only("id", "name", "kind", "org__path"):
        units.setdefault(unit.org.path, []).append(unit)
    return units


def _unit_for(units, org_path, kind):
    """The nearest unit of `kind` at the org or above it."""
    path = org_path
    while path:
        for unit in units.get(path, ()):
            if unit.kind == kind:
                return unit
        path = path[:-4]
    return None


def seed(*, preset, rng, stdout):
    if not Org.objects.exists():
        return
    now = timezone.now()
    categories = _categories()
    points = _intake_points()
    if not points:
        return
    units = _units(points)
    count = _requests(preset, rng, now, categories, points, units)
    _analyze()
    stdout.write(f"居民诉求 {count} 件（近一年，各种状态）；诉求类别 {len(categories)} 类；承办单位 "
                 f"{sum(len(v) for v in units.values())} 个")
    if preset == "demo":
        _demo_walkthrough(stdout, categories)


def _analyze():
    """Fresh planner statistics after a bulk load: without them PostgreSQL guesses a quarter of
    the rows and scans where an index would do (the city's lists, Open311's public list)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("resident_requests_request", "resident_requests_requestevent",
                          "resident_requests_dispatchunit"):
                cursor.execute(f"ANALYZE {table}")


def _requests(preset, rng, now, categories, points, units):
    if Request.objects.exists():
        return 0
    total = PER_YEAR.get(preset, 300)
    weighted = [(categories[code], weight) for code, weight in WEIGHTS.items() if code in categories]
    marks = dict(Holiday.objects.values_list("date", "kind"))
    org_parent = {}
    counters = {}
    batch, events = [], []
    written = 0
    # Points weighted towards the demo accounts' grid in `demo`, uniform at city scale.
    for index in range(total):
        place, community, grid, org = points[int(rng.random() * len(points))] if preset != "demo" or index % 3 else \
            points[index % min(len(points), 12)]
        category = _pick(rng, weighted)
        age = datetime.timedelta(days=365 * rng.random() ** 1.3)
        submitted = now - age
        deadline = cal.deadline_for(category, submitted, marks=marks)
        span = deadline - submitted
        request = Request(
            tracking_code=new_tracking_code(), channel=_pick(rng, CHANNEL_WEIGHTS), category_id=category.pk,
            area_id=place.pk, community_id=community.pk if community else None, grid_id=grid.pk if grid else None,
            org_id=org.pk, submitted_at=submitted, deadline_at=deadline,
            description=rng.choice(DESCRIPTIONS[category.code]),
        )
        if rng.random() < 0.7:
            phone = f"1{rng.choice('3589')}{rng.randrange(10 ** 8, 10 ** 9)}"
            request.phone_encrypted, request.phone_masked = crypto.encrypt(phone), crypto.mask_phone(phone)
        local_year = timezone.localtime(submitted).year
        counters[local_year] = counters.get(local_year, 0) + 1
        request.number = f"R{local_year}-{counters[local_year]:06d}"
        steps = [(EventKind.SUBMITTED, submitted, "")]
        _state(request, org, category, rng, now, submitted, deadline, span, units, steps, org_parent)
        batch.append(request)
        events.append(steps)
        if len(batch) >= BATCH:
            written += _flush(batch, events)
            batch, events = [], []
    written += _flush(batch, events)
    for y, last in counters.items():
        RequestCounter.objects.update_or_create(year=y, defaults={"last": last})
    audit.record(actor=None, action="seed", object_type="resident_requests.request", object_repr="居民诉求",
                 row_count=written)
    return written


def _state(request, org, category, rng, now, submitted, deadline, span, units, steps, org_parent):
    """Where a request of this age stands: most past ones done (mostly in time), some late."""
    accepted = submitted + span * (0.05 * rng.random())
    if accepted > now:
        return  # just in: waiting in the intake queue
    request.status, request.accepted_at = Status.ACCEPTED, accepted
    steps.append((EventKind.ACCEPTED, accepted, ""))
    unit = _unit_for(units, org.path, category.default_unit_kind)
    dispatched = accepted + span * (0.1 * rng.random())
    if unit is not None and dispatched <= now:
        request.status, request.unit_id, request.dispatched_at = Status.DISPATCHED, unit.pk, dispatched
        steps.append((EventKind.DISPATCHED, dispatched, unit.name))
        if dispatched + span * 0.05 <= now:
            request.status = Status.IN_PROGRESS
    finish = submitted + span * (0.2 + 1.1 * rng.random() ** 1.5)  # about 85% within the deadline
    if rng.random() < 0.04 and finish < now:  # still open long after: overdue and escalated
        finish = now + datetime.timedelta(days=3)
    if finish > now:
        if deadline < now:  # overdue: escalated one level a day, up to the district
            days = max(1, min(3, math.ceil((now - deadline) / datetime.timedelta(days=1))))
            target = org.path
            for _ in range(days):
                if len(target) <= 8:
                    break
                target = target[:-4]
            if target != org.path:
                parent = org_parent.get(target)
                if parent is None:
                    parent = org_parent[target] = Org.objects.filter(path=target).only("id", "path").first()
                request.escalated_to_id, request.escalation_level = parent.pk, (len(org.path) - len(target)) // 4
                request.escalated_at = deadline + datetime.timedelta(minutes=5)
                steps.append((EventKind.ESCALATED, request.escalated_at, ""))
        return
    request.status, request.resolved_at = Status.RESOLVED, finish
    request.resolution = RESOLUTIONS[category.code]
    steps.append((EventKind.RESOLVED, finish, request.resolution))
    if rng.random() < 0.04:
        request.reopen_count = 1
    if rng.random() < 0.55 and finish + datetime.timedelta(hours=30) <= now:
        request.rating = _pick(rng, [(5, 50), (4, 30), (3, 10), (2, 5), (1, 5)])
        request.rated_at = finish + datetime.timedelta(hours=1 + 29 * rng.random())
        steps.append((EventKind.RATED, request.rated_at, ""))
    if finish + cal_window() <= now:
        request.status, request.closed_at = Status.CLOSED, finish + cal_window()
        if rng.random() < 0.6:
            request.confirmed_at = request.closed_at = finish + datetime.timedelta(hours=2 + 40 * rng.random())
            steps.append((EventKind.CONFIRMED, request.confirmed_at, ""))
        else:
            steps.append((EventKind.CLOSED, request.closed_at, ""))


def cal_window():
    from .services import RATING_WINDOW

    return RATING_WINDOW


def _flush(batch, events):
    if not batch:
        return 0
    Request.objects.bulk_create(batch, batch_size=BATCH)
    rows = []
    for request, steps in zip(batch, events):
        for kind, at, note in steps:
            rows.append(RequestEvent(request_id=request.pk, kind=kind, at=at, note=note))
    RequestEvent.objects.bulk_create(rows, batch_size=BATCH)
    return len(batch)


def _demo_walkthrough(stdout, categories):
    """Through the services, as the demo accounts would: a request in the grid worker's intake
    queue, one the grid worker accepted and dispatched, and one past its deadline escalated."""
    from dangjian.accounts.models import User

    from . import services

    worker = User.objects.filter(username="grid_worker").first()
    if worker is None:
        return
    branch = worker.role_grants.select_related("org__area").first().org
    if branch.area is None:
        return
    now = timezone.now()
    fresh = services.request_submit(channel=Channel.WEB, category=categories["repair"],
                                    description="3号楼2单元楼道灯坏了，晚上看不见", area=branch.area, phone="13800000000")
    taken = services.request_submit(actor=worker, channel=Channel.PHONE, category=categories["parking"],
                                    description="电话反映：车棚内有人飞线充电", area=branch.area)
    services.request_accept(actor=worker, request=taken)
    unit = services.suggested_unit(taken)
    if unit is not None:
        services.request_dispatch(actor=worker, request=taken, unit=unit)
    late = services.request_submit(channel=Channel.WEB, category=categories["safety"], description="消防通道被杂物堵塞",
                                   area=branch.area, now=now - datetime.timedelta(days=3))
    services.request_accept(actor=worker, request=late, now=now - datetime.timedelta(days=3))
    services.request_escalate_due(now=now)
    stdout.write(f"演示：网格员待受理诉求 {fresh.number}，已派单 {taken.number}，超时升级 {late.number}；"
                 f"居民查询码示例 {fresh.tracking_code_display}")
