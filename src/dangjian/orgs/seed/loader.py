"""Writing a plan into the database, fast enough for 465,134 members in minutes.

- Tree paths are computed here, not by treebeard's add_child (one query per node):
  materialised paths of 4 base-36 characters per level, `depth` and `numchild` set from
  the plan, so `Org.objects.find_problems()` finds nothing.
- Primary keys are assigned here (after the current maximum), so posts and accounts can
  name their members without reading them back; sequences are reset afterwards.
- Rows go in with bulk_create on SQLite and COPY on PostgreSQL, in batches, all in one
  transaction, with one audit entry per table (action "seed", with the row count).
- Members are built as orgs.services.member_prepare builds them (validated ID number,
  AES-GCM ciphertexts, keyed hash, masks, search key), without its per-row duplicate
  query: ID numbers are unique by construction, which is asserted.
"""

import datetime
import importlib
import importlib.util
import random
import secrets
import string
import time
from bisect import bisect
from functools import lru_cache
from itertools import accumulate

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from dangjian.core import audit, crypto
from dangjian.core.text import search_key

from ..idnumber import check_character, validate_id_number
from ..models import Area, AreaKind, Member, MemberStatus, Org, Person, Post
from . import names as N
from .plan import CATEGORY_MIX, Plan, add_years

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4
BATCH = 5000
# Full members joined at least a year before this day, so every full_on lies in the past
# and ID numbers stay the same from one day to the next; only probationary members
# (joined within the last year) move with the calendar.
ANCHOR = datetime.date(2025, 7, 1)


def step(position):
    """Treebeard's path step: `position` (1-based) in base 36, left-padded to 4 characters."""
    digits = ""
    while position:
        position, rest = divmod(position, 36)
        digits = ALPHABET[rest] + digits
    if len(digits) > STEPLEN:
        raise ValueError("more than 36**4 - 1 children under one node")
    return digits.rjust(STEPLEN, "0")


def _next_root(model):
    last = model.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    return int(last, 36) + 1 if last else 1


def assign_tree(root, first_pk, root_position):
    """Set pk, path, depth on `root` and its subtree in depth-first order; return that order."""
    order = []
    root.path, root.depth = step(root_position), 1
    stack = [root]
    pk = first_pk
    while stack:
        node = stack.pop()
        node.pk = pk
        pk += 1
        order.append(node)
        for position, child in enumerate(node.children, start=1):
            child.path, child.depth = node.path + step(position), node.depth + 1
        stack.extend(reversed(node.children))
    return order


# Writing rows ----------------------------------------------------------------------------

class Writer:
    """Buffered inserts of rows given as {attname: value}, in batches of one statement:
    COPY on PostgreSQL, one prepared INSERT run by executemany on SQLite. (Django's
    bulk_create is capped at 999 parameters per statement on SQLite, 38 member rows, and
    spends ~160 µs per row compiling them; executemany of one statement is ~4× faster.)
    Values are converted as the model fields convert them; rows missing a field get its
    default, auto_now fields the time the writer was made."""

    def __init__(self, model, batch=BATCH):
        self.model, self.batch, self.rows, self.count = model, batch, [], 0
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        now = timezone.now()
        self.defaults = {
            f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
            for f in self.fields
        }
        self.copy = connection.vendor == "postgresql"
        qn = connection.ops.quote_name
        self.table = qn(model._meta.db_table)
        self.columns = ", ".join(qn(f.column) for f in self.fields)
        # Dates and times need the backend's adaptation; strings, numbers, booleans and None do not.
        self.converters = [] if self.copy else [
            (i, f) for i, f in enumerate(self.fields) if f.get_internal_type() in ("DateField", "DateTimeField")
        ]

    def add(self, row):
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def _values(self, row):
        values = [row[n] if n in row else self.defaults[n] for n in self.names]
        for i, field in self.converters:
            if values[i] is not None:
                values[i] = field.get_db_prep_save(values[i], connection)
        return values

    def flush(self):
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if self.copy:
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(self._values(row))
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})",
                                   [self._values(row) for row in self.rows])
        self.count += len(self.rows)
        self.rows = []


