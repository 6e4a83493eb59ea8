"""Writes on areas, organisations, members and posts. Every function is keyword-only,
atomic, checks the actor's scope, and writes one audit entry."""

import datetime
import logging
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, crypto, metrics
from dangjian.core.concurrency import check_version
from dangjian.core.services import require
from dangjian.core.text import search_key

from .idnumber import birth_date_of, gender_of, validate_id_number
from .models import Area, Member, MemberStatus, Org, OrgKind, Person, Post

logger = logging.getLogger(__name__)

ORG_FIELDS = ("name", "short_name", "kind", "sector", "hanyang_level", "is_regional", "area_id", "code",
              "unit_name", "founded_on", "phone", "closed_at")
MEMBER_FIELDS = ("name", "gender", "ethnicity", "birth_date", "education", "id_number_masked", "phone_masked",
                 "joined_on", "full_on", "status", "category", "job", "org_id", "residence_area_id",
                 "employer_org_id", "employer_name", "left_on")


def _check_choice(errors, field, value, choices):
    """`choices`: a choices enum (its codes are cached; bulk imports check every row) or a list of pairs."""
    if isinstance(choices, type):
        if choices not in _CHOICE_CODES:
            _CHOICE_CODES[choices] = frozenset(choices.values)
        valid = _CHOICE_CODES[choices]
    else:
        valid = dict(choices)
    if value not in valid:
        errors[field] = _("“%(value)s”不是有效的选项。") % {"value": value}


_CHOICE_CODES = {}


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _require_area(actor, area, *, field="area"):
    """Refuse an area outside the areas the actor's `change` grants cover (see Area.visible_to)."""
    if actor is None or area is None:
        return
    if not Area.objects.visible_to(actor, "change").filter(pk=area.pk).exists():
        raise ValidationError({field: _("该区域不在您的管辖范围内。")}, code="out_of_scope")


def _require_member(actor, member, *, field="member"):
    """The member as stored now; refused if the actor may not see it or it has left (转出/出党)."""
    members = Member.objects.all() if actor is None else Member.objects.visible_to(actor, "view_members")
    member = members.filter(pk=member.pk).first()
    if member is None:
        raise ValidationError({field: _("该党员不在您的管辖范围内。")}, code="out_of_scope")
    if member.left_on:
        raise ValidationError({field: _("该党员已转出或出党。")}, code="left")
    return member


# Areas -------------------------------------------------------------------------------

@transaction.atomic
def area_create(*, actor, parent, name, kind, code=""):
    """Add an area under `parent` (None makes a root, which only system jobs may do)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("名称不能为空。")})
    from .models import AreaKind

    errors = {}
    _check_choice(errors, "kind", kind, AreaKind.choices)
    if errors:
        raise ValidationError(errors)
    if parent is None:
        if actor is not None:
            raise ValidationError({"parent": _("只有系统初始化可以创建顶级区域。")})
        area = Area.objects.add_root(dict(name=name, kind=kind, code=code, search_text=search_key(name)[:200]))
    else:
        _require_area(actor, parent, field="parent")
        parent = _locked(Area, parent.pk)
        area = Area.objects.add_child(parent, dict(name=name, kind=kind, code=code, search_text=search_key(name)[:200]))
    audit.record(actor=actor, action="create", obj=area, after={"name": name, "kind": kind, "code": code})
    return area


# Organisations -----------------------------------------------------------------------

def _validate_org_fields(*, name, kind, sector, area):
    from .models import OrgKind, Sector

    errors = {}
    if not (name or "").strip():
        errors["name"] = _("名称不能为空。")
    _check_choice(errors, "kind", kind, OrgKind.choices)
    _check_choice(errors, "sector", sector, Sector.choices)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def org_create(*, actor, parent, name, kind, sector, area=None, short_name="", code="", unit_name="",
               is_regional=False, hanyang_level="", founded_on=None, phone=""):
    """Create an organisation under `parent`, which must lie in the actor's scope."""
    _validate_org_fields(name=name, kind=kind, sector=sector, area=area)
    _require_area(actor, area)
    fields = dict(name=name.strip(), kind=kind, sector=sector, area=area, short_name=short_name, code=code,
                  unit_name=unit_name, is_regional=is_regional, hanyang_level=hanyang_level,
                  founded_on=founded_on, phone=phone, search_text=search_key(name, short_name)[:400])
    if parent is None:
        if actor is not None:
            raise ValidationError({"parent": _("只有系统初始化可以创建顶级组织。")})
        org = Org.objects.add_root(fields)
    else:
        require(actor, "change", parent, field="parent")
        parent = _locked(Org, parent.pk)
        if parent.closed_at:
            raise ValidationError({"parent": _("上级组织已撤销。")})
        org = Org.objects.add_child(parent, fields)
    audit.record(actor=actor, action="create", obj=org, after=audit.snapshot(org, ORG_FIELDS))
    if parent is not None and kind == OrgKind.BRANCH:
        metrics.changed("orgs.grid_coverage", parent)
    return org


