"""Demo data of 双报到 and the 党建超市 (called by `dangjian seed` after orgs, lists and
cobuilding).

- `demo`: about a hundred in-service members of city organs report to the communities
  where they live (through the services; a few still wait for the community); each street
  and community publishes service items, past ones with bookings, attendance and the
  service done, upcoming ones with bookings; the street blows a whistle that its units
  answer; demands and resources, claims that became projects, one of them done.
- `nantong`: reported members at a realistic share of in-service members (about a third
  of those living in a city community), with items and attended bookings per street,
  inserted in batches.
"""

import datetime

from django.db.models import Min
from django.utils import timezone

from dangjian.orgs.models import AreaKind, Member, MemberCategory, Org, Sector

from . import services
from .models import Attendance, Booking, ItemKind, MemberReport, ReportStatus, ServiceItem

OFFERS = ["义诊", "法律咨询", "楼道志愿者", "助老助残", "政策宣讲", "垃圾分类督导", "四点半课堂辅导", "文艺演出",
          "家电维修", "心理疏导", "理发", "防诈骗宣传"]
ITEMS = [(ItemKind.POST, "楼道志愿者", "各楼栋"), (ItemKind.ACTIVITY, "周末义诊", "社区党群服务中心"),
         (ItemKind.NEED, "独居老人结对探访", "各网格"), (ItemKind.ACTIVITY, "文明城市创建环境整治", "小区主干道"),
         (ItemKind.ACTIVITY, "四点半课堂", "社区活动室"), (ItemKind.POST, "垃圾分类督导员", "小区投放点")]
SERVICE = ["清理楼道杂物，张贴安全提示", "为12位居民量血压、讲解用药", "探访独居老人3户，代购生活用品",
           "清理小广告和卫生死角", "辅导8名小学生作业", "在投放点督导分类2小时"]
DEMANDS = [("老旧小区路灯维修", "居民诉求"), ("楼道扶手加装", "入户走访"), ("小区停车秩序整治", "居民议事会"),
           ("社区图书角图书补充", "问卷调查")]
RESOURCES = [("每月一次免费义诊", "医院"), ("法律服务进社区", "律师事务所"), ("场地共享：职工活动中心", "机关")]


def _community_orgs():
    """{area id: community org} (the shallowest open org on each community area)."""
    rows = (Org.objects.open().filter(area__kind=AreaKind.COMMUNITY).values("area_id").annotate(depth=Min("depth")))
    wanted = {(r["area_id"], r["depth"]) for r in rows}
    result = {}
    for org in Org.objects.open().filter(area__kind=AreaKind.COMMUNITY).select_related("area").order_by("path"):
        if (org.area_id, org.depth) in wanted and org.area_id not in result:
            result[org.area_id] = org
    return result


def _street_of(community, streets_by_path):
    step = Org.steplen
    for i in range(len(community.path) - step, 0, -step):
        street = streets_by_path.get(community.path[:i])
        if street is not None:
            return street
    return None


def seed(*, preset, rng, stdout):
    if not Org.objects.exists():
        return
    if preset == "nantong":
        return _seed_bulk(rng, stdout)
    return _seed_demo(rng, stdout)


def _in_service(community_areas, limit=None):
    qs = (Member.objects.active().filter(category=MemberCategory.EMPLOYED, residence_area_id__in=community_areas)
          .order_by("id"))
    return qs


def _seed_demo(rng, stdout):
    today = timezone.localdate()
    communities = _community_orgs()
    if not communities:
        return
    candidates = list(_in_service(list(communities)).filter(org__sector=Sector.ORGAN).select_related("org")[:400])
    if len(candidates) < 100:  # the demo's organs are small: take other in-service members too
        more = _in_service(list(communities)).exclude(org__sector=Sector.ORGAN).select_related("org")[:400]
        candidates += list(more)
    rng.shuffle(candidates)
    reports = []
    for i, member in enumerate(candidates[:100]):
        community = communities[member.residence_area_id]
        report = services.report_register(actor=None, member=member, community=community,
                                          offer="、".join(rng.sample(OFFERS, 2)))
        if i % 10 != 9:  # a few still wait for the community
            report = services.report_accept(actor=None, report=report)
            reports.append(report)
    by_community = {}
    for report in reports:
        by_community.setdefault(report.community_id, []).append(report)
    streets = {o.path: o for o in Org.objects.open().filter(area__kind__in=(AreaKind.STREET, AreaKind.TOWN))}
    items = bookings = 0
    used_streets = {}
    for community_id, group in by_community.items():
        community = group[0].community
        street = _street_of(community, streets)
        if street is not None:
            used_streets[street.pk] = street
        for n, (kind, title, place) in enumerate(rng.sample(ITEMS, 3)):
            day = today + datetime.timedelta(days=(-14 + 7 * n) if n < 2 else 3)
            item = services.item_create(actor=None, org=community if n != 1 or street is None else street, kind=kind,
                                        title=title, place=place, starts_on=day, capacity=max(3, len(group)),
                                        time_text="9:00—11:00")
            items += 1
            members = rng.sample(group, min(len(group), item.capacity - 1))
            if day >= today:
                for report in members:
                    services.booking_create(actor=None, item=item, member=report.member)
                    bookings += 1
            else:  # history: who came and what they did
                rows = []
                for report in members:
                    present = rng.random() < 0.85
                    rows.append(Booking(item=item, member=report.member,
                                        attendance=Attendance.PRESENT if present else Attendance.ABSENT,
                                        attendance_at=timezone.now() - datetime.timedelta(days=(today - day).days),
                                        attendance_by_self=present and rng.random() < 0.3,
                                        service=rng.choice(SERVICE) if present else ""))
                Booking.objects.bulk_create(rows)
                bookings += len(rows)
    whistles = _demo_whistles(rng, list(used_streets.values()))
    claims = _demo_claims(rng, [group[0].community for group in list(by_community.values())[:4]], by_community, today)
    stdout.write(f"双报到：{len(reports)} 名在职党员已报到（另有 {100 - len(reports)} 名待接收）；服务项目 {items} 个，"
                 f"预约 {bookings} 人次；吹哨 {whistles} 次；认领 {claims} 项")


