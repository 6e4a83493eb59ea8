"""Demo data for lists, called by `dangjian seed` after organisations, members and
accounts exist (see orgs/management/commands/seed.py).

Both presets get, for the current year:
- for every village and community (村/社区), a 建设任务清单, a 富民实事项目清单 and a
  主题党日计划, published, with a realistic spread of progress (most past items done and
  accepted, some overdue, current ones part-way, future ones not started);
- 书记项目 (secretary projects) at city, county and township level: grassroots Party-building
  projects (source article 002 keeps them apart from economic work: "一手抓经济发展、一手抓
  党建项目"), grouped by the six "党建+" programme domains;
- the city's "融合党建" list of six aspects (组织覆盖、服务引领、队伍提升、先锋示范、关爱激励、
  基层保障), each project broken into one measure per district.
`nantong` has 202 secretary projects and 30 city projects: 6 aspects and 30 projects are
article 002's figures ("6个方面, 分30个项目"); the article does not split the 30, and the even
split (5 per aspect) is ours. `demo` has a handful, plus the responsibility list a street Party
working committee signs with the district (the street owns it, the district receives and
accepts it), a task list the street gives its communities and a grid branch, a few
evidence-free progress reports through the services, and one deadline sweep so the
notification page has something to show.

Rows are written with bulk_create (one audit entry per table with its row count): the
nantong preset writes about 40,000 measures.
"""

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from dangjian.core import audit, metrics
from dangjian.core.text import search_key
from dangjian.orgs.models import GRASSROOTS_KINDS, AreaKind, Org, OrgKind, Post, PostKind, Sector

from . import rollup
from .models import (
    Averaging,
    List,
    ListKind,
    Measure,
    MeasureStatus,
    MissingProgress,
    Programme,
    ProgrammeDomain,
    ProgressReport,
    Project,
    Review,
    ReviewDecision,
)

ASPECTS = ["组织覆盖", "服务引领", "队伍提升", "先锋示范", "关爱激励", "基层保障"]
ASPECT_PROJECTS = {
    "组织覆盖": ["非公企业党组织应建尽建", "社会组织党建覆盖提升", "楼宇商圈党建阵地建设", "新就业群体党建覆盖",
             "网格党支部规范化建设"],
    "服务引领": ["党群服务中心提档升级", "“一站式”便民服务", "在职党员进社区服务", "党员志愿服务品牌培育",
             "群众诉求“一口受理”"],
    "队伍提升": ["村（社区）书记能力提升培训", "后备干部“青苗工程”", "发展党员质量提升", "党务工作者轮训",
             "优秀年轻干部墩苗"],
    "先锋示范": ["党员示范岗创建", "党员责任区划分", "“两优一先”典型选树", "先锋党支部创建", "微党课展评"],
    "关爱激励": ["老党员生活困难帮扶", "基层干部待遇保障落实", "关爱流动党员", "党内关怀慰问", "优秀书记激励"],
    "基层保障": ["村级组织运转经费保障", "党建阵地规范化建设", "基层党建信息平台推广", "为基层减负专项整治",
             "党建工作经费落实"],
}
TASKS = [
    ("规范落实“三会一课”制度", "全年按期召开支部党员大会、支委会、党小组会，上好党课", None, ""),
    ("推进党群服务中心提档升级", "服务中心功能分区完善，每周开放不少于5天", None, ""),
    ("发展党员和培养后备力量", "发展党员并培养村（社区）后备干部", Decimal(3), "名"),
    ("开展党员志愿服务活动", "组织党员志愿服务活动", Decimal(8), "次"),
    ("党务、村（居）务公开规范化", "按季度公开党务、村（居）务", Decimal(4), "次"),
    ("网格党建全覆盖", "每个网格建立党支部或党小组，明确网格党员联系户", None, ""),
    ("软弱涣散党组织整顿巩固", "巩固整顿成果，班子运转正常", None, ""),
    ("党员教育培训", "全体党员年度集中培训不少于32学时", Decimal(32), "学时"),
]
# Seeded tasks whose progress the platform's records already hold (基层减负: report once).
TASK_METRICS = {"规范落实“三会一课”制度": "duties.three_meetings", "发展党员和培养后备力量": "orgs.members_developed",
                "网格党建全覆盖": "orgs.grid_coverage"}
