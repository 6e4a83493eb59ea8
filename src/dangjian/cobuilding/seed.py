"""Demo data for co-building, called by `dangjian seed` after organisations, members,
accounts and lists exist.

Units come from two sources:
- the units that already have a Party organisation in the org seed (an enterprise's,
  school's, hospital's or organ's own organisation, `Org.unit_name`): coverage "own",
  covered by the unit's top organisation; the coordinating organisations of article 002
  (104 park, 14 business-district and 1,026 village–enterprise organisations in `nantong`)
  cover several small units each: coverage "joint";
- small enterprises and social organisations in every community and village that have no
  Party organisation of their own: most uncovered, some covered by a 党建指导员 sent by the
  street or town (a retired cadre, recorded with assignments).
Every unit is placed in a community or village area and belongs to its organisation.
Then: unit reports (about a third of the units, most accepted), one 共建协议 per community
with two of its units, one 三所共建 per street, and one 党建联盟 led by each street
(`demo`: the first street only).

Rows are written with bulk_create in batches (one audit entry per table with its row
count); `nantong` writes about 45,000 units.
"""

import datetime
import time

from django.utils import timezone

from dangjian.core import audit
from dangjian.core.text import search_key
from dangjian.orgs.models import Area, AreaKind, Org, Person, Sector
from dangjian.orgs.seed import names as N

from . import services, uscc
from .models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    Alliance,
    AllianceKind,
    AllianceMember,
    Commitment,
    Coverage,
    InstructorAssignment,
    InstructorReview,
    PartyInstructor,
    PartyRole,
    ReportStatus,
    Unit,
    UnitKind,
    UnitReport,
)

BATCH = 2000
SECTOR_KINDS = {
    Sector.PRIVATE_ENTERPRISE: UnitKind.PRIVATE, Sector.SOE: UnitKind.SOE, Sector.ORGAN: UnitKind.ORGAN,
    Sector.SCHOOL: UnitKind.SCHOOL, Sector.SOCIAL_ORG: UnitKind.SOCIAL_ORG, Sector.INSTITUTION: UnitKind.OTHER,
}
JOINT_SECTORS = {Sector.PARK: (3, 8), Sector.BUSINESS_DISTRICT: (6, 12), Sector.BUILDING: (4, 10),
                 Sector.VILLAGE_ENTERPRISE: (1, 1)}
# Registration authority + category of the credit code by kind (GB 32100-2015 table 1).
CODE_PREFIX = {UnitKind.PRIVATE: "91", UnitKind.SOE: "91", UnitKind.ORGAN: "11", UnitKind.SCHOOL: "12",
               UnitKind.HOSPITAL: "12", UnitKind.OTHER: "12", UnitKind.SOCIAL_ORG: "52"}
COMMITMENTS_ORG = ["开放党群服务中心活动场地", "组织党员志愿者参与单位公益活动", "每季度召开一次共建联席会议"]
COMMITMENTS_UNIT = ["每年开展不少于4次进社区志愿服务", "向社区开放会议室和停车位", "吸纳社区困难群众就业",
                    "结对帮扶困难家庭"]
PROFESSIONS = {PartyRole.LAW_FIRM: ("律师事务所", UnitKind.SOCIAL_ORG), PartyRole.POLICE_STATION: ("派出所", UnitKind.ORGAN),
               PartyRole.JUDICIAL_OFFICE: ("司法所", UnitKind.ORGAN)}


class _Codes:
    def __init__(self):
        self.n = 0

    def __call__(self, kind, region="320600"):
        self.n += 1
        first17 = f"{CODE_PREFIX[kind]}{region}{self.n:09d}"
        return first17 + uscc.check_character(first17)


def _bulk(model, rows):
    model.objects.bulk_create(rows, batch_size=BATCH)
    return rows