def _area_row(node):
    return {"id": node.pk, "path": node.path, "depth": node.depth, "numchild": len(node.children),
            "name": node.name, "kind": node.kind, "code": node.code, "search_text": _area_key(node.name)}


@lru_cache(maxsize=None)
def _area_key(name):
    return search_key(name)[:200]


def _org_row(node, search_cache):
    key = (node.name, node.short_name)
    if key not in search_cache:
        search_cache[key] = search_key(node.name, node.short_name)
    return {"id": node.pk, "path": node.path, "depth": node.depth, "numchild": len(node.children),
            "name": node.name, "short_name": node.short_name, "kind": node.kind, "sector": node.sector,
            "hanyang_level": node.hanyang_level, "is_regional": node.is_regional,
            "area_id": node.area.pk if node.area is not None else None, "code": node.code,
            "unit_name": node.unit_name, "founded_on": node.founded_on, "phone": node.phone, "closed_at": None,
            "search_text": search_cache[key]}


# People ----------------------------------------------------------------------------------

class _Weighted:
    """Fast weighted choice over a fixed table."""

    def __init__(self, table):
        self.items = list(table)
        self.cum = list(accumulate(table.values() if isinstance(table, dict) else [1] * len(self.items)))

    def pick(self, rng):
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


AGES = {"employed": (23, 60), "retired": (60, 92), "mobile": (22, 58), "student": (19, 26), "farmer": (30, 85),
        "other": (20, 80)}
EDUCATION = {
    "retired": {"junior": 45, "secondary": 30, "college": 15, "university": 10},
    "farmer": {"junior": 60, "secondary": 30, "college": 10},
    "employed": {"university": 50, "college": 25, "secondary": 15, "postgraduate": 10},
    "student": {"university": 80, "postgraduate": 15, "college": 5},
    "mobile": {"secondary": 45, "college": 30, "junior": 15, "university": 10},
    "other": {"secondary": 40, "college": 30, "junior": 20, "university": 10},
}


class People:
    """Draws members' personal details from a seeded generator. ID numbers are unique by
    construction: the 3-digit sequence counts up per region, birth date and sex."""

    def __init__(self, rng, today):
        self.rng, self.today = rng, today
        self.surnames = _Weighted(N.SURNAMES)
        self.ethnicity = _Weighted(N.ETHNICITIES)
        self.categories = {k: _Weighted(v) for k, v in CATEGORY_MIX.items()}
        self.education = {k: _Weighted(v) for k, v in EDUCATION.items()}
        self.sequence = {}
        self.seen_ids = set()

    def name(self, male, born_year):
        rng = self.rng
        surname = self.surnames.pick(rng)
        roll = rng.random()
        if born_year < 1965 and roll < 0.5:
            given = rng.choice(N.GIVEN_OLD_MALE if male else N.GIVEN_OLD_FEMALE)
        elif born_year >= 1990 and roll < 0.5:
            given = rng.choice(N.GIVEN_YOUNG_MALE if male else N.GIVEN_YOUNG_FEMALE)
        else:
            chars = N.CHARS_MALE if male else N.CHARS_FEMALE
            given = rng.choice(chars) if roll > 0.8 else rng.choice(N.CHARS_SHARED + chars) + rng.choice(chars)
        return surname + given

    def id_number(self, region, born, male):
        key = (region, born, male)
        n = self.sequence.get(key, 0)
        self.sequence[key] = n + 1
        serial = 2 * n + (1 if male else 0) + 10    # 17th digit odd for men, even for women
        if serial > 999:
            raise ValueError("too many people born on one day in one region")
        first17 = f"{region}{born:%Y%m%d}{serial:03d}"
        number = first17 + check_character(first17)
        if number in self.seen_ids:
            raise AssertionError(f"duplicate ID number {number}")
        self.seen_ids.add(number)
        return number

    def phone(self):
        return f"1{self.rng.choice('35789')}{self.rng.randrange(10**9):09d}"

    def person(self, profile, region, *, force_full=False):
        """(name, gender, ethnicity, birth date, ID number, status, category, education, joined, full_on, job)."""
        rng, today = self.rng, self.today
        category = self.categories[profile].pick(rng)
        low, high = AGES[category]
        probationary = not force_full and rng.random() < (0.12 if category == "student" else 0.045)
        if probationary:
            high = min(high, 45)
        else:
            low = max(low, 20)
        age = rng.randint(low, max(low, high))
        born = add_years(ANCHOR, -age) - datetime.timedelta(days=rng.randrange(365))
        male = rng.random() < (0.48 if category == "student" else 0.7)
        adult = add_years(born, 18) + datetime.timedelta(days=1)
        if probationary:
            joined = today - datetime.timedelta(days=rng.randint(20, 340))
            joined = max(joined, adult)
            full_on = None
            status = MemberStatus.PROBATIONARY
        else:
            latest = ANCHOR - datetime.timedelta(days=400)
            span = (latest - adult).days
            joined = adult + datetime.timedelta(days=int(span * rng.random() ** 2.2)) if span > 0 else adult
            full_on = joined + datetime.timedelta(days=365)
            status = MemberStatus.FULL
        number = validate_id_number(self.id_number(region, born, male))
        return (self.name(male, born.year), "male" if male else "female", self.ethnicity.pick(rng), born, number,
                status, category, self.education[category].pick(rng), joined, full_on,
                rng.choice(N.JOBS[category]))