VILLAGE_PROJECTS = [
    ("发展壮大村集体经济", [("完成土地股份合作社组建", None, ""), ("带动农户增收", Decimal(40), "户")]),
    ("农村人居环境整治", [("清理河塘沟渠", Decimal(12), "处"), ("村道路灯亮化", Decimal(30), "盏")]),
    ("特色种养富民项目", [("建成示范基地", Decimal(1), "个"), ("开展技术培训", Decimal(6), "场")]),
    ("村级公益服务提升", [("建成村级养老互助点", Decimal(1), "个"), ("开展助老服务", Decimal(24), "次")]),
]
COMMUNITY_PROJECTS = [
    ("社区养老助餐点建设", [("建成助餐点", Decimal(1), "个"), ("服务老人", Decimal(60), "人")]),
    ("老旧小区加装电梯协调", [("完成意见征询", None, ""), ("推动开工", Decimal(3), "部")]),
    ("“红色物业”共建", [("签订共建协议", Decimal(1), "份"), ("解决物业难题", Decimal(10), "件")]),
    ("社区就业帮扶", [("举办招聘对接会", Decimal(4), "场"), ("帮助就业", Decimal(20), "人")]),
]
THEME_DAY_TOPICS = [
    "学习全国两会精神", "学雷锋志愿服务", "清明祭英烈", "劳动创造幸福", "青年党员讲党课", "重温入党誓词",
    "庆祝建党纪念日", "国防教育", "为民办实事", "庆祝新中国成立", "党纪学习教育", "年终述职与组织生活会",
]
# 书记项目 are grassroots Party-building projects, not economic ones (source 002: "一手抓经济
# 发展、一手抓党建项目"); the domain only says where the Party organisation's work leads.
SECRETARY_TOPICS = {
    "central_city": ["重点工程临时党支部规范化建设", "项目一线党员先锋岗创建"],
    "efficiency": ["机关党支部标准化建设", "机关党员进社区“双报到”"],
    "rural_prosperity": ["村党组织书记“领头雁”培育", "软弱涣散村党组织整顿"],
    "grassroots_governance": ["网格党支部“五有”建设", "党员中心户联系群众全覆盖"],
    "civilisation": ["党员志愿服务队伍建设", "党支部“三会一课”质量提升"],
    "ecology": ["党员责任区划分与亮身份", "流动党员管理服务"],
}
NOTES = ["按计划推进", "已召开专题会议部署", "已完成阶段任务", "群众反映良好", "正在组织实施", "已完成并整理台账"]
REPORTER = "演示数据"


