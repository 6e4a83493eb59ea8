"""The plan of a seed city: every area, organisation, post and account, and how many
members each organisation holds, built in memory from a `CitySpec` and a seeded
random.Random. Building a plan inserts nothing, so its counts can be checked quickly
(`plan("nantong").counts()`), and loading it (see `loader.py`) writes exactly what the plan
says: the same spec and seed give the same city every time.

Exact figures (25,199 grassroots organisations, 465,134 members at Nantong scale) come
from two places: the territorial part (streets, communities, grids, villages) and the
coordinating forms are laid out from the spec's counts, then the remaining grassroots
budget is spread over organs, institutions, SOEs, enterprises, social organisations and
schools, unit by unit, ending with single branches so the total is met exactly. Members
are apportioned over the organisations that hold membership by largest remainder.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from ..models import AreaKind, HanyangLevel, OrgKind, PostKind, Sector
from . import names as N

GRASSROOTS = (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)


# Specs --------------------------------------------------------------------------------

@dataclass
class DistrictSpec:
    name: str                    # area name: 崇川区
    kind: str                    # district | county | county_city | zone
    code: str                    # administrative code: 320602
    id_codes: tuple              # region codes in residents' ID numbers (current first)
    streets: list                # 街道 names
    towns: list                  # 镇/乡 names
    communities: int             # urban communities (with grids) in this district
    villages: int
    weight: float = 1.0          # share of unit organisations placed here
    zone_name: str = ""          # full name of a functional zone (开发区)

    @property
    def org_prefix(self):
        if self.kind == "zone":
            return self.zone_name or self.name
        if self.kind == "district":
            return f"南通市{self.name}"
        return self.name


@dataclass
class CitySpec:
    name: str
    code: str
    districts: list
    grid_branches: int
    uncovered_grids: int
    building_groups: int
    uncovered_buildings: int
    parks: int
    business_districts: int
    village_enterprises: int
    buildings: int               # 楼宇 organisations
    projects: int                # 项目 organisations
    members: int
    grassroots: int = None       # exact total, or None to use `unit_grassroots`
    unit_grassroots: int = 0     # grassroots budget for units when `grassroots` is None
    households_per_group: tuple = (1, 3)
    sector_weights: dict = field(default_factory=lambda: {
        Sector.PRIVATE_ENTERPRISE: 0.45, Sector.INSTITUTION: 0.16, Sector.SCHOOL: 0.14,
        Sector.SOE: 0.10, Sector.ORGAN: 0.08, Sector.SOCIAL_ORG: 0.07,
    })


# Nodes -------------------------------------------------------------------------------

class AreaNode:
    __slots__ = ("name", "kind", "code", "parent", "children", "pk", "path", "depth", "district", "label")

    def __init__(self, name, kind, code="", parent=None, district=None):
        self.name, self.kind, self.code, self.parent, self.district = name, kind, code, parent, district
        self.children = []
        self.pk = self.path = self.depth = None
        # Full place name used in addresses: 崇川区和平桥街道濠西社区
        self.label = (parent.label if parent is not None and parent.kind != AreaKind.CITY else "") + name
        if parent is not None:
            parent.children.append(self)


class OrgNode:
    __slots__ = ("name", "short_name", "kind", "sector", "area", "parent", "children", "hanyang_level",
                 "is_regional", "unit_name", "founded_on", "phone", "code", "members", "weight", "profile",
                 "district", "unit_root", "member_start", "next_index", "pk", "path", "depth")

    def __init__(self, name, kind, sector, *, parent=None, area=None, short_name="", hanyang_level="",
                 is_regional=False, unit_name="", profile="", district=None):
        self.name, self.kind, self.sector, self.parent, self.area = name, kind, sector, parent, area
        self.short_name, self.hanyang_level, self.is_regional = short_name, hanyang_level, is_regional
        self.unit_name, self.profile = unit_name, profile
        self.district = district if district is not None else getattr(parent, "district", None)
        self.children = []
        self.members = 0
        self.weight = 0.0
        self.unit_root = None
        self.member_start = None
        self.next_index = 1            # index 0 of a holding org is its own secretary
        self.founded_on = self.phone = self.code = ""
        self.pk = self.path = self.depth = None
        if parent is not None:
            parent.children.append(self)

    @property
    def is_grassroots(self):
        return self.kind in GRASSROOTS

    @property
    def holds_members(self):
        """Branches hold membership; a committee or general branch only when it has no branches below."""
        if self.kind == OrgKind.BRANCH:
            return True
        if self.kind in (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH):
            return not any(child.is_grassroots for child in self.children)
        return False


@dataclass
class PostSpec:
    org: OrgNode
    kind: str
    holder: OrgNode              # the organisation holding the member's membership
    index: int                   # the member's place among the holder's members
    start_on: datetime.date
    area: AreaNode = None
    representing: str = ""
    resident: bool = False       # held by a resident outside the member registry (a 楼栋长)

    @property
    def ordinal(self):
        return None if self.resident else self.holder.member_start + self.index


@dataclass
class AccountSpec:
    username: str
    role: str
    org: OrgNode
    display_name: str = ""
    holder: OrgNode = None
    index: int = 0

    @property
    def ordinal(self):
        return None if self.holder is None else self.holder.member_start + self.index


# Member profiles: who the members of an organisation are. Weights, not percentages.
CATEGORY_MIX = {
    "community": {"retired": 55, "employed": 22, "other": 10, "mobile": 8, "farmer": 3, "student": 2},
    "rural": {"farmer": 50, "retired": 22, "mobile": 14, "employed": 10, "other": 4},
    "organ": {"employed": 85, "retired": 15},
    "institution": {"employed": 80, "retired": 20},
    "soe": {"employed": 82, "retired": 18},
    "private": {"employed": 90, "mobile": 8, "other": 2},
    "social": {"employed": 70, "other": 25, "retired": 5},
    "school": {"employed": 85, "retired": 15},
    "student": {"student": 92, "employed": 8},
    "coordinating": {"employed": 85, "mobile": 10, "other": 5},
    "project": {"employed": 100},
}
# Relative size of a holding organisation of each profile (before a random factor).
PROFILE_SIZE = {"community": 30, "rural": 30, "rural_single": 45, "organ": 14, "institution": 20, "soe": 18,
                "private": 6, "social": 5, "school": 16, "student": 30, "coordinating": 8, "project": 10}


def apportion(total, weights, minimum=0):
    """Split `total` into integers proportional to `weights`, each at least `minimum`
    (largest-remainder method; ties go to the earlier item)."""
    count = len(weights)
    rest = total - minimum * count
    if rest < 0:
        raise ValueError(f"cannot give {count} items at least {minimum} out of {total}")
    scale = sum(weights)
    quotas = [rest * w / scale for w in weights]
    shares = [int(q) for q in quotas]
    left = rest - sum(shares)
    for i in sorted(range(count), key=lambda i: quotas[i] - shares[i], reverse=True)[:left]:
        shares[i] += 1
    return [minimum + s for s in shares]


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


CHINESE_DIGITS = "零一二三四五六七八九十"


# The plan ----------------------------------------------------------------------------

class Plan:
    """Everything a preset will insert, except the members' personal details, which the
    loader draws from a second seeded generator while it streams them."""

    # Posts start in or after the 2021 leadership elections (换届).
    TERM_START = datetime.date(2021, 3, 1)

    def __init__(self, preset, spec):
        self.preset, self.spec = preset, spec
        self.rng = random.Random(f"dangjian-seed:{preset}")
        self.areas, self.orgs, self.posts, self.accounts = [], [], [], []
        self.city_area = self.city = None
        self.district_orgs = []      # (DistrictSpec, area, org)
        self.streets = []            # (district spec, area, org, is_street)
        self.communities = []        # (area, org)
        self.villages = []           # (area, org)
        self.grid_branches = []      # (grid area, org)
        self.building_groups = []    # (building area, org)
        self.community_buildings = []  # (building area, covering org or None, grid branch or None)
        self.hosts = {}              # sector -> [(org, weight)]
        self.holders = []
        self._names = set()
        self._serial = 0

    # building blocks ------------------------------------------------------------------
    def area(self, name, kind, parent=None, code="", district=None):
        node = AreaNode(name, kind, code, parent, district or getattr(parent, "district", None))
        self.areas.append(node)
        return node

    def org(self, name, kind, sector, **kwargs):
        name = self.unique(name)
        node = OrgNode(name, kind, sector, **kwargs)
        self._serial += 1
        node.code = f"{self.spec.code[:4]}{self._serial:07d}"
        year = self.rng.randint(1950, 2022) if kind != OrgKind.GROUP else self.rng.randint(2015, 2023)
        node.founded_on = datetime.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        node.phone = f"0513-8{self.rng.randrange(10**7):07d}"
        if node.unit_root is None:
            node.unit_root = kwargs.get("parent").unit_root if kwargs.get("parent") is not None else None
        self.orgs.append(node)
        return node

    def unit_org(self, name, kind, sector, *, parent, root=None, **kwargs):
        """An organisation inside a unit (enterprise, school …): `root` is the unit's top organisation."""
        node = self.org(name, kind, sector, parent=parent, area=kwargs.pop("area", parent.area), **kwargs)
        node.unit_root = root or node
        if not node.unit_name:
            node.unit_name = (root or node).unit_name
        return node

    def unique(self, name):
        if name not in self._names:
            self._names.add(name)
            return name
        for n in range(2, 10_000):
            candidate = f"{name}（{n}）"
            if candidate not in self._names:
                self._names.add(candidate)
                return candidate
        raise RuntimeError(name)

    def pick_name(self, used, make, tries=200):
        for _ in range(tries):
            name = make()
            if name not in used:
                used.add(name)
                return name
        base = make()
        n = 2
        while f"{base}{n}" in used:
            n += 1
        used.add(f"{base}{n}")
        return f"{base}{n}"

    # the figures ----------------------------------------------------------------------
    def counts(self):
        kinds = Counter(o.kind for o in self.orgs)
        sectors = Counter(o.sector for o in self.orgs)
        areas = Counter(a.kind for a in self.areas)
        posts = Counter(p.kind for p in self.posts)
        return {
            "areas": len(self.areas),
            "areas_by_kind": dict(areas),
            "orgs": len(self.orgs),
            "orgs_by_kind": dict(kinds),
            "orgs_by_sector": dict(sectors),
            "grassroots": sum(kinds[k] for k in GRASSROOTS),
            "members": sum(o.members for o in self.orgs),
            "communities": areas[AreaKind.COMMUNITY],
            "villages": areas[AreaKind.VILLAGE],
            "villages_and_communities": areas[AreaKind.COMMUNITY] + areas[AreaKind.VILLAGE],
            "grids": areas[AreaKind.GRID],
            "buildings": areas[AreaKind.BUILDING],
            "grid_branches": sum(1 for o in self.orgs if o.hanyang_level == HanyangLevel.GRID_BRANCH),
            "building_groups": sum(1 for o in self.orgs if o.hanyang_level == HanyangLevel.BUILDING_GROUP),
            "member_households": posts[PostKind.MEMBER_HOUSEHOLD],
            "posts": len(self.posts),
            "posts_by_kind": dict(posts),
            "park": sectors[Sector.PARK],
            "business_district": sectors[Sector.BUSINESS_DISTRICT],
            "village_enterprise": sectors[Sector.VILLAGE_ENTERPRISE],
            "accounts": len(self.accounts),
        }

    def dfs(self, roots):
        order, stack = [], list(reversed(roots))
        while stack:
            node = stack.pop()
            order.append(node)
            stack.extend(reversed(node.children))
        return order