def _address(rng, area):
    """A plausible home address inside a community (with a building) or a village."""
    if area.kind == AreaKind.BUILDING:
        community = area.parent.parent
        return f"{community.label}{rng.choice(N.STREETS_ROADS)}{rng.randint(1, 300)}号{area.name}{rng.randint(1, 6)}" \
               f"{rng.randint(1, 2):02d}室"
    if area.kind == AreaKind.VILLAGE:
        return f"{area.label}{rng.randint(1, 20)}组{rng.randint(1, 80)}号"
    return f"{area.label}{rng.choice(N.STREETS_ROADS)}{rng.randint(1, 300)}号"


# Accounts --------------------------------------------------------------------------------

def demo_password():
    """The demo accounts' password: DANGJIAN_DEMO_PASSWORD, else one generated once into
    VAR_DIR/demo-password (mode 600) so every restart prints the same."""
    import os

    if os.environ.get("DANGJIAN_DEMO_PASSWORD"):
        return os.environ["DANGJIAN_DEMO_PASSWORD"]
    path = settings.VAR_DIR / "demo-password"
    if path.exists():
        return path.read_text().strip()
    password = generate_password()
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def generate_password():
    """12 characters with lower case, upper case, digits and a symbol."""
    pick = secrets.choice
    chars = [pick(string.ascii_lowercase) for _ in range(5)] + [pick(string.ascii_uppercase) for _ in range(3)]
    chars += [pick(string.digits) for _ in range(3)] + [pick("-_.!@#")]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def create_accounts(plan, password, member_pk):
    from dangjian.accounts import services as account_services
    from dangjian.accounts.models import User

    created = []
    for spec in plan.accounts:
        member_id = member_pk(spec.ordinal) if spec.ordinal is not None else None
        member = Member.objects.get(pk=member_id) if member_id else None
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = account_services.user_create(actor=None, username=spec.username, password=password,
                                                display_name=spec.display_name or (member.name if member else ""),
                                                member=member)
        org = Org.objects.get(pk=spec.org.pk)
        account_services.role_grant(actor=None, user=user, role=spec.role, org=org)
        created.append(user)
    return created


# Extension hook ----------------------------------------------------------------------------