class Builder:
    """Collects rows in memory, then writes them table by table with bulk_create."""

    def __init__(self, rng, today):
        self.rng, self.today = rng, today
        self.year = today.year
        self.period = (datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31))
        self.lists, self.programmes, self.projects, self.measures = [], [], [], []
        self.reports, self.reviews = [], []
        self._reviewer = {}
        self._positions = {}

    def add_list(self, org, kind, title, *, public=True, averaging=Averaging.WEIGHTED,
                 missing=MissingProgress.ZERO):
        published = (timezone.make_aware(datetime.datetime(self.year, 1, 1) + datetime.timedelta(
            days=self.rng.randint(10, 40), hours=9)) if public else None)
        lst = List(org=org, kind=kind, title=title, period_start=self.period[0], period_end=self.period[1],
                   averaging=averaging, missing_progress=missing, is_public=public, published_at=published,
                   search_text=search_key(title, org.name))
        self.lists.append(lst)
        return lst

    def add_programme(self, lst, title, *, domain=None, org=None, weight=1):
        self._positions[id(lst)] = self._positions.get(id(lst), 0) + 1
        programme = Programme(list=lst, org=org or lst.org, domain=domain, title=title, weight=Decimal(weight),
                              position=self._positions[id(lst)])
        self.programmes.append(programme)
        return programme

    def add_project(self, lst, title, *, programme=None, org=None, secretary=False, leader=None, weight=1,
                    position=1):
        project = Project(list=lst, programme=programme, org=org or lst.org, title=title,
                          is_secretary_project=secretary, leader=leader, weight=Decimal(weight), position=position)
        self.projects.append(project)
        return project

    def add_measure(self, lst, org, title, target, start, deadline, *, project=None, responsible=None,
                    target_value=None, unit="", weight=1, position=1, done_rate=0.8, metric=""):
        # A measure bound to a platform metric gets its progress from the records once
        # every module has seeded them (after_seed), never an invented report.
        metric = metric if metric and metrics.get(metric) else ""
        measure = Measure(list=lst, project=project, org=org, responsible=responsible, title=title, target=target,
                          target_value=target_value, target_unit=unit, start_on=start, deadline=deadline,
                          weight=Decimal(weight), position=position, search_text=search_key(title, org.name),
                          metric=metric)
        if not metric:
            self._progress(measure, done_rate)
        self.measures.append(measure)
        return measure

    def _progress(self, m, done_rate):
        """A plausible state for the measure on `today`."""
        rng, today = self.rng, self.today
        if m.start_on > today:
            return
        span = max((m.deadline - m.start_on).days, 1)
        if m.deadline < today:
            roll = rng.random()
            if roll < done_rate:
                percent = Decimal(100)
                accepted = rng.random() < 0.75
                m.status = MeasureStatus.ACCEPTED if accepted else MeasureStatus.SUBMITTED
            elif roll < done_rate + 0.05:
                percent = None  # nothing reported: overdue and silent
            else:
                percent = Decimal(rng.randrange(20, 95, 5))
                m.status = MeasureStatus.IN_PROGRESS
            reported_on = min(m.deadline - datetime.timedelta(days=rng.randint(0, 5)), today)
        else:
            elapsed = (today - m.start_on).days / span
            if rng.random() < 0.15:
                percent = None
            else:
                percent = Decimal(max(5, min(95, int(elapsed * 100 + rng.randint(-20, 15))) // 5 * 5))
                m.status = MeasureStatus.IN_PROGRESS
            reported_on = today - datetime.timedelta(days=rng.randint(0, 10))
        if percent is None:
            return
        reported_on = max(reported_on, m.start_on)
        at = timezone.make_aware(datetime.datetime.combine(reported_on, datetime.time(16, rng.randint(0, 59))))
        m.progress, m.has_progress, m.last_reported_at = percent, True, at
        if m.target_value is not None:
            m.progress_value = (m.target_value * percent / 100).quantize(Decimal("0.01"))
        if percent == 100:
            m.submitted_at = at
        if m.status == MeasureStatus.ACCEPTED:
            m.accepted_at = at + datetime.timedelta(days=rng.randint(1, 6))
        self.reports.append(ProgressReport(measure=m, percent=percent, value=m.progress_value,
                                           note=rng.choice(NOTES), reported_by_name=REPORTER, reported_at=at))
        if m.status == MeasureStatus.ACCEPTED:
            self.reviews.append(Review(measure=m, decision=ReviewDecision.ACCEPTED, reason="符合要求",
                                       reviewer_name=REPORTER, reviewer_org=self.parent_of(m.org),
                                       reviewed_at=m.accepted_at))

    def parent_of(self, org):
        if org.depth <= 1:
            return org
        path = org.path[: -Org.steplen]
        if path not in self._reviewer:
            self._reviewer[path] = Org.objects.filter(path=path).first()
        return self._reviewer[path]

    def _fill_shares(self):
        """Each measure's effective share of its list, as services.refresh_shares keeps it
        (called once the lists, programmes and projects have their keys)."""
        items = {lst.pk: ([], [], []) for lst in self.lists}
        for g in self.programmes:
            items[g.list.pk][0].append(g)
        for p in self.projects:
            items[p.list.pk][1].append(p)
        for m in self.measures:
            m.project = m.project  # sets project_id now that the project has its key
            items[m.list.pk][2].append(m)
        for lst in self.lists:
            programmes, projects, measures = items[lst.pk]
            result = rollup.list_tree(programmes, projects, measures, averaging=lst.averaging,
                                      missing=lst.missing_progress)
            for m, share in rollup.effective_shares(result):
                m.share = share

    def save(self, stdout):
        """Write everything; objects get their keys in order, so the foreign keys line up."""
        batch = 2000
        # bulk_create fills each row's foreign key from its (now saved) related object.
        for model, rows in ((List, self.lists), (Programme, self.programmes), (Project, self.projects),
                            (Measure, self.measures), (ProgressReport, self.reports), (Review, self.reviews)):
            if model is Measure:
                self._fill_shares()
            model.objects.bulk_create(rows, batch_size=batch)
        city = Org.objects.filter(depth=1).order_by("path").first()
        for model, rows in ((List, self.lists), (Programme, self.programmes), (Project, self.projects),
                            (Measure, self.measures), (ProgressReport, self.reports), (Review, self.reviews)):
            audit.record(actor=None, action="seed", object_type=model._meta.label_lower, object_repr="lists seed",
                         org=city, row_count=len(rows))
        stdout.write(f"清单：{len(self.lists):,} 个清单，{len(self.projects):,} 个项目，{len(self.measures):,} 项措施，"
                     f"{len(self.reports):,} 条进展，{len(self.reviews):,} 条验收记录")


def _month_end(year, month):
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)


def _shallowest(orgs):
    """The top org of each area (a village's 党委 rather than its 党支部s)."""
    best = {}
    for org in orgs:
        if org.area_id not in best or org.depth < best[org.area_id].depth:
            best[org.area_id] = org
    return sorted(best.values(), key=lambda o: o.path)


def grassroots_units():
    """Village and community organisations (村、社区党组织)."""
    return _shallowest(Org.objects.filter(
        area__kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE], kind__in=GRASSROOTS_KINDS,
        sector__in=[Sector.RURAL, Sector.URBAN_COMMUNITY], closed_at__isnull=True).select_related("area"))