@transaction.atomic
def org_update(*, actor, org, expected_version=None, **changes):
    """Change an organisation's own fields (not its place in the tree: see org_move)."""
    org = _locked(Org, org.pk)
    require(actor, "change", org)
    check_version(org, expected_version)
    if org.closed_at:
        raise ValidationError({"closed_at": _("该组织已撤销。")})
    allowed = set(ORG_FIELDS) - {"closed_at"} | {"area"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: _("该字段不能在此修改。") for field in unknown})
    if "area_id" in changes:
        changes["area"] = Area.objects.filter(pk=changes.pop("area_id")).first() if changes["area_id"] else None
    if "area" in changes and changes["area"] is not None and changes["area"].pk != org.area_id:
        _require_area(actor, changes["area"])
    before = audit.snapshot(org, ORG_FIELDS)
    for field, value in changes.items():
        setattr(org, field, value.strip() if isinstance(value, str) and field == "name" else value)
    _validate_org_fields(name=org.name, kind=org.kind, sector=org.sector, area=org.area)
    after = audit.snapshot(org, ORG_FIELDS)
    if not audit.changes(before, after):
        return org
    org.search_text = search_key(org.name, org.short_name)[:400]
    org.save()
    audit.record(actor=actor, action="update", obj=org, before=before, after=after)
    return org


def org_rename(*, actor, org, name, short_name=None):
    changes = {"name": name}
    if short_name is not None:
        changes["short_name"] = short_name
    return org_update(actor=actor, org=org, **changes)


@transaction.atomic
def org_move(*, actor, org, new_parent):
    """Move `org` and its subtree under `new_parent`. Refuses a move into its own subtree."""
    org = _locked(Org, org.pk)
    new_parent = _locked(Org, new_parent.pk)
    require(actor, "change", org)
    require(actor, "change", new_parent, field="new_parent")
    if new_parent.path.startswith(org.path):
        raise ValidationError({"new_parent": _("不能把组织移动到它自己或它的下级组织之下。")}, code="cycle")
    if new_parent.closed_at:
        raise ValidationError({"new_parent": _("上级组织已撤销。")})
    old_parent = Org.objects.get_parent(org)
    if old_parent and old_parent.pk == new_parent.pk:
        return org
    before = {"parent": old_parent.pk if old_parent else None, "path": org.path}
    Org.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    audit.record(actor=actor, action="move", obj=org, before=before, after={"parent": new_parent.pk, "path": org.path})
    for parent in filter(None, (old_parent, new_parent)):
        metrics.changed("orgs.grid_coverage", parent)
        metrics.changed("orgs.members_developed", parent)
    return org


@transaction.atomic
def org_close(*, actor, org, on=None):
    """Close (撤销) an organisation that no longer has open children or active members."""
    org = _locked(Org, org.pk)
    require(actor, "change", org)
    if org.closed_at:
        raise ValidationError({"closed_at": _("该组织已撤销。")})
    if Org.objects.within(org).exclude(pk=org.pk).open().exists():
        raise ValidationError({"closed_at": _("该组织仍有未撤销的下级组织，请先撤销或移走。")})
    if org.members.active().exists():
        raise ValidationError({"closed_at": _("该组织仍有党员，请先转出。")})
    org.closed_at = on or timezone.localdate()
    org.save(update_fields=["closed_at"])
    audit.record(actor=actor, action="close", obj=org, after={"closed_at": org.closed_at})
    metrics.changed("orgs.grid_coverage", org)
    return org


# Members -----------------------------------------------------------------------------