def seed(*, preset, rng, stdout):
    began = time.perf_counter()
    city = Org.objects.filter(depth=1).order_by("path").first()
    if city is None:
        return
    today = timezone.localdate()
    codes = _Codes()
    local_areas = list(Area.objects.filter(kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE]).order_by("path"))
    owners = services.owner_orgs_for_areas(local_areas)
    local_areas = [a for a in local_areas if owners.get(a.pk) is not None]
    if not local_areas:
        return
    area_paths = [a.path for a in local_areas]

    def locals_under(path):
        import bisect

        lo = bisect.bisect_left(area_paths, path)
        hi = bisect.bisect_left(area_paths, path + "~")
        return local_areas[lo:hi]

    cache = {}

    def place(area):
        """A community or village at or under `area` (its own if it is one)."""
        if area is None:
            return rng.choice(local_areas)
        if area.pk in owners:
            return area
        if area.path not in cache:
            cache[area.path] = locals_under(area.path) or local_areas
        return rng.choice(cache[area.path])

    units = []
    seen_names = set()

    def add(name, kind, area, coverage, covering=None, staff=None):
        if name in seen_names:
            return None
        seen_names.add(name)
        region = (area.code or "320600")[:6] if (area.code or "").isdigit() else "320600"
        code = codes(kind, region) if kind in services.CODE_REQUIRED_KINDS or rng.random() < 0.8 else ""
        unit = Unit(name=name, kind=kind, area=area, org=owners[area.pk], coverage=coverage, covering_org=covering,
                    credit_code=code, staff_size=staff or rng.randint(8, 300), contact_name="",
                    address=f"{area.name}{rng.choice(N.STREETS_ROADS)}{rng.randint(1, 300)}号",
                    search_text=search_key(name, code)[:400])
        units.append(unit)
        return unit

    # 1. Units with their own Party organisation, and the coordinating organisations' units.
    orgs = (Org.objects.filter(closed_at__isnull=True).exclude(unit_name="")
            .select_related("area").order_by("depth", "path"))
    for org in orgs.iterator(chunk_size=5000):
        if org.sector in SECTOR_KINDS:
            kind = SECTOR_KINDS[org.sector]
            if kind == UnitKind.OTHER and "医院" in org.unit_name:
                kind = UnitKind.HOSPITAL
            add(org.unit_name, kind, place(org.area), Coverage.OWN, org, rng.randint(30, 2000))
        elif org.sector in JOINT_SECTORS:
            low, high = JOINT_SECTORS[org.sector]
            if org.sector == Sector.VILLAGE_ENTERPRISE:
                add(f"{org.area.name if org.area else ''}{org.unit_name}", UnitKind.PRIVATE, place(org.area),
                    Coverage.JOINT, org)
                continue
            for _i in range(rng.randint(low, high)):
                add(_firm(rng, org.unit_name), UnitKind.PRIVATE, place(org.area), Coverage.JOINT, org)
    covered_from_orgs = len(units)

    # 2. Small units in every community and village without an organisation of their own.
    per_area = (3, 6) if preset == "demo" else (8, 22)
    uncovered = []
    for area in local_areas:
        for _i in range(rng.randint(*per_area)):
            roll = rng.random()
            kind = UnitKind.PRIVATE if roll < 0.75 else UnitKind.SOCIAL_ORG if roll < 0.92 else UnitKind.OTHER
            name = _firm(rng, area.name) if kind == UnitKind.PRIVATE else \
                f"{area.name}{rng.choice(N.SOCIAL_ORGS)}" if kind == UnitKind.SOCIAL_ORG else \
                f"{area.name}{rng.choice(['幼儿园', '卫生服务站', '养老服务中心', '物业服务中心'])}"
            unit = add(name, kind, area, Coverage.NONE, staff=rng.randint(3, 60))
            if unit is not None:
                uncovered.append(unit)
    _bulk(Unit, units)
    audit.record(actor=None, action="seed", object_type="cobuilding.unit", object_repr="驻区单位",
                 row_count=len(units))

    # 3. 党建指导员 from each street/town for some of the uncovered units.
    streets = {}
    for unit in uncovered:
        street_path = unit.org.path[:-Org.steplen] if unit.org.depth > 1 else unit.org.path
        streets.setdefault(street_path, []).append(unit)
    street_orgs = {o.path: o for o in Org.objects.filter(path__in=list(streets))}
    persons, instructors, plan = [], [], []
    for path, street_units in streets.items():
        sender = street_orgs.get(path)
        if sender is None:
            continue
        share = [u for u in street_units if rng.random() < 0.3]
        for i in range(0, len(share), 6):
            name = _person_name(rng)
            person = Person(name=name, org=sender)
            persons.append(person)
            instructors.append(PartyInstructor(
                person=person, org=sender, appointed_on=today - datetime.timedelta(days=rng.randint(60, 900)),
                former_post=rng.choice(["原街道党工委副书记", "原镇党委组织委员", "原区委组织部科长", "原社区党委书记"]),
                record=f"{rng.randint(1975, 1995)}年入党，{rng.randint(2018, 2025)}年退休，长期从事基层党建工作。"))
            plan.append(share[i:i + 6])
    _bulk(Person, persons)
    for instructor in instructors:
        instructor.person_id = instructor.person.pk
    _bulk(PartyInstructor, instructors)
    assignments = []
    changed = []
    for instructor, group in zip(instructors, plan):
        for unit in group:
            assignments.append(InstructorAssignment(instructor=instructor, unit=unit,
                                                    start_on=instructor.appointed_on))
            unit.coverage = Coverage.INSTRUCTOR
            changed.append(unit)
    _bulk(InstructorAssignment, assignments)
    ids = [u.pk for u in changed]
    for i in range(0, len(ids), BATCH):
        Unit.objects.filter(pk__in=ids[i:i + BATCH]).update(coverage=Coverage.INSTRUCTOR)
    period = str(today.year - 1)
    reviews = [InstructorReview(assignment=a, period=period, unit_rating=rng.choice(["excellent", "good", "good"]),
                                sender_rating=rng.choice(["excellent", "good", "fair"]))
               for a in assignments if rng.random() < 0.5]
    _bulk(InstructorReview, reviews)
    audit.record(actor=None, action="seed", object_type="cobuilding.partyinstructor", object_repr="党建指导员",
                 row_count=len(instructors))

    # 4. Unit reports: about a third of the units, most accepted, a few pending.
    now = timezone.now()
    reports = []
    for unit in units:
        if rng.random() < 0.33:
            pending = rng.random() < 0.15
            reports.append(UnitReport(unit=unit, community=unit.org, status=ReportStatus.PENDING if pending
                                      else ReportStatus.ACCEPTED, offer=rng.choice(COMMITMENTS_UNIT),
                                      decided_at=None if pending else now))
    _bulk(UnitReport, reports)
    audit.record(actor=None, action="seed", object_type="cobuilding.unitreport", object_repr="单位报到",
                 row_count=len(reports))

    # 5. Agreements: one per community with two of its units; 三所共建 per street; alliances.
    by_org = {}
    for unit in units:
        by_org.setdefault(unit.org_id, []).append(unit)
    start = datetime.date(today.year, 1, 1)
    end = datetime.date(today.year + 1, 12, 31)
    agreements, parties, commitments = [], [], []
    for org_id, org_units in by_org.items():
        pair = rng.sample(org_units, min(2, len(org_units)))
        agreement = Agreement(org_id=org_id, kind=AgreementKind.GENERAL, title=f"{pair[0].org.name}区域化党建共建协议",
                              start_on=start, end_on=end, signed_on=start)
        agreements.append(agreement)
        parties.extend((agreement, u, PartyRole.PARTNER) for u in pair)
        commitments.append((agreement, None, rng.choice(COMMITMENTS_ORG)))
        commitments.extend((agreement, u, rng.choice(COMMITMENTS_UNIT)) for u in pair)
    street_list = [o for o in street_orgs.values()]
    street_list.sort(key=lambda o: o.path)
    offices = []
    for street in street_list:
        area = place(street.area)
        agreement = Agreement(org=street, kind=AgreementKind.THREE_OFFICES, title=f"{street.name}“三所共建”协议",
                              start_on=start, end_on=end, signed_on=start)
        agreements.append(agreement)
        base = (street.area.name if street.area else street.name)
        for role, (suffix, kind) in PROFESSIONS.items():
            name = f"{base}{rng.choice(N.ENTERPRISE_CORE)}{rng.choice(N.ENTERPRISE_CORE)}{suffix}" \
                if role == PartyRole.LAW_FIRM else f"{base}{suffix}"
            # The police station's and judicial office's members sit in the street's organ branch
            # in the seed's tree (it has no branch of their own): covered by the street.
            unit = add(name, kind, area, Coverage.OWN if role != PartyRole.LAW_FIRM else Coverage.NONE,
                       street if role != PartyRole.LAW_FIRM else None, rng.randint(8, 60))
            if unit is not None:
                offices.append(unit)
                parties.append((agreement, unit, role))
        commitments.append((agreement, None, "每月联合开展一次法律服务和矛盾纠纷排查"))
    _bulk(Unit, offices)
    _bulk(Agreement, agreements)
    _bulk(AgreementParty, [AgreementParty(agreement_id=a.pk, unit_id=u.pk, role=r) for a, u, r in parties])
    _bulk(Commitment, [Commitment(agreement_id=a.pk, unit_id=u.pk if u else None, text=t, position=i)
                       for i, (a, u, t) in enumerate(commitments)])
    alliances, members = [], []
    for street in street_list[:1] if preset == "demo" else street_list:
        alliance = Alliance(lead_org=street, kind=AllianceKind.ALLIANCE if rng.random() < 0.6 else AllianceKind.COMMUNITY,
                            name=f"{street.short_name or street.name}区域党建联盟", founded_on=start,
                            description="街道党工委牵头，辖区社区、驻区单位共同参与，资源共享、活动共办。")
        alliances.append(alliance)
        member_units = [u for u in units if u.org.path.startswith(street.path) and u.coverage == Coverage.OWN][:6]
        members.extend((alliance, None, u) for u in member_units)
        members.extend((alliance, o, None) for o in {u.org_id: u.org for u in member_units}.values())
    _bulk(Alliance, alliances)
    _bulk(AllianceMember, [AllianceMember(alliance_id=a.pk, org_id=o.pk if o else None, unit_id=u.pk if u else None,
                                          joined_on=start) for a, o, u in members])
    audit.record(actor=None, action="seed", object_type="cobuilding.agreement", object_repr="共建协议",
                 row_count=len(agreements))
    stdout.write(f"驻区单位 {len(units)} 个（已有党组织 {covered_from_orgs} 个）；党建指导员 "
                 f"{len(instructors)} 名；单位报到 {len(reports)} 条；共建协议 {len(agreements)} 份；党建联盟 {len(alliances)} 个"
                 f"（{time.perf_counter() - began:.1f} 秒）")


def _firm(rng, place):
    return (f"{place}{rng.choice(N.ENTERPRISE_CORE)}{rng.choice(N.ENTERPRISE_CORE)}"
            f"{rng.choice(N.ENTERPRISE_TRADES)}{rng.choice(N.ENTERPRISE_FORMS)}")


def _person_name(rng):
    surname = rng.choice(list(N.SURNAMES)) if isinstance(N.SURNAMES, dict) else rng.choice(N.SURNAMES)
    return surname + rng.choice(N.GIVEN_OLD_MALE + N.GIVEN_OLD_FEMALE)