def township_orgs():
    return _shallowest(Org.objects.filter(area__kind__in=[AreaKind.STREET, AreaKind.TOWN], depth=3,
                                          closed_at__isnull=True).exclude(kind=OrgKind.GROUP).select_related("area"))


def district_orgs():
    return _shallowest(Org.objects.filter(area__kind=AreaKind.DISTRICT, depth=2, closed_at__isnull=True)
                       .select_related("area"))


def secretaries(org_ids):
    rows = Post.objects.current().filter(kind=PostKind.SECRETARY, org_id__in=list(org_ids)).select_related("member")
    return {post.org_id: post.member for post in rows}


def _unit_lists(b, units, people):
    year = b.year
    for org in units:
        village = org.area.kind == AreaKind.VILLAGE
        secretary = people.get(org.pk)
        label = "村" if village else "社区"
        # 建设任务清单
        lst = b.add_list(org, ListKind.TASK, f"{year}年{label}党组织建设任务清单")
        for position, (title, target, value, unit) in enumerate(b.rng.sample(TASKS, 5), start=1):
            start = datetime.date(year, b.rng.choice([1, 2, 3]), 1)
            deadline = _month_end(year, b.rng.choice([3, 6, 6, 9, 11, 12, 12]))
            b.add_measure(lst, org, title, target, start, deadline, responsible=secretary, target_value=value,
                          unit=unit, weight=b.rng.choice([1, 1, 2, 3]), position=position,
                          metric=TASK_METRICS.get(title, ""))
        # 富民实事项目清单
        lst = b.add_list(org, ListKind.PROJECT, f"{year}年{'富民' if village else '惠民'}实事项目清单")
        pool = VILLAGE_PROJECTS if village else COMMUNITY_PROJECTS
        position = 0
        for p_position, (title, measures) in enumerate(b.rng.sample(pool, 2), start=1):
            project = b.add_project(lst, title, weight=b.rng.choice([1, 2]), position=p_position)
            for m_title, value, unit in measures:
                position += 1
                start = datetime.date(year, b.rng.choice([2, 3, 4]), 1)
                deadline = _month_end(year, b.rng.choice([6, 8, 10, 12]))
                target = f"{m_title}，达到年度目标" if value else f"{m_title}，通过验收"
                b.add_measure(lst, org, m_title, target, start, deadline, project=project, responsible=secretary,
                              target_value=value, unit=unit, position=position, done_rate=0.75)
        # 主题党日计划
        lst = b.add_list(org, ListKind.TASK, f"{year}年主题党日计划", averaging=Averaging.PLAIN)
        for month in range(1, 13):
            topic = THEME_DAY_TOPICS[month - 1]
            b.add_measure(lst, org, f"{month}月主题党日：{topic}", "按“主题党日”规定流程开展并记录",
                          datetime.date(year, month, 1), _month_end(year, month), responsible=secretary,
                          position=month, done_rate=0.9, metric="duties.theme_day")