def id_number_clashes(*, actor, hashes, exclude_pk=None):
    """Which keyed hashes of ID numbers are registered already, split by what `actor` may
    know: (visible, hidden). A clash with a member outside the actor's member scope is
    hidden: validation and dry runs answer as if the number were free, and only the write
    itself is refused, with a neutral message (docs/api.md, "ID numbers outside your scope")."""
    hashes = list(hashes)
    if connection.vendor == "postgresql" and len(hashes) > 50:
        # An import asks 2,000 at a time: one array parameter instead of 2,000 placeholders
        # is parsed and planned several times faster (bench/member_import.py).
        taken = Member.objects.filter(id_number_hash__in=RawSQL("SELECT unnest(%s::varchar[])", [hashes]))
    else:
        taken = Member.objects.filter(id_number_hash__in=hashes)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    taken = set(taken.values_list("id_number_hash", flat=True))
    if actor is None or not taken:
        return taken, set()
    visible = set(Member.objects.visible_to(actor, "view_members").filter(id_number_hash__in=taken)
                  .values_list("id_number_hash", flat=True))
    return visible, taken - visible


def refuse_hidden_clashes(*, actor, hashes, exclude_pk=None):
    """At the write: refuse, neutrally, an ID number registered outside the actor's scope.
    The organisation department, whose scope holds both records, resolves it."""
    _visible, hidden = id_number_clashes(actor=actor, hashes=hashes, exclude_pk=exclude_pk)
    if hidden:
        logger.warning("ID number registered outside the scope of user %s; write refused", actor.pk)
        raise ValidationError({"id_number": _("无法登记该身份证号，请联系上级组织部门核实。")}, code="unresolved")


def _member_errors(*, name, id_number, joined_on, full_on, status, category, org, gender, education,
                   phone, actor=None, exclude_pk=None, check_duplicate=True, today=None):
    from .models import Education, Gender, MemberCategory

    errors = {}
    if not (name or "").strip():
        errors["name"] = _("姓名不能为空。")
    normalised = None
    try:
        normalised = validate_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
    if normalised and check_duplicate:
        visible, _hidden = id_number_clashes(actor=actor, hashes=[crypto.blind_index(normalised)],
                                             exclude_pk=exclude_pk)
        if visible:
            errors["id_number"] = _("该身份证号已登记。")
    _check_choice(errors, "status", status, MemberStatus)
    _check_choice(errors, "category", category, MemberCategory)
    if gender:
        _check_choice(errors, "gender", gender, Gender)
    if education:
        _check_choice(errors, "education", education, Education)
    if not isinstance(joined_on, datetime.date):
        errors["joined_on"] = _("请填写入党日期。")
    elif joined_on > (today or timezone.localdate()):
        errors["joined_on"] = _("入党日期不能晚于今天。")
    elif normalised and joined_on < birth_date_of(normalised) + datetime.timedelta(days=18 * 365):
        errors["joined_on"] = _("入党时应年满十八周岁。")
    if full_on and isinstance(joined_on, datetime.date) and full_on < joined_on:
        errors["full_on"] = _("转正日期不能早于入党日期。")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
        errors["phone"] = _("手机号应为7至15位数字。")
    if org is None:
        errors["org"] = _("请选择所在党组织。")
    elif org.closed_at:
        errors["org"] = _("该党组织已撤销。")
    if errors:
        raise ValidationError(errors)
    return normalised


def member_prepare(**fields):
    """Validate and build an unsaved Member (used by member_create and member_update)."""
    return Member(**member_fields(**fields))


def member_fields(*, name, id_number, joined_on, status, category, org, full_on=None, gender="",
                  ethnicity="汉族", education="", phone="", address="", job="", residence_area=None,
                  employer_org=None, employer_name="", actor=None, exclude_pk=None, check_duplicate=True,
                  today=None):
    """Validate a member's fields and return them as the model's field values, the ID
    number, phone and address encrypted. An ID number already registered is an error only
    where `actor` may see that member. Bulk imports pass `check_duplicate=False` and look
    ID numbers up by batch instead, and `today` once for the whole file."""
    phone = (phone or "").strip()
    number = _member_errors(name=name, id_number=id_number, joined_on=joined_on, full_on=full_on, status=status,
                            category=category, org=org, gender=gender, education=education, phone=phone,
                            actor=actor, exclude_pk=exclude_pk, check_duplicate=check_duplicate, today=today)
    return dict(
        name=name.strip(), gender=gender or gender_of(number), ethnicity=ethnicity or "汉族",
        birth_date=birth_date_of(number), education=education,
        id_number_encrypted=crypto.encrypt(number), id_number_hash=crypto.blind_index(number),
        id_number_masked=crypto.mask_id_number(number),
        phone_encrypted=crypto.encrypt(phone), phone_masked=crypto.mask_phone(phone),
        address_encrypted=crypto.encrypt(address), address_masked=crypto.mask_address(address),
        joined_on=joined_on, full_on=full_on, status=status, category=category, job=job, org=org,
        residence_area=residence_area, employer_org=employer_org, employer_name=employer_name,
        search_text=search_key(name)[:200],
    )