def build(preset, spec):
    plan = Plan(preset, spec)
    builder = _Builder(plan)
    builder.territory()
    builder.grids()
    builder.coordinating()
    builder.hosts()
    builder.units()
    builder.members()
    builder.posts()
    builder.accounts()
    return plan


class _Builder:
    def __init__(self, plan):
        self.plan, self.spec, self.rng = plan, plan.spec, plan.rng
        self.community_names = set()

    # territory: city, districts, streets and towns, communities, villages ---------------
    def territory(self):
        p, spec, rng = self.plan, self.spec, self.rng
        p.city_area = p.area(spec.name, AreaKind.CITY, code=spec.code)
        p.city = p.org(f"中共{spec.name}委员会", OrgKind.LOCAL_COMMITTEE, Sector.ORGAN, area=p.city_area,
                       short_name=f"{spec.name}委")
        for d in spec.districts:
            d_area = p.area(d.name, AreaKind.DISTRICT, p.city_area, code=d.code, district=d)
            if d.kind == "zone":
                d_org = p.org(f"中共{d.org_prefix}工作委员会", OrgKind.WORKING_COMMITTEE, Sector.ORGAN, parent=p.city,
                              area=d_area, short_name=f"{d.name}党工委", district=d)
            else:
                d_org = p.org(f"中共{d.org_prefix}委员会", OrgKind.LOCAL_COMMITTEE, Sector.ORGAN, parent=p.city,
                              area=d_area, short_name=f"{d.name}委", district=d)
            p.district_orgs.append((d, d_area, d_org))
            places = [(name, True) for name in d.streets] + [(name, False) for name in d.towns]
            # Communities lie mostly in streets, villages mostly in towns; the first town of a
            # county-level city is its seat and takes a larger share of communities.
            c_weights = [(3.0 if is_street else (4.0 if i == len(d.streets) else 1.0)) * rng.uniform(0.6, 1.4)
                         for i, (_, is_street) in enumerate(places)]
            v_weights = [(0.4 if is_street else 3.0) * rng.uniform(0.6, 1.4) for _, is_street in places]
            c_counts = apportion(d.communities, c_weights)
            v_counts = apportion(d.villages, v_weights)
            village_names = set()
            for i, ((name, is_street), n_comm, n_vill) in enumerate(zip(places, c_counts, v_counts), start=1):
                code = f"{d.code}{i:03d}"
                if is_street:
                    s_area = p.area(name, AreaKind.STREET, d_area, code=code)
                    s_org = p.org(f"中共{d.org_prefix}{name}党工委", OrgKind.WORKING_COMMITTEE, Sector.URBAN_COMMUNITY,
                                  parent=d_org, area=s_area, short_name=f"{name}党工委", is_regional=True,
                                  hanyang_level=HanyangLevel.STREET_WORKING_COMMITTEE)
                else:
                    s_area = p.area(name, AreaKind.TOWN, d_area, code=code)
                    s_org = p.org(f"中共{d.org_prefix}{name}委员会", OrgKind.COMMITTEE, Sector.RURAL, parent=d_org,
                                  area=s_area, short_name=f"{name}党委")
                p.streets.append((d, s_area, s_org, is_street))
                office = p.org(f"{d.name}{name}机关党支部", OrgKind.BRANCH, Sector.ORGAN, parent=s_org, area=s_area,
                               unit_name=f"{d.name}{name}{'办事处' if is_street else '人民政府'}", profile="organ")
                office.unit_root = office
                for j in range(1, n_comm + 1):
                    c_name = self._community_name()
                    c_area = p.area(f"{c_name}社区", AreaKind.COMMUNITY, s_area, code=f"{code}{j:03d}")
                    # Not every community is a 党委: every third is a 党总支 (both have grid branches
                    # below). "社区大党委" is the regional flag a committee carries, not a kind.
                    committee = j % 3 != 0
                    label = "社区党委" if committee else "社区党总支"
                    c_org = p.org(f"{d.name}{name}{c_name}{label}",
                                  OrgKind.COMMITTEE if committee else OrgKind.GENERAL_BRANCH, Sector.URBAN_COMMUNITY,
                                  parent=s_org, area=c_area, short_name=f"{c_name}{label}", is_regional=committee,
                                  hanyang_level=HanyangLevel.COMMUNITY_COMMITTEE)
                    p.communities.append((c_area, c_org))
                for j in range(1, n_vill + 1):
                    v_name = p.pick_name(village_names, self._village_name)
                    v_area = p.area(f"{v_name}村", AreaKind.VILLAGE, s_area, code=f"{code}{200 + j:03d}")
                    p.villages.append((v_area, self._village_org(d, name, v_name, s_org, v_area)))

    def _community_name(self):
        for name in N.COMMUNITY_REAL:
            if name not in self.community_names:
                self.community_names.add(name)
                return name
        return self.plan.pick_name(self.community_names,
                                   lambda: self.rng.choice(N.PLACE_FIRST) + self.rng.choice(N.PLACE_SECOND))

    def _village_name(self):
        if self.rng.random() < 0.5:
            return self.rng.choice(N.VILLAGE_FIRST) + self.rng.choice(N.VILLAGE_SECOND)
        return self.rng.choice(N.PLACE_FIRST) + self.rng.choice(N.PLACE_SECOND)

    def _village_org(self, d, town, v_name, parent, v_area):
        p, rng = self.plan, self.rng
        roll = rng.random()
        base = f"{d.name}{town}{v_name}村"
        if roll < 0.12:
            org = p.org(f"{base}党委", OrgKind.COMMITTEE, Sector.RURAL, parent=parent, area=v_area,
                        short_name=f"{v_name}村党委", profile="rural")
            subs = rng.randint(3, 6)
        elif roll < 0.55:
            org = p.org(f"{base}党总支", OrgKind.GENERAL_BRANCH, Sector.RURAL, parent=parent, area=v_area,
                        short_name=f"{v_name}村党总支", profile="rural")
            subs = rng.randint(2, 4)
        else:
            return p.org(f"{base}党支部", OrgKind.BRANCH, Sector.RURAL, parent=parent, area=v_area,
                         short_name=f"{v_name}村党支部", profile="rural_single")
        names = N.VILLAGE_SUB_BRANCHES[:subs - 1] + [rng.choice(N.VILLAGE_SUB_BRANCHES[6:])]
        for sub in names:
            p.org(f"{base}{sub}", OrgKind.BRANCH, Sector.RURAL, parent=org, area=v_area, profile="rural")
        return org

    # grids and buildings of the urban communities ------------------------------------------
    def grids(self):
        p, spec, rng = self.plan, self.spec, self.rng
        communities = p.communities
        branches = apportion(spec.grid_branches, [rng.uniform(0.3, 2.0) for _ in communities], minimum=3)
        uncovered = Counter(rng.randrange(len(communities)) for _ in range(spec.uncovered_grids))
        covered_grids, all_grids = [], []
        for ci, ((c_area, c_org), n_branch) in enumerate(zip(communities, branches)):
            for g in range(1, n_branch + uncovered[ci] + 1):
                grid = p.area(f"第{g}网格", AreaKind.GRID, c_area, code=f"{c_area.code}{g:02d}")
                all_grids.append((grid, c_org))
                if g <= n_branch:
                    short = c_org.short_name.removesuffix("党委")
                    branch = p.org(f"{c_org.name.removesuffix('党委')}第{g}网格党支部", OrgKind.BRANCH,
                                   Sector.URBAN_COMMUNITY, parent=c_org, area=grid, profile="community",
                                   short_name=f"{short}第{g}网格党支部", hanyang_level=HanyangLevel.GRID_BRANCH)
                    p.grid_branches.append((grid, branch))
                    covered_grids.append((grid, branch))
        groups = apportion(spec.building_groups, [rng.uniform(0.2, 1.8) for _ in covered_grids], minimum=1)
        extra = Counter()
        covered_ids = {id(grid) for grid, _ in covered_grids}
        bare = [i for i, (grid, _) in enumerate(all_grids) if id(grid) not in covered_ids]
        for i in bare:                       # a grid without a branch still has buildings
            extra[i] += 1
        for _ in range(spec.uncovered_buildings - len(bare)):
            extra[rng.randrange(len(all_grids))] += 1
        group_count = {id(grid): n for (grid, _), n in zip(covered_grids, groups)}
        branch_of = {id(grid): branch for grid, branch in covered_grids}
        numbers = Counter()
        lo, hi = spec.households_per_group
        for i, (grid, c_org) in enumerate(all_grids):
            with_group = group_count.get(id(grid), 0)
            branch = branch_of.get(id(grid))
            for b in range(with_group + extra[i]):
                numbers[id(c_org)] += 1
                number = numbers[id(c_org)]
                building = p.area(f"{number}幢", AreaKind.BUILDING, grid, code=f"{grid.code}{b + 1:03d}")
                group = None
                if b < with_group:
                    short = branch.short_name.removesuffix("党支部")
                    group = p.org(f"{branch.name.removesuffix('党支部')}{number}幢党小组", OrgKind.GROUP,
                                  Sector.URBAN_COMMUNITY, parent=branch, area=building,
                                  short_name=f"{short}{number}幢党小组", hanyang_level=HanyangLevel.BUILDING_GROUP)
                    p.building_groups.append((building, group))
                p.community_buildings.append((building, group, branch))
        self.households = {id(group): rng.randint(lo, hi) for _, group in p.building_groups}

    # coordinating forms: parks, business districts, village-enterprise, buildings, projects --
    def coordinating(self):
        p, spec, rng = self.plan, self.spec, self.rng
        district_weights = [d.weight for d, _, _ in p.district_orgs]
        self.private_hosts = []
        park_names = set()
        for i in self._spread(spec.parks, district_weights):
            d, d_area, d_org = p.district_orgs[i]
            places = [s_area.name.removesuffix("街道").removesuffix("镇") for dd, s_area, _, _ in p.streets if dd is d]
            name = p.pick_name(park_names, lambda: rng.choice(places) + rng.choice(N.PARK_KINDS))
            kind = OrgKind.COMMITTEE if rng.random() < 0.6 else OrgKind.GENERAL_BRANCH
            label = "党委" if kind == OrgKind.COMMITTEE else "党总支"
            org = p.org(f"{d.name}{name}{label}", kind, Sector.PARK, parent=d_org, area=d_area, unit_name=name,
                        profile="coordinating")
            org.unit_root = org
            self.private_hosts.append((org, 3.0))
        streets = [(d, s_area, s_org) for d, s_area, s_org, is_street in p.streets if is_street]
        urban = [(d, a, o) for d, a, o in streets if d.kind == "district"] or streets
        for name in (N.BUSINESS_DISTRICTS * 2)[:spec.business_districts]:
            d, s_area, s_org = rng.choice(urban)
            kind = OrgKind.COMMITTEE if rng.random() < 0.5 else OrgKind.GENERAL_BRANCH
            org = p.org(f"{name}商圈{'党委' if kind == OrgKind.COMMITTEE else '党总支'}", kind,
                        Sector.BUSINESS_DISTRICT, parent=s_org, area=s_area, unit_name=f"{name}商圈",
                        profile="coordinating")
            org.unit_root = org
            self.private_hosts.append((org, 1.0))
        for tower in (N.TOWERS * 3)[:spec.buildings]:
            d, s_area, s_org = rng.choice(urban)
            # A building's Party organisation is 枢纽型 or 物业型 (source 003); a 托管型 党员联络站 is a
            # liaison station, not a Party organisation, so it is no Org and not among the grassroots.
            kind_label = rng.choice(N.TOWER_TYPES)
            if rng.random() < 0.4:
                org = p.org(f"{tower}楼宇党委", OrgKind.COMMITTEE, Sector.BUILDING, parent=s_org, area=s_area,
                            unit_name=tower, short_name=f"{tower}{kind_label}楼宇党委", profile="coordinating")
            else:
                org = p.org(f"{tower}楼宇联合党支部", OrgKind.BRANCH, Sector.BUILDING, parent=s_org, area=s_area,
                            unit_name=tower, short_name=f"{tower}{kind_label}楼宇党支部", profile="coordinating")
            org.unit_root = org
            if org.kind == OrgKind.COMMITTEE:
                self.private_hosts.append((org, 1.0))
        for project in (N.PROJECTS * 3)[:spec.projects]:
            d, d_area, d_org = p.district_orgs[self._spread(1, district_weights)[0]]
            org = p.org(f"{project}项目临时党支部", OrgKind.BRANCH, Sector.PROJECT, parent=d_org, area=d_area,
                        unit_name=f"{project}项目", profile="project")
            org.unit_root = org
        # 村企联建: a village and an enterprise nearby share one organisation.
        villages_by_town = {}
        for v_area, v_org in p.villages:
            villages_by_town.setdefault(id(v_area.parent), []).append(v_area)
        towns = [(d, s_area, s_org) for d, s_area, s_org, _ in p.streets if id(s_area) in villages_by_town]
        town_weights = [len(villages_by_town[id(s_area)]) for _, s_area, _ in towns]
        for i in self._spread(spec.village_enterprises, town_weights):
            d, s_area, s_org = towns[i]
            v_area = rng.choice(villages_by_town[id(s_area)])
            firm = rng.choice(N.ENTERPRISE_CORE) + rng.choice(N.ENTERPRISE_CORE) + rng.choice(N.ENTERPRISE_TRADES)
            base = f"{d.name}{s_area.name}{v_area.name}{firm}"
            if rng.random() < 0.1:
                org = p.org(f"{base}村企联建党总支", OrgKind.GENERAL_BRANCH, Sector.VILLAGE_ENTERPRISE, parent=s_org,
                            area=v_area, unit_name=f"南通{firm}有限公司", profile="coordinating")
                org.unit_root = org
                p.org(f"{base}村企联建村民党支部", OrgKind.BRANCH, Sector.RURAL, parent=org, area=v_area,
                      profile="rural")
                p.org(f"{base}村企联建企业党支部", OrgKind.BRANCH, Sector.PRIVATE_ENTERPRISE, parent=org, area=v_area,
                      profile="private")
            else:
                org = p.org(f"{base}村企联建党支部", OrgKind.BRANCH, Sector.VILLAGE_ENTERPRISE, parent=s_org,
                            area=v_area, unit_name=f"南通{firm}有限公司", profile="coordinating")
                org.unit_root = org

    def _spread(self, count, weights):
        """`count` indices drawn in proportion to `weights`, in index order."""
        shares = apportion(count, [w * self.rng.uniform(0.7, 1.3) for w in weights])
        return [i for i, n in enumerate(shares) for _ in range(n)]

    # the system organisations that units hang under -------------------------------------
    def hosts(self):
        p, spec = self.plan, self.spec
        city, area = p.city, p.city_area
        hosts = {sector: [] for sector in spec.sector_weights}

        def host(name, kind, sector, parent, area, weight, short=""):
            org = p.org(name, kind, sector, parent=parent, area=area, short_name=short, profile="")
            hosts[sector].append((org, weight))
            return org

        city_weight = 2.5
        host(f"中共{spec.name}级机关工作委员会", OrgKind.WORKING_COMMITTEE, Sector.ORGAN, city, area, city_weight,
             f"{spec.name}级机关工委")
        host(f"{spec.name}国资委党委", OrgKind.COMMITTEE, Sector.SOE, city, area, 4.0)
        host(f"中共{spec.name}委教育工作委员会", OrgKind.WORKING_COMMITTEE, Sector.SCHOOL, city, area, city_weight,
             f"{spec.name}委教育工委")
        host(f"{spec.name}卫生健康委员会党委", OrgKind.COMMITTEE, Sector.INSTITUTION, city, area, city_weight)
        two_new = host(f"中共{spec.name}委两新工作委员会", OrgKind.WORKING_COMMITTEE, Sector.PRIVATE_ENTERPRISE, city,
                       area, 1.0, f"{spec.name}两新工委")
        hosts[Sector.SOCIAL_ORG].append((two_new, 1.0))
        for d, d_area, d_org in p.district_orgs:
            w = d.weight
            if d.kind == "zone":
                host(f"{d.name}机关党委", OrgKind.COMMITTEE, Sector.ORGAN, d_org, d_area, w)
            else:
                host(f"中共{d.org_prefix}级机关工作委员会", OrgKind.WORKING_COMMITTEE, Sector.ORGAN, d_org, d_area, w,
                     f"{d.name}级机关工委")
                host(f"{d.name}国有企业党委", OrgKind.COMMITTEE, Sector.SOE, d_org, d_area, w)
            host(f"{d.name}教育体育局党委", OrgKind.COMMITTEE, Sector.SCHOOL, d_org, d_area, w)
            host(f"{d.name}卫生健康委员会党委", OrgKind.COMMITTEE, Sector.INSTITUTION, d_org, d_area, w)
            host(f"{d.name}非公有制经济组织党委", OrgKind.COMMITTEE, Sector.PRIVATE_ENTERPRISE, d_org, d_area, w * 2)
            host(f"{d.name}社会组织综合党委", OrgKind.COMMITTEE, Sector.SOCIAL_ORG, d_org, d_area, w)
        # Towns and streets take their own clinics, schools and local firms.
        for d, s_area, s_org, is_street in p.streets:
            w = d.weight * 0.15
            hosts[Sector.PRIVATE_ENTERPRISE].append((s_org, w * 2))
            hosts[Sector.SCHOOL].append((s_org, w))
            hosts[Sector.INSTITUTION].append((s_org, w))
            hosts[Sector.SOCIAL_ORG].append((s_org, w * 0.5))
        hosts[Sector.PRIVATE_ENTERPRISE].extend(self.private_hosts)
        self.host_lists = hosts

    # units: fill the grassroots budget exactly ----------------------------------------------
    def units(self):
        p, spec, rng = self.plan, self.spec, self.rng
        so_far = sum(1 for o in p.orgs if o.is_grassroots)
        budget = spec.grassroots - so_far if spec.grassroots is not None else spec.unit_grassroots
        if budget < 0:
            raise ValueError(f"the territorial part alone has {so_far} grassroots organisations, "
                             f"over {spec.grassroots}")
        sectors = list(spec.sector_weights)
        budgets = apportion(budget, [spec.sector_weights[s] for s in sectors])
        self.used_unit_names = set()
        for sector, left in zip(sectors, budgets):
            hosts = self.host_lists[sector]
            weights = [w for _, w in hosts]
            make = getattr(self, f"_unit_{sector}")
            if sector == Sector.SCHOOL and left:
                left -= self._universities(hosts[0][0], left)
            while left > 0:
                parent = rng.choices(hosts, weights)[0][0]
                made = make(parent, left)
                assert 0 < made <= left
                left -= made

    def _branches(self, parent, root, names, sector, profile):
        for name in names:
            self.plan.unit_org(name, OrgKind.BRANCH, sector, parent=parent, root=root, profile=profile)
        return len(names)

    def _shape(self, limit, committee, general):
        """Choose committee (3+), general branch (3+) or single branch (1) within `limit`."""
        roll = self.rng.random()
        if limit >= 3 and roll < committee:
            return OrgKind.COMMITTEE
        if limit >= 3 and roll < committee + general:
            return OrgKind.GENERAL_BRANCH
        return OrgKind.BRANCH

    def _place(self, parent):
        area = parent.area
        if area is not None and area.kind in (AreaKind.STREET, AreaKind.TOWN):
            return area.name
        if area is not None and area.kind == AreaKind.DISTRICT:
            return area.name
        return ""

    def _qualifier(self):
        return self.rng.choice(N.QUALIFIERS) if self.rng.random() < 0.5 else ""

    def _unit_organ(self, parent, limit):
        p, rng = self.plan, self.rng
        prefix = parent.district.name if parent.district else self.spec.name
        unit = p.pick_name(self.used_unit_names, lambda: prefix + rng.choice(N.ORGAN_DEPARTMENTS)
                           + (rng.choice(N.ORGAN_SUBUNITS) if rng.random() < 0.4 else ""))
        shape = self._shape(limit, 0.35, 0.25)
        if shape == OrgKind.BRANCH:
            p.unit_org(f"{unit}机关党支部", OrgKind.BRANCH, Sector.ORGAN, parent=parent, unit_name=unit,
                             profile="organ")
            return 1
        n = rng.randint(2, min(8 if shape == OrgKind.COMMITTEE else 4, limit - 1))
        label = "机关党委" if shape == OrgKind.COMMITTEE else "机关党总支"
        org = p.unit_org(f"{unit}{label}", shape, Sector.ORGAN, parent=parent, unit_name=unit, profile="organ")
        divisions = rng.sample(N.ORGAN_DIVISIONS, n)
        return 1 + self._branches(org, org, [f"{unit}{x}党支部" for x in divisions], Sector.ORGAN, "organ")

    def _unit_institution(self, parent, limit):
        p, rng = self.plan, self.rng
        place = self._place(parent) or self.spec.name
        if parent.area is not None and parent.area.kind in (AreaKind.STREET, AreaKind.TOWN):
            unit = p.unique(f"{place}{rng.choice(['卫生院', '社区卫生服务中心', '农业技术推广站', '文化站', '便民服务中心'])}")
            p.unit_org(f"{unit}党支部", OrgKind.BRANCH, Sector.INSTITUTION, parent=parent, unit_name=unit,
                       profile="institution")
            return 1
        if limit >= 5 and rng.random() < 0.3:
            unit = p.pick_name(self.used_unit_names, lambda: place + self._qualifier() + rng.choice(N.HOSPITALS))
            org = p.unit_org(f"{unit}党委", OrgKind.COMMITTEE, Sector.INSTITUTION, parent=parent, unit_name=unit,
                             profile="institution")
            depts = rng.sample(N.HOSPITAL_DEPARTMENTS, min(limit - 1, rng.randint(4, 10)))
            return 1 + self._branches(org, org, [f"{unit}{x}党支部" for x in depts], Sector.INSTITUTION, "institution")
        unit = p.pick_name(self.used_unit_names, lambda: place + self._qualifier() + rng.choice(N.INSTITUTIONS))
        shape = self._shape(limit, 0.05, 0.25)
        if shape == OrgKind.BRANCH:
            p.unit_org(f"{unit}党支部", OrgKind.BRANCH, Sector.INSTITUTION, parent=parent, unit_name=unit,
                       profile="institution")
            return 1
        org = p.unit_org(f"{unit}{'党委' if shape == OrgKind.COMMITTEE else '党总支'}", shape, Sector.INSTITUTION,
                         parent=parent, unit_name=unit, profile="institution")
        n = rng.randint(2, min(4, limit - 1))
        return 1 + self._branches(org, org, [f"{unit}第{CHINESE_DIGITS[i]}党支部" for i in range(1, n + 1)],
                                  Sector.INSTITUTION, "institution")

    def _unit_school(self, parent, limit):
        p, rng = self.plan, self.rng
        place = self._place(parent) or self.spec.name
        kind_name = rng.choice(N.SCHOOL_KINDS)
        core = rng.choice(N.PLACE_FIRST) + rng.choice(N.PLACE_SECOND) if rng.random() < 0.4 else ""
        unit = p.unique(f"{self.spec.name}{place}{core}{kind_name}")
        shape = self._shape(limit, 0.12, 0.3)
        if shape == OrgKind.BRANCH:
            p.unit_org(f"{unit}党支部", OrgKind.BRANCH, Sector.SCHOOL, parent=parent, unit_name=unit, profile="school")
            return 1
        org = p.unit_org(f"{unit}{'党委' if shape == OrgKind.COMMITTEE else '党总支'}", shape, Sector.SCHOOL,
                         parent=parent, unit_name=unit, profile="school")
        n = rng.randint(2, min(5 if shape == OrgKind.COMMITTEE else 3, limit - 1))
        names = [f"{unit}教工第{CHINESE_DIGITS[i]}党支部" for i in range(1, n)] + [f"{unit}离退休教工党支部"]
        return 1 + self._branches(org, org, names, Sector.SCHOOL, "school")

    def _universities(self, parent, limit):
        """Universities under the city education committee: colleges with staff and student branches."""
        p, rng = self.plan, self.rng
        made = 0
        for name, colleges in N.UNIVERSITIES:
            need = 1 + len(colleges) * 3
            if made + need > limit * 0.5:
                break
            uni = p.unit_org(f"中共{name}委员会", OrgKind.COMMITTEE, Sector.SCHOOL, parent=parent, unit_name=name,
                             short_name=f"{name}党委", profile="school")
            made += 1
            for college in colleges:
                c_org = p.unit_org(f"{name}{college}党委", OrgKind.COMMITTEE, Sector.SCHOOL, parent=uni, root=uni,
                                   profile="school")
                made += 1
                made += self._branches(c_org, uni, [f"{name}{college}教工党支部"], Sector.SCHOOL, "school")
                students = rng.randint(1, 3)
                made += self._branches(c_org, uni, [f"{name}{college}学生第{CHINESE_DIGITS[i]}党支部"
                                                    for i in range(1, students + 1)], Sector.SCHOOL, "student")
        return made

    def _unit_soe(self, parent, limit):
        p, rng = self.plan, self.rng
        prefix = parent.district.name if parent.district else self.spec.name
        unit = p.pick_name(self.used_unit_names, lambda: prefix + rng.choice(N.SOES)
                           + (rng.choice(N.SOE_SUBSIDIARIES) if rng.random() < 0.6 else "") + "有限公司")
        if limit >= 6 and rng.random() < 0.35:
            org = p.unit_org(f"{unit}党委", OrgKind.COMMITTEE, Sector.SOE, parent=parent, unit_name=unit, profile="soe")
            made = 1
            for part in rng.sample(N.SOE_PARTS, rng.randint(2, 4)):
                n = rng.randint(2, 4)
                if made + 1 + n > limit:
                    break
                sub = p.unit_org(f"{unit}{part}党总支", OrgKind.GENERAL_BRANCH, Sector.SOE, parent=org, root=org,
                                 profile="soe")
                made += 1 + self._branches(sub, org, [f"{unit}{part}第{CHINESE_DIGITS[i]}党支部"
                                                      for i in range(1, n + 1)], Sector.SOE, "soe")
            if made == 1:
                made += self._branches(org, org, [f"{unit}机关党支部", f"{unit}生产党支部"][:limit - 1], Sector.SOE,
                                       "soe")
            return made
        shape = self._shape(limit, 0.3, 0.3)
        if shape == OrgKind.BRANCH:
            p.unit_org(f"{unit}党支部", OrgKind.BRANCH, Sector.SOE, parent=parent, unit_name=unit, profile="soe")
            return 1
        org = p.unit_org(f"{unit}{'党委' if shape == OrgKind.COMMITTEE else '党总支'}", shape, Sector.SOE,
                         parent=parent, unit_name=unit, profile="soe")
        parts = rng.sample(N.SOE_PARTS, rng.randint(2, min(5, limit - 1)))
        return 1 + self._branches(org, org, [f"{unit}{x}党支部" for x in parts], Sector.SOE, "soe")

    def _enterprise_name(self):
        rng = self.rng
        return self.plan.pick_name(self.used_unit_names, lambda: "南通" + rng.choice(N.ENTERPRISE_CORE)
                                   + rng.choice(N.ENTERPRISE_CORE) + rng.choice(N.ENTERPRISE_TRADES)
                                   + rng.choice(N.ENTERPRISE_FORMS))

    def _unit_private_enterprise(self, parent, limit):
        p, rng = self.plan, self.rng
        unit = self._enterprise_name()
        shape = self._shape(limit, 0.06, 0.12)
        if shape == OrgKind.BRANCH:
            p.unit_org(f"{unit}党支部", OrgKind.BRANCH, Sector.PRIVATE_ENTERPRISE, parent=parent, unit_name=unit,
                       profile="private")
            return 1
        org = p.unit_org(f"{unit}{'党委' if shape == OrgKind.COMMITTEE else '党总支'}", shape,
                         Sector.PRIVATE_ENTERPRISE, parent=parent, unit_name=unit, profile="private")
        parts = rng.sample(["生产一车间", "生产二车间", "生产三车间", "技术研发中心", "销售部", "行政部", "质检部",
                            "物流部"], rng.randint(2, min(6 if shape == OrgKind.COMMITTEE else 3, limit - 1)))
        return 1 + self._branches(org, org, [f"{unit}{x}党支部" for x in parts], Sector.PRIVATE_ENTERPRISE, "private")

    def _unit_social_org(self, parent, limit):
        p, rng = self.plan, self.rng
        place = self._place(parent) or self.spec.name
        core = rng.choice(N.ENTERPRISE_CORE) + rng.choice(N.ENTERPRISE_CORE)
        unit = p.pick_name(self.used_unit_names, lambda: f"南通{place}{core}{rng.choice(N.SOCIAL_ORGS)}")
        if limit >= 3 and rng.random() < 0.05:
            org = p.unit_org(f"{unit}党总支", OrgKind.GENERAL_BRANCH, Sector.SOCIAL_ORG, parent=parent, unit_name=unit,
                             profile="social")
            return 1 + self._branches(org, org, [f"{unit}第一党支部", f"{unit}第二党支部"], Sector.SOCIAL_ORG,
                                      "social")
        label = "联合党支部" if rng.random() < 0.3 else "党支部"
        p.unit_org(f"{unit}{label}", OrgKind.BRANCH, Sector.SOCIAL_ORG, parent=parent, unit_name=unit,
                   profile="social")
        return 1

    # members: who holds how many ------------------------------------------------------------
    def members(self):
        p, rng = self.plan, self.rng
        order = p.dfs([p.city])
        holders = [o for o in order if o.holds_members]
        for o in holders:
            if not o.profile:
                o.profile = "organ" if o.sector == Sector.ORGAN else "coordinating"
        weights = [PROFILE_SIZE[o.profile] * rng.uniform(0.6, 1.4) for o in holders]
        counts = apportion(self.spec.members, weights, minimum=3)
        start = 0
        for o, n in zip(holders, counts):
            o.members, o.member_start = n, start
            start += n
            if o.profile == "rural_single":
                o.profile = "rural"
        p.holders = holders
        self.order = order

    # posts ------------------------------------------------------------------------------------
    def _take(self, holder):
        """The next member of `holder` not yet given a post (or any member once all are)."""
        if holder.next_index < holder.members:
            holder.next_index += 1
            return holder.next_index - 1
        return self.rng.randrange(holder.members)

    def _start(self):
        return self.plan.TERM_START + datetime.timedelta(days=self.rng.randint(0, 1400))

    def posts(self):
        p, rng = self.plan, self.rng
        order = self.order
        # Holders below each organisation, nearest level first, found by one walk per node.
        below = {}
        for node in reversed(order):
            if node.holds_members:
                below[id(node)] = [node]
                continue
            near, organ = [], []
            for child in node.children:
                sub = below.get(id(child), [])
                if child.holds_members:
                    near.append(child)
                if child.sector == Sector.ORGAN:
                    organ.extend(h for h in sub if h.sector == Sector.ORGAN)
            if not near:
                for child in node.children:
                    near.extend(below.get(id(child), [])[:20])
            below[id(node)] = near[:40] if not organ else near[:20] + organ[:20]
        organs_by_district = {}
        for h in p.holders:
            if h.sector in (Sector.ORGAN, Sector.INSTITUTION, Sector.SOE, Sector.SCHOOL) and h.profile != "student":
                organs_by_district.setdefault(id(h.district), []).append(h)
        city_organs = [h for h in p.holders if h.sector == Sector.ORGAN]
        for node in order:
            if node.kind == OrgKind.GROUP:
                continue
            if node.holds_members:
                p.posts.append(PostSpec(node, PostKind.SECRETARY, node, 0, self._start()))
                continue
            candidates = below.get(id(node)) or city_organs
            if node.kind in (OrgKind.LOCAL_COMMITTEE, OrgKind.WORKING_COMMITTEE) or node.sector == Sector.RURAL:
                organ = [h for h in candidates if h.sector == Sector.ORGAN]
                candidates = organ or candidates
            holder = rng.choice(candidates)
            p.posts.append(PostSpec(node, PostKind.SECRETARY, holder, self._take(holder), self._start()))
        # The community end of the Hanyang system: group leaders, member households, building heads.
        for building, group in p.building_groups:
            branch = group.parent
            p.posts.append(PostSpec(group, PostKind.GROUP_LEADER, branch, self._take(branch), self._start(),
                                    area=building))
            for _ in range(self.households[id(group)]):
                p.posts.append(PostSpec(group, PostKind.MEMBER_HOUSEHOLD, branch, self._take(branch), self._start(),
                                        area=building))
        # A building head need not be a Party member: every third is a resident recorded as a
        # person outside the registry (the member is still drawn, so the plan stays the same).
        for position, (building, group, branch) in enumerate(p.community_buildings):
            if branch is not None:
                p.posts.append(PostSpec(group or branch, PostKind.BUILDING_HEAD, branch, self._take(branch),
                                        self._start(), area=building, resident=position % 3 == 2))
        # Regional committees seat representatives of the units in their area.
        for node in order:
            if not node.is_regional:
                continue
            pool = organs_by_district.get(id(node.district)) or city_organs
            for _ in range(rng.randint(3, 6) if node.kind == OrgKind.WORKING_COMMITTEE else rng.randint(2, 4)):
                holder = rng.choice(pool)
                p.posts.append(PostSpec(node, PostKind.RESIDENT_UNIT_REP, holder, self._take(holder), self._start(),
                                        representing=(holder.unit_root or holder).unit_name or holder.name))
        # Every non-public enterprise's organisation has an instructor sent from an organ.
        organ_pool = {}
        for h in p.holders:
            if h.sector == Sector.ORGAN:
                organ_pool.setdefault(id(h.district), []).append(h)
        for node in order:
            if node.sector == Sector.PRIVATE_ENTERPRISE and node.unit_root is node:
                pool = organ_pool.get(id(node.district)) or city_organs
                holder = rng.choice(pool)
                p.posts.append(PostSpec(node, PostKind.INSTRUCTOR, holder, self._take(holder), self._start(),
                                        representing=(holder.unit_root or holder).unit_name or holder.name))

    # demo accounts --------------------------------------------------------------------------
    def accounts(self):
        p = self.plan
        secretary = {id(post.org): post for post in p.posts if post.kind == PostKind.SECRETARY}
        d, s_area, street, _ = next(s for s in p.streets if s[3] and any(
            c_area.parent is s[1] for c_area, _ in p.communities))
        community = next(org for c_area, org in p.communities if c_area.parent is s_area)
        grid_branch = next(child for child in community.children if child.hanyang_level == HanyangLevel.GRID_BRANCH)

        def held(org):
            post = secretary[id(org)]
            return dict(holder=post.holder, index=post.index)

        # The grid branch's secretary acts on the branch; the grid worker is governance staff
        # (not the secretary, not necessarily a member) who reads the grid's people and places.
        p.accounts = [
            AccountSpec("city_admin", "org_admin", p.city, f"{self.spec.name}委组织部管理员"),
            AccountSpec("street_secretary", "secretary", street, **held(street)),
            AccountSpec("community_secretary", "secretary", community, **held(community)),
            AccountSpec("grid_secretary", "secretary", grid_branch, **held(grid_branch)),
            AccountSpec("grid_worker", "grid_worker", grid_branch, "网格员"),
            AccountSpec("auditor", "auditor", p.city, "审计员"),
            AccountSpec("sys_admin", "system_admin", p.city, "系统管理员"),
            AccountSpec("sec_admin", "security_admin", p.city, "安全管理员"),
            AccountSpec("audit_admin", "audit_admin", p.city, "审计管理员"),
        ]