def run_extensions(preset, stdout):
    """Call `<app>.seed.seed(preset=, rng=, stdout=)` for every installed app that has one,
    then `<app>.seed.after_seed(preset=, stdout=)` where defined, once every module's
    records are in (lists computes its bound measures from them there)."""
    called, finishers = [], []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.seed"
        try:
            found = importlib.util.find_spec(module_name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            continue
        module = importlib.import_module(module_name)
        hook = getattr(module, "seed", None)
        if callable(hook):
            hook(preset=preset, rng=random.Random(f"dangjian-seed:{preset}:{config.label}"), stdout=stdout)
            called.append(config.label)
        finish = getattr(module, "after_seed", None)
        if callable(finish):
            finishers.append(finish)
    for finish in finishers:
        finish(preset=preset, stdout=stdout)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner after the bulk loads (otherwise it plans the new
        # tables as if they were empty until autovacuum gets to them).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return called


# The load ---------------------------------------------------------------------------------

class _Silent:
    def write(self, *args, **kwargs):
        pass


def load(plan: Plan, *, password, stdout=None, verbose=False, extensions=True):
    """Insert `plan` in one transaction; `stdout` goes to the extension hooks and, when
    `verbose`, gets the time of each phase. Returns {"timings", "counts", "extensions"}."""
    stdout = stdout if stdout is not None else _Silent()
    timings = {}
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now
        if verbose:
            stdout.write(f"  {name}: {timings[name]:.1f} s")

    # The seed's audit entries (accounts, extensions) are appended at its end: a short chain lock.
    with transaction.atomic(), audit.deferred():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")   # 256 MiB for the index inserts
        area_base = (Area.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        org_base = (Org.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        member_base = (Member.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        post_base = (Post.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        area_order = assign_tree(plan.city_area, area_base, _next_root(Area))
        org_order = assign_tree(plan.city, org_base, _next_root(Org))

        writer = Writer(Area)
        for node in area_order:
            writer.add(_area_row(node))
        writer.flush()
        lap("areas")

        writer, cache = Writer(Org), {}
        for node in org_order:
            writer.add(_org_row(node, cache))
        writer.flush()
        lap("orgs")

        member_count, post_rows, person_count = _load_members(plan, member_base)
        lap("members")

        writer = Writer(Post)
        for pk, row in enumerate(post_rows, start=post_base):
            row["id"] = pk
            writer.add(row)
        writer.flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Area, Org, Member, Person, Post]):
                cursor.execute(sql)
        lap("posts")

        city = Org.objects.get(pk=plan.city.pk)
        for model, count in ((Area, len(area_order)), (Org, len(org_order)), (Member, member_count),
                             (Person, person_count), (Post, len(post_rows))):
            audit.record(actor=None, action="seed", object_type=model._meta.label_lower, object_repr=plan.preset,
                         org=city, row_count=count, after={"preset": plan.preset})
        create_accounts(plan, password, lambda ordinal: member_base + ordinal)
        lap("accounts")
        called = run_extensions(plan.preset, stdout) if extensions else []
        lap("extensions")
        if connection.vendor == "postgresql":
            # Fresh tables have no statistics until autovacuum comes by; plans made before
            # then can be badly wrong (a nested loop over 465,134 members).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            lap("analyze")
    return {"timings": timings, "extensions": called,
            "counts": {"areas": len(area_order), "orgs": len(org_order), "members": member_count,
                       "persons": person_count, "posts": len(post_rows)}}


def _load_members(plan, member_base):
    rng = random.Random(f"dangjian-seed:{plan.preset}:people")
    today = timezone.localdate()
    people = People(rng, today)
    by_ordinal = {}
    for post in plan.posts:
        if not post.resident:
            by_ordinal.setdefault(post.ordinal, []).append(post)
    for account in plan.accounts:
        if account.ordinal is not None:
            by_ordinal.setdefault(account.ordinal, [])
    joined_of = {}
    # Where members live: their own community or village; members of units somewhere in
    # their district (that is where they register for 双报到).
    homes_by_district = {}
    for area in plan.areas:
        if area.kind in (AreaKind.BUILDING, AreaKind.VILLAGE):
            homes_by_district.setdefault(id(area.district), []).append(area)
    all_homes = [a for homes in homes_by_district.values() for a in homes]
    search_cache = {}
    writer = Writer(Member)
    ordinal = 0
    for holder in plan.holders:
        district = holder.district
        regions = district.id_codes if district is not None else (plan.spec.code[:4] + "02",)
        community_homes = None
        if holder.area is not None and holder.area.kind == AreaKind.GRID:
            community_homes = [b for b in holder.area.children] or [holder.area]
        elif holder.area is not None and holder.area.kind == AreaKind.VILLAGE:
            community_homes = [holder.area]
        homes = homes_by_district.get(id(district)) or all_homes
        unit = holder.unit_root
        employer_name = (unit.unit_name if unit is not None else "") or holder.unit_name
        employer_pk = unit.pk if unit is not None else None
        for _ in range(holder.members):
            force_full = ordinal in by_ordinal
            region = regions[0] if len(regions) == 1 or rng.random() < 0.75 else rng.choice(regions[1:])
            (name, gender, ethnicity, born, number, status, category, education, joined, full_on,
             job) = people.person(holder.profile, region, force_full=force_full)
            home = rng.choice(community_homes) if community_homes else rng.choice(homes)
            address = _address(rng, home)
            residence = home if home.kind in (AreaKind.VILLAGE, AreaKind.COMMUNITY) else home.parent.parent
            if residence.kind not in (AreaKind.VILLAGE, AreaKind.COMMUNITY):
                residence = home
            phone = people.phone()
            if name not in search_cache:
                search_cache[name] = search_key(name)
            employed = category == "employed"
            writer.add({
                "id": member_base + ordinal, "name": name, "gender": gender, "ethnicity": ethnicity,
                "birth_date": born, "education": education,
                "id_number_encrypted": crypto.encrypt(number), "id_number_hash": crypto.blind_index(number),
                "id_number_masked": crypto.mask_id_number(number),
                "phone_encrypted": crypto.encrypt(phone), "phone_masked": crypto.mask_phone(phone),
                "address_encrypted": crypto.encrypt(address), "address_masked": crypto.mask_address(address),
                "joined_on": joined, "full_on": full_on, "status": status, "category": category, "job": job,
                "org_id": holder.pk, "residence_area_id": residence.pk,
                "employer_org_id": employer_pk if employed else None,
                "employer_name": employer_name if employed else "", "left_on": None, "search_text": search_cache[name],
            })
            if force_full:
                joined_of[ordinal] = full_on
            ordinal += 1
    writer.flush()
    assert ordinal == sum(h.members for h in plan.holders)
    assert len(people.seen_ids) == ordinal, "ID numbers must be unique"
    post_rows = []
    residents = People(random.Random(f"dangjian-seed:{plan.preset}:residents"), today)
    person_base = (Person.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    persons = Writer(Person)
    for post in plan.posts:
        holder = {}
        if post.resident:
            born_year = today.year - residents.rng.randint(35, 75)
            phone = residents.phone()
            holder["person_id"] = person_base + persons.count + len(persons.rows)
            persons.add({"id": holder["person_id"], "name": residents.name(residents.rng.random() < 0.5, born_year),
                         "phone_encrypted": crypto.encrypt(phone), "phone_masked": crypto.mask_phone(phone),
                         "org_id": post.org.pk})
            start = post.start_on
        else:
            holder["member_id"] = member_base + post.ordinal
            start = max(post.start_on, joined_of[post.ordinal])
        post_rows.append({**holder, "org_id": post.org.pk, "kind": post.kind,
                          "area_id": post.area.pk if post.area is not None else None,
                          "representing": post.representing, "start_on": min(start, today), "end_on": None})
    persons.flush()
    return ordinal, post_rows, persons.count