@transaction.atomic
def member_create(*, actor, org, **fields):
    """Register a member in `org`. The ID number is validated, de-duplicated and encrypted."""
    if org is not None:
        require(actor, "change", org, field="org")
    member = member_prepare(org=org, actor=actor, **fields)
    refuse_hidden_clashes(actor=actor, hashes=[member.id_number_hash])
    member.save()
    audit.record(actor=actor, action="create", obj=member, after=audit.snapshot(member, MEMBER_FIELDS))
    metrics.changed("orgs.members_developed", member.org)
    return member


@contextmanager
def member_writer(*, actor, expected_rows=0, stream=True):
    """Members given as `member_fields` results, written as they come (one COPY on
    PostgreSQL for the whole import): `with member_writer(actor=...) as writer:
    writer.write(rows)`; `writer.abandon()` ends it early before a rollback.
    The caller holds the transaction, has checked scope, and writes one audit entry.

    ID numbers are not looked up here: the unique index refuses one already registered,
    as an IntegrityError naming `MEMBER_ID_NUMBER_UNIQUE`, and the caller then finds the
    rows with `id_number_clashes` to say which, without disclosing numbers registered
    outside the actor's scope. A clean import (the usual case) pays no look-up at all.

    A load of at least DANGJIAN_IMPORT_BULK_LOAD_ROWS rows that at least doubles the
    member table (a city's registry brought in once) is written in bulk-load mode
    (core.spreadsheets.bulk.RowWriter): faster, but members cannot be read until it ends.
    `stream=False` for a caller whose checks query the database between writes."""
    from django.conf import settings

    from dangjian.core.spreadsheets.bulk import RowWriter

    threshold = getattr(settings, "DANGJIAN_IMPORT_BULK_LOAD_ROWS", 100_000)
    bulk_load = expected_rows >= threshold and expected_rows >= Member.objects.count()
    with RowWriter(Member, bulk_load=bulk_load, stream=stream) as writer:
        yield writer


MEMBER_ID_NUMBER_UNIQUE = "member_id_number_hash_unique"


def is_id_number_clash(error):
    """Whether an IntegrityError is the unique index on members' ID numbers."""
    cause = error.__cause__
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)
    if name is not None:  # PostgreSQL names the constraint
        return name == MEMBER_ID_NUMBER_UNIQUE
    return "id_number_hash" in str(error)  # SQLite: "UNIQUE constraint failed: orgs_member.id_number_hash"


@transaction.atomic
def member_update(*, actor, member, expected_version=None, **changes):
    """Change a member's record; `id_number`, `phone`, `address` are re-encrypted."""
    member = _locked(Member, member.pk)
    require(actor, "change", member.org)
    check_version(member, expected_version)
    new_org = changes.get("org", member.org)
    if new_org is not None and new_org.pk != member.org_id:
        require(actor, "change", new_org, field="org")
    before = audit.snapshot(member, MEMBER_FIELDS)
    current = dict(
        name=member.name, id_number=member.id_number, joined_on=member.joined_on, status=member.status,
        category=member.category, org=member.org, full_on=member.full_on, gender=member.gender,
        ethnicity=member.ethnicity, education=member.education, phone=member.phone, address=member.address,
        job=member.job, residence_area=member.residence_area, employer_org=member.employer_org,
        employer_name=member.employer_name,
    )
    unknown = set(changes) - set(current)
    if unknown:
        raise ValidationError({field: _("该字段不能在此修改。") for field in unknown})
    current.update(changes)
    rebuilt = member_prepare(actor=actor, exclude_pk=member.pk, **current)
    if rebuilt.id_number_hash != member.id_number_hash:
        refuse_hidden_clashes(actor=actor, hashes=[rebuilt.id_number_hash], exclude_pk=member.pk)
    rebuilt.pk = member.pk
    rebuilt.created_at = member.created_at
    rebuilt.version = member.version
    rebuilt._state.adding = False  # an update of the same row: its version goes up
    rebuilt.left_on = member.left_on
    after = audit.snapshot(rebuilt, MEMBER_FIELDS)
    # The snapshot holds masked personal data; compare the full values too.
    if not audit.changes(before, after) and all(
            getattr(rebuilt, name) == getattr(member, name) for name in ("id_number", "phone", "address")):
        return member
    rebuilt.save()
    audit.record(actor=actor, action="update", obj=rebuilt, before=before, after=after)
    if before.get("joined_on") != after.get("joined_on") or rebuilt.org_id != member.org_id:
        for org in {member.org, rebuilt.org}:
            metrics.changed("orgs.members_developed", org)
    return rebuilt