def _secretary_projects(b, plan, people, domains):
    """`plan`: [(org, number of projects)]. One list per org, projects grouped by domain."""
    total = 0
    for org, count in plan:
        lst = b.add_list(org, ListKind.PROJECT, f"{b.year}年基层党建书记项目")
        programmes = {}
        for index in range(count):
            domain = b.rng.choice(domains)
            if domain.pk not in programmes:
                programmes[domain.pk] = b.add_programme(lst, f"党建+{domain.name}", domain=domain)
            topic = b.rng.choice(SECRETARY_TOPICS.get(domain.code, ["党建引领发展"]))
            project = b.add_project(lst, f"{topic}书记项目", programme=programmes[domain.pk], secretary=True,
                                    leader=people.get(org.pk), position=index + 1)
            total += 1
            for step, (m_title, month) in enumerate((("制定实施方案", 3), ("组织推进实施", 9), ("总结评估成效", 12)),
                                                    start=1):
                b.add_measure(lst, org, f"{project.title}：{m_title}", f"{m_title}并形成书面材料",
                              datetime.date(b.year, max(1, month - 3), 1), _month_end(b.year, month), project=project,
                              responsible=people.get(org.pk), position=index * 3 + step)
    return total


ASPECT_NOTE = ("6个方面、30个项目是市委部署的数字（来源文章002）；原文没有按方面分配项目，"
               "每个方面5个项目是演示数据的均分。")


def _aspect_list(b, city, districts, per_aspect):
    lst = b.add_list(city, ListKind.PROJECT, f"{b.year}年“融合党建”重点项目实施清单")
    lst.description = ASPECT_NOTE
    position = 0
    for a_index, aspect in enumerate(ASPECTS, start=1):
        programme = b.add_programme(lst, aspect)
        for p_index, title in enumerate(ASPECT_PROJECTS[aspect][:per_aspect], start=1):
            project = b.add_project(lst, title, programme=programme, position=(a_index - 1) * 5 + p_index)
            deadline = _month_end(b.year, b.rng.choice([6, 9, 10, 12]))
            for district in districts:
                position += 1
                b.add_measure(lst, district, f"{district.area.name if district.area else district.name}：{title}",
                              f"按市委部署完成“{title}”年度目标", datetime.date(b.year, 2, 1), deadline,
                              project=project, position=position, done_rate=0.85)
    return lst


def _secretary_plan(city, districts, townships, total, rng):
    """Spread `total` secretary projects: 2 at the city, 2 per district, the rest over
    the townships (one each, then a second for as many as needed)."""
    plan = [(city, min(2, total))]
    left = total - plan[0][1]
    for district in districts:
        n = min(2, left)
        if n:
            plan.append((district, n))
            left -= n
    if townships and left:
        base, extra = divmod(left, len(townships))
        chosen = set(rng.sample(range(len(townships)), extra)) if extra else set()
        for index, org in enumerate(townships):
            n = base + (1 if index in chosen else 0)
            if n:
                plan.append((org, n))
    return plan


def _programme_domains():
    domains = list(ProgrammeDomain.objects.all())
    if not domains:
        # A flushed database (a transactional test's teardown) has lost the six rows that
        # migration 0002 adds; put them back the same way.
        from importlib import import_module

        from django.apps import apps

        import_module("dangjian.lists.migrations.0002_programme_domains").add_domains(apps, None)
        domains = list(ProgrammeDomain.objects.all())
    return domains


def seed(*, preset, rng, stdout):
    today = timezone.localdate()
    builder = Builder(rng, today)
    city = Org.objects.filter(depth=1).order_by("path").first()
    if city is None:
        return
    domains = _programme_domains()
    districts = district_orgs()
    townships = township_orgs()
    units = grassroots_units()
    people = secretaries([city.pk] + [o.pk for o in districts + townships + units])
    _unit_lists(builder, units, people)
    if preset == "nantong":
        count = _secretary_projects(builder, _secretary_plan(city, districts, townships, 202, rng), people, domains)
        _aspect_list(builder, city, districts, per_aspect=5)
    else:
        count = _secretary_projects(builder, _secretary_plan(city, districts, townships[:3], 8, rng), people,
                                    domains)
        _aspect_list(builder, city, districts, per_aspect=1)
    builder.save(stdout)
    stdout.write(f"书记项目 {count} 个；村（社区）{len(units)} 个，每个有建设任务清单、富民（惠民）实事项目清单和主题党日计划")
    if preset == "demo":
        _demo_walkthrough(stdout, today)