def _demo_whistles(rng, streets):
    from dangjian.cobuilding.models import Unit

    count = 0
    for street in streets[:2]:
        units = list(Unit.objects.active().filter(org__path__startswith=street.path).order_by("id")[:3])
        if not units:  # cobuilding's seed gave the street no units: two, through its service
            from dangjian.cobuilding import services as unit_services
            from dangjian.cobuilding.models import UnitKind

            units = [unit_services.unit_create(actor=None, name=f"{street.area.name}{name}", kind=UnitKind.ORGAN,
                                               area=street.area)
                     for name in ("城管执法中队", "供电服务站")]
        whistle = services.whistle_blow(actor=None, street=street, title="雨后小区积水排涝", place="街道低洼小区",
                                        due_at=timezone.now() + datetime.timedelta(hours=2), units=units)
        for i, call in enumerate(whistle.calls.order_by("id")):
            if i == len(units) - 1 and len(units) > 1:
                services.call_report(actor=None, call=call, step="answer")  # answered, not there yet
                continue
            services.call_report(actor=None, call=call, step="arrive")
            services.call_report(actor=None, call=call, step="result", result="出动人员抽排积水，疏通雨水口")
        count += 1
    return count


def _demo_claims(rng, communities, by_community, today):
    from dangjian.cobuilding.models import Unit

    count = 0
    for community in communities:
        demands = [services.demand_create(actor=None, community=community, title=title, source=source)
                   for title, source in rng.sample(DEMANDS, 2)]
        unit = Unit.objects.active().filter(org__path__in=[community.path[:i] for i in range(
            Org.steplen, len(community.path) + 1, Org.steplen)]).order_by("id").first()
        claim = services.claim_demand(actor=None, demand=demands[0], unit=unit,
                                      claimant_name="" if unit else "辖区共建单位",
                                      deadline=today + datetime.timedelta(days=45))
        count += 1
        member = by_community.get(community.pk, [None])[0]
        title, provider = rng.choice(RESOURCES)
        resource = services.resource_create(actor=None, community=community, title=title,
                                            provider_name=provider if member is None else "",
                                            member=member.member if member is not None else None)
        services.claim_resource(actor=None, resource=resource, deadline=today + datetime.timedelta(days=30))
        count += 1
        if count <= 2:
            services.claim_complete(actor=None, claim=claim, result="已完成，居民满意")
    return count


def _seed_bulk(rng, stdout, share=0.33, batch=5000):
    """nantong: a third of the in-service members living in a city community report there."""
    now = timezone.now()
    today = timezone.localdate()
    communities = _community_orgs()
    rows = (Member.objects.active().filter(category=MemberCategory.EMPLOYED, residence_area_id__in=list(communities))
            .values_list("id", "residence_area_id").order_by("id").iterator(chunk_size=batch))
    chosen, pending = [], []
    for member_id, area_id in rows:
        if rng.random() < share:
            chosen.append((member_id, communities[area_id].pk))
    for start in range(0, len(chosen), batch):
        MemberReport.objects.bulk_create(
            [MemberReport(member_id=m, community_id=c, offer=rng.choice(OFFERS),
                          status=ReportStatus.ACCEPTED if rng.random() < 0.95 else ReportStatus.PENDING,
                          decided_at=now) for m, c in chosen[start:start + batch]], batch_size=batch)
    # Items and history per community with reported members: two past items each, bookings of a few.
    by_community = {}
    for member_id, community_id in chosen:
        by_community.setdefault(community_id, []).append(member_id)
    items = []
    for community_id, members in by_community.items():
        for n in range(2):
            kind, title, place = ITEMS[(community_id + n) % len(ITEMS)]
            items.append((ServiceItem(org_id=community_id, kind=kind, title=title, place=place,
                                      starts_on=today - datetime.timedelta(days=7 * (n + 1)), capacity=10),
                          members))
    ServiceItem.objects.bulk_create([item for item, _m in items], batch_size=batch)
    bookings = []
    for item, members in items:
        for member_id in rng.sample(members, min(len(members), 6)):
            present = rng.random() < 0.85
            bookings.append(Booking(item_id=item.pk, member_id=member_id,
                                    attendance=Attendance.PRESENT if present else Attendance.ABSENT,
                                    attendance_at=now, service=rng.choice(SERVICE) if present else ""))
    for start in range(0, len(bookings), batch):
        Booking.objects.bulk_create(bookings[start:start + batch], batch_size=batch)
    stdout.write(f"双报到：{len(chosen):,} 名在职党员报到（约占居住在城市社区的在职党员的 {share:.0%}）；"
                 f"服务项目 {len(items):,} 个，预约 {len(bookings):,} 人次")