@transaction.atomic
def member_transfer_out(*, actor, member, on=None):
    member = _locked(Member, member.pk)
    require(actor, "change", member.org)
    if member.left_on:
        raise ValidationError({"left_on": _("该党员已转出或出党。")})
    member.left_on = on or timezone.localdate()
    member.save(update_fields=["left_on", "updated_at"])
    audit.record(actor=actor, action="update", obj=member, after={"left_on": member.left_on})
    return member


def member_find_by_id_number(*, actor, id_number):
    """Look a member up by full ID number through the keyed hash, inside the actor's scope."""
    digest = crypto.blind_index(validate_id_number(id_number))
    return Member.objects.visible_to(actor).filter(id_number_hash=digest).first()


@transaction.atomic
def member_reveal(*, actor, member):
    """Return the full ID number, phone and address; needs `view_full_id`; audited."""
    require(actor, "view_full_id", member.org)
    audit.record(actor=actor, action="view_pii", obj=member)
    return {"id_number": member.id_number, "phone": member.phone, "address": member.address}


# Posts -------------------------------------------------------------------------------

@transaction.atomic
@transaction.atomic
def person_create(*, actor, org, name, phone=""):
    """Record a resident who is not in the member registry, so that they can hold a post
    (楼栋长); kept by `org`, phone encrypted and masked like a member's."""
    require(actor, "change", org, field="org")
    name, phone = (name or "").strip(), (phone or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写姓名。")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 20):
        errors["phone"] = _("联系电话只能是 7 至 20 位数字。")
    if errors:
        raise ValidationError(errors)
    person = Person.objects.create(name=name[:60], org=org, phone_encrypted=crypto.encrypt(phone),
                                   phone_masked=crypto.mask_phone(phone))
    audit.record(actor=actor, action="create", obj=person, after={"name": person.name, "org": org.pk,
                                                                  "phone": person.phone_masked})
    return person


def _require_person(actor, person, *, field="person"):
    persons = Person.objects.all() if actor is None else Person.objects.visible_to(actor, "view_members")
    person = persons.filter(pk=person.pk).first()
    if person is None:
        raise ValidationError({field: _("该人员不在您的管辖范围内。")}, code="out_of_scope")
    return person


@transaction.atomic
def post_assign_resident(*, actor, org, person_name, person_phone="", **post_fields):
    """Record a non-member resident and give them the post, in one transaction (the form's path)."""
    person = person_create(actor=actor, org=org, name=person_name, phone=person_phone)
    return post_assign(actor=actor, org=org, person=person, **post_fields)


@transaction.atomic
def post_assign(*, actor, org, kind, start_on, member=None, person=None, area=None, representing=""):
    """Give a post at `org` to a member, or to a non-member `person` (exactly one of the two)."""
    from .models import PostKind

    require(actor, "change", org, field="org")
    org = _locked(Org, org.pk)
    if org.closed_at:
        raise ValidationError({"org": _("该党组织已撤销。")})
    if (member is None) == (person is None):
        raise ValidationError({"member": _("请选择任职的党员，或登记一名非党员任职人。")})
    if member is not None:
        member = _require_member(actor, member)
    else:
        person = _require_person(actor, person)
    _require_area(actor, area)
    errors = {}
    _check_choice(errors, "kind", kind, PostKind.choices)
    if not isinstance(start_on, datetime.date):
        errors["start_on"] = _("请填写任职日期。")
    if errors:
        raise ValidationError(errors)
    post = Post.objects.create(member=member, person=person, org=org, kind=kind, start_on=start_on, area=area,
                               representing=representing)
    holder = {"member": member.pk} if member is not None else {"person": person.pk}
    audit.record(actor=actor, action="create", obj=post,
                 after={**holder, "org": org.pk, "kind": kind, "start_on": start_on})
    return post


@transaction.atomic
def post_end(*, actor, post, end_on):
    post = _locked(Post, post.pk)
    require(actor, "change", post.org)
    if post.end_on:
        raise ValidationError({"end_on": _("该职务已离任。")})
    if end_on < post.start_on:
        raise ValidationError({"end_on": _("离任日期不能早于任职日期。")})
    post.end_on = end_on
    post.save(update_fields=["end_on"])
    audit.record(actor=actor, action="update", obj=post, after={"end_on": end_on})
    return post