SIGNED_NOTE = "街道党工委与区委签订的年度基层党建责任书：街道党工委负责落实，区委接收并验收。"
SIGNED_ITEMS = [
    ("落实基层党建工作第一责任人职责", "党工委书记每季度研究基层党建工作不少于1次"),
    ("推进网格党支部全覆盖", "辖区网格党支部应建尽建，按“五有”标准运行"),
    ("抓好软弱涣散党组织整顿", "年内完成整顿并通过区委验收"),
]


def _demo_walkthrough(stdout, today):
    """As the street secretary would, through the services: the responsibility list the street
    Party working committee signs with the district (the street owns and reports it, the
    district receives it), and the task list the street gives its communities and a grid
    branch, with a report and an acceptance; then one deadline sweep."""
    from dangjian.accounts.models import User

    from . import services

    street_user = User.objects.filter(username="street_secretary").first()
    community_user = User.objects.filter(username="community_secretary").first()
    if street_user is None or community_user is None:
        return
    street = street_user.role_grants.select_related("org").first().org
    community = community_user.role_grants.select_related("org").first().org
    year = today.year
    start = min(today, datetime.date(year, 12, 1)) - datetime.timedelta(days=60)
    signed = services.list_create(actor=street_user, org=street, kind=ListKind.RESPONSIBILITY,
                                  title=f"{year}年{street.short_name or street.name}基层党建责任书", description=SIGNED_NOTE,
                                  period_start=datetime.date(year, 1, 1), period_end=datetime.date(year, 12, 31),
                                  missing_progress=MissingProgress.EXCLUDE)
    for index, (title, target) in enumerate(SIGNED_ITEMS):
        item = services.measure_create(actor=street_user, lst=signed, org=street, title=title, target=target,
                                       start_on=datetime.date(year, 1, 1), deadline=datetime.date(year, 12, 31))
        if index == 0:
            services.measure_report_progress(actor=street_user, measure=item, percent=50,
                                             note="已召开两次党工委会议专题研究基层党建")
    services.list_publish(actor=street_user, lst=signed)
    lst = services.list_create(actor=street_user, org=street, kind=ListKind.TASK,
                               title=f"{year}年街道党工委下达社区党建任务清单", period_start=datetime.date(year, 1, 1),
                               period_end=datetime.date(year, 12, 31), missing_progress=MissingProgress.EXCLUDE)
    others = Org.objects.filter(Q(path__startswith=street.path), depth=street.depth + 1,
                                area__kind=AreaKind.COMMUNITY).exclude(pk=community.pk)[:3]
    children = [community, *others]
    made = []
    for index, org in enumerate(children):
        made.append(services.measure_create(
            actor=street_user, lst=lst, org=org, title=f"{org.area.name if org.area else org.name}网格党支部规范化建设",
            target="每个网格党支部按“五有”标准建成", start_on=start,
            deadline=today + datetime.timedelta(days=(-5, 4, 30, 60)[index % 4]), weight=1 + index % 2))
    grid_user = User.objects.filter(username="grid_secretary").first()
    if grid_user is not None:
        # The grid branch's own item, for its secretary to report (issue 9.1).
        branch = grid_user.role_grants.select_related("org").first().org
        services.measure_create(actor=street_user, lst=lst, org=branch,
                                title=f"{branch.short_name or branch.name}党员中心户联系群众",
                                target="每名党员中心户联系10户以上群众并记录走访", start_on=start,
                                deadline=today + datetime.timedelta(days=10))
    own = next((m for m in made if m.org_id == community.pk), None)
    if own is not None:
        services.measure_report_progress(actor=community_user, measure=own, percent=100,
                                         note="各网格党支部已按标准建成，台账齐全")
        services.measure_accept(actor=street_user, measure=own, note="经实地查看，符合要求")
    services.list_publish(actor=street_user, lst=lst)
    services.sweep_deadlines(today=today)
    stdout.write("演示：街道党工委签订的责任书、下达社区的任务清单（含一项已验收的措施）已公示；已运行一次截止提醒")


def after_seed(*, preset, stdout):
    """Every module has seeded its records: compute the bound measures' progress from them."""
    from .services import refresh_bound_measures

    changed = refresh_bound_measures()
    stdout.write(f"绑定平台指标的措施 {changed} 项已按记录计算进度")
