"""Writes on residents' requests: submit, accept (首办责任制), dispatch, the unit's answers,
supervision (escalate, comment, reassign, extend), resolve, the resident's confirmation,
reopening and rating, follow-up visits; dispatch units and categories.

Every function is keyword-only and atomic, checks the actor's scope on every object it is
handed (`access.can` for the request work, `core.services.require` for org-level
changes), writes one audit entry and one RequestEvent, and tells the metrics.
"""

import datetime
import time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, crypto, metrics
from dangjian.core.tree import subtree_q
from dangjian.orgs.models import Area, AreaKind, Org

from . import access
from . import calendar as cal
from . import photos as photo_checks
from .models import (
    OPEN_STATUSES,
    Category,
    Channel,
    DispatchUnit,
    EventKind,
    Request,
    RequestCounter,
    RequestEvent,
    RequestPhoto,
    Status,
    UnitKind,
)

REQUEST_FIELDS = ("number", "status", "channel", "category", "area", "org", "unit", "first_handler", "deadline_at",
                  "escalation_level", "escalated_to", "resolution", "rating", "reopen_count")
MAX_DESCRIPTION = 2000
COMMUNITY_KINDS = (AreaKind.COMMUNITY, AreaKind.VILLAGE)
INTAKE_AREA_KINDS = (AreaKind.COMMUNITY, AreaKind.VILLAGE, AreaKind.GRID)
PLACE_KINDS = (AreaKind.COMMUNITY, AreaKind.VILLAGE, AreaKind.GRID, AreaKind.BUILDING, AreaKind.UNIT)
RATING_WINDOW = datetime.timedelta(days=7)
ESCALATE_EVERY = datetime.timedelta(hours=24)

METRIC_KEYS = ("requests.solved_on_time", "requests.satisfaction")


class Flooded(Exception):
    """Too many submissions from one client address in the current window (answer 429)."""


# Helpers -----------------------------------------------------------------------------

def _now(now=None):
    return now or timezone.now()


def flood_limit():
    return int(getattr(settings, "DANGJIAN_REQUESTS_PER_WINDOW", 5)), int(
        getattr(settings, "DANGJIAN_REQUESTS_WINDOW_SECONDS", 600))


def count_submission(client_address):
    """Count one submission from `client_address`; raise Flooded past the limit."""
    if not client_address:
        return
    limit, window = flood_limit()
    key = f"dangjian-requests:{client_address}:{int(time.time() // window)}"
    cache.add(key, 0, window + 5)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window + 5)
        count = 1
    if count > limit:
        raise Flooded()


def _prefixes(path, steplen=4):
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def resolve_place(area):
    """(community area, grid area, intake org) for a place: the org of the deepest community,
    village or grid area on the place's path that has an open organisation. None for the org
    when the place lies outside every area an organisation serves."""
    chain = list(Area.objects.filter(path__in=_prefixes(area.path)).order_by("path"))
    community = next((a for a in reversed(chain) if a.kind in COMMUNITY_KINDS), None)
    grid = next((a for a in reversed(chain) if a.kind == AreaKind.GRID), None)
    intake = [a for a in chain if a.kind in INTAKE_AREA_KINDS]
    orgs = list(Org.objects.open().filter(area__in=intake).order_by("depth", "path"))
    by_area = {}
    for org in orgs:
        by_area.setdefault(org.area_id, org)
    org = next((by_area[a.pk] for a in reversed(intake) if a.pk in by_area), None)
    return community, grid, org


def _decimal(value, field, low, high, errors):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors[field] = _("请输入数字。")
        return None
    if not (low <= number <= high):
        errors[field] = _("超出有效范围。")
        return None
    return number


def _as(model, value, field, errors, message):
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    try:
        return model.objects.get(pk=int(value))
    except (model.DoesNotExist, ValueError, TypeError):
        errors[field] = message
        return None


def _next_number(year):
    RequestCounter.objects.get_or_create(year=year)
    RequestCounter.objects.filter(year=year).update(last=F("last") + 1)
    last = RequestCounter.objects.values_list("last", flat=True).get(year=year)
    return f"R{year}-{last:06d}"


def _event(request, kind, *, actor=None, at=None, note="", public_note="", unit=None, org=None):
    return RequestEvent.objects.create(request=request, kind=kind, at=at or timezone.now(),
                                       actor=actor if actor is not None and actor.pk else None,
                                       note=note, public_note=public_note[:300], unit=unit, org=org)


def _figures_changed(request):
    for key in METRIC_KEYS:
        metrics.changed(key, request.org)


def _locked(request):
    return Request.objects.select_for_update().select_related("org", "category").get(pk=request.pk)


def _require_handler(actor, request, *, org=None):
    """Staff work on a request: the actor handles requests where the request (or `org`) is."""
    if actor is None:
        return
    if not access.can(actor, org or request.org):
        raise PermissionDenied(_("您无权办理该诉求。"))


def _require_text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# Submitting ----------------------------------------------------------------------------

@transaction.atomic
def request_submit(*, actor=None, channel, category, description, area=None, address="", latitude=None,
                   longitude=None, name="", phone="", photos=(), client_address=None, linked_measure=None,
                   share_location=False, now=None):
    """A resident's request, from the public page (actor None), an API client, or a staff
    member entering it on the resident's behalf (全程代办: `actor` must handle requests
    where the place is). Raises Flooded when `client_address` sent too many, and
    ValidationError naming the fields otherwise."""
    from dangjian.lists.models import Measure

    count_submission(client_address)
    now = _now(now)
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("未知的渠道。")
    if isinstance(category, str) and not category.isdigit():
        category = Category.objects.filter(code=category).first() or category
    category = _as(Category, category, "category", errors, _("未知的诉求类别。"))
    if isinstance(category, str) or (category is not None and not category.active):
        errors["category"] = _("未知的诉求类别。")
        category = None
    elif category is None and "category" not in errors:
        errors["category"] = _("请选择诉求类别。")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("请描述您的诉求。")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("诉求内容不能超过%(n)d字。") % {"n": MAX_DESCRIPTION}
    address = (address or "").strip()[:200]
    name = (name or "").strip()[:60]
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if phone and not (phone.lstrip("+").isdigit() and 7 <= len(phone) <= 15):
        errors["phone"] = _("请输入有效的电话号码。")
    latitude = _decimal(latitude, "latitude", Decimal(-90), Decimal(90), errors)
    longitude = _decimal(longitude, "longitude", Decimal(-180), Decimal(180), errors)
    measure = _as(Measure, linked_measure, "linked_measure", errors, _("该公示事项不存在。"))
    if measure is not None and not Measure.objects.public().filter(pk=measure.pk).exists():
        errors["linked_measure"] = _("该公示事项不存在。")
        measure = None
    area = _as(Area, area, "area", errors, _("所选地点不在任何服务区域内。"))
    if area is None and measure is not None and "area" not in errors:
        area = measure.org.area  # a comment on a disclosed measure: the place is its organisation's area
    org = community = grid = None
    if area is not None:
        if area.kind not in PLACE_KINDS and measure is None:
            errors["area"] = _("请选择社区、网格或楼栋。")
        else:
            community, grid, org = resolve_place(area)
            if org is None and measure is not None:
                org = measure.org
            if org is None:
                errors["area"] = _("所选地点不在任何服务区域内。")
    elif "area" not in errors:
        errors["area"] = _("所选地点不在任何服务区域内。") if (latitude is not None or address) else _("请选择地点。")
    if actor is not None and org is not None and not access.can(actor, org):
        errors["area"] = _("该地点不在您的管辖范围内。")
    try:
        checked = photo_checks.check_photos(photos, share_location=share_location)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        checked = []
    if errors:
        raise ValidationError(errors)
    if actor is not None and channel == Channel.WEB:
        channel = Channel.STAFF
    request = Request(
        number=_next_number(timezone.localtime(now).year), channel=channel, category=category, area=area,
        community=community, grid=grid, address=address, latitude=latitude, longitude=longitude,
        description=description, name_encrypted=crypto.encrypt(name), name_masked=_mask_name(name),
        phone_encrypted=crypto.encrypt(phone), phone_masked=crypto.mask_phone(phone),
        share_location=bool(share_location), linked_measure=measure, org=org,
        created_by=actor if actor is not None and actor.pk else None, submitted_at=now,
        deadline_at=cal.deadline_for(category, now),
    )
    request.save()
    for photo in checked:
        RequestPhoto.objects.create(request=request, file=photo.as_file(), content_type=photo.content_type,
                                    size=photo.size, sha256=photo.sha256)
    _event(request, EventKind.SUBMITTED, actor=actor, at=now, org=org,
           public_note=_("已收到，等待%(org)s受理。") % {"org": org.name})
    audit.record(actor=actor, action="request_submit", obj=request, org=org,
                 after=audit.snapshot(request, REQUEST_FIELDS))
    _figures_changed(request)
    return request


def _mask_name(name):
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def request_add_info(*, request, text, now=None):
    """The resident adds what the unit asked for (through the tracking page)."""
    text = _require_text(text, "text", _("请填写补充内容。"))[:MAX_DESCRIPTION]
    with transaction.atomic():
        request = _locked(request)
        if request.status != Status.NEED_INFO:
            raise ValidationError({"text": _("目前不需要补充信息。")})
        request.description = f"{request.description}\n\n{_('补充：')}{text}"[:MAX_DESCRIPTION * 2]
        request.status = Status.IN_PROGRESS if request.unit_id else Status.ACCEPTED
        request.save(update_fields=["description", "status", "updated_at"])
        _event(request, EventKind.INFO_ADDED, at=_now(now), note=text, public_note=_("您已补充信息。"))
        audit.record(actor=None, action="request_info", obj=request, after={"status": request.status})
    return request


# 一口受理: the intake queue ------------------------------------------------------------

@transaction.atomic
def request_accept(*, actor, request, now=None):
    """Accept a submitted request: the actor becomes its first handler (首办责任制) and stays
    responsible until it closes, whoever it is dispatched to."""
    _require_handler(actor, request)
    request = _locked(request)
    if request.status != Status.SUBMITTED:
        raise ValidationError({"status": _("该诉求已被受理。")})
    now = _now(now)
    request.status, request.first_handler, request.accepted_at = Status.ACCEPTED, actor, now
    request.save(update_fields=["status", "first_handler", "accepted_at", "updated_at"])
    _event(request, EventKind.ACCEPTED, actor=actor, at=now, org=request.org,
           public_note=_("%(org)s已受理，专人负责到底。") % {"org": request.org.name})
    audit.record(actor=actor, action="request_accept", obj=request, after={"status": request.status,
                                                                         "first_handler": getattr(actor, "pk", None)})
    return request


# 分口办结: dispatch and the unit's answers ----------------------------------------------

def unit_allowed(actor, request, unit):
    """A unit may take a request when the actor handles requests where the unit is, or the
    unit serves a level that holds the request's place (a street department for a grid)."""
    if unit is None or not unit.active:
        return False
    if request.org.path.startswith(unit.org.path):
        return True
    return actor is None or access.can(actor, unit.org)


def dispatch_units_for(actor, request):
    """Units the actor may dispatch this request to (its own subtree and the levels above the place)."""
    paths = access.paths(actor, access.HANDLE) if actor is not None else []
    cond = Q(org__path__in=_prefixes(request.org.path))
    if paths:
        cond |= subtree_q("org__path", paths)
    return DispatchUnit.objects.filter(cond, active=True).select_related("org").order_by("org__path", "kind", "name")


def suggested_unit(request):
    """The category's default unit, or the nearest unit of its default kind above the place."""
    category = request.category
    if category.default_unit_id and category.default_unit.active:
        return category.default_unit
    if not category.default_unit_kind:
        return None
    units = list(DispatchUnit.objects.filter(kind=category.default_unit_kind, active=True,
                                             org__path__in=_prefixes(request.org.path)).order_by("-org__path")[:1])
    return units[0] if units else None


DISPATCHABLE = (Status.ACCEPTED, Status.HANDED_BACK, Status.DISPATCHED, Status.IN_PROGRESS, Status.NEED_INFO)


@transaction.atomic
def request_dispatch(*, actor, request, unit, note="", now=None):
    """The handler sends the request to a unit (分口办结). A unit in another subtree is refused."""
    _require_handler(actor, request)
    request = _locked(request)
    unit = _as_unit(unit)
    if not unit_allowed(actor, request, unit):
        raise ValidationError({"unit": _("该承办单位不在您的管辖范围内。")}, code="out_of_scope")
    if request.status not in DISPATCHABLE:
        raise ValidationError({"unit": _("请先受理该诉求。") if request.status == Status.SUBMITTED
                               else _("该诉求已办结，不能派单。")})
    now = _now(now)
    request.unit, request.dispatched_at, request.status = unit, now, Status.DISPATCHED
    request.save(update_fields=["unit", "dispatched_at", "status", "updated_at"])
    _event(request, EventKind.DISPATCHED, actor=actor, at=now, unit=unit, note=note,
           public_note=_("已交%(unit)s办理。") % {"unit": unit.name})
    audit.record(actor=actor, action="request_dispatch", obj=request, after={"unit": unit.pk, "unit_name": unit.name})
    return request


def _as_unit(unit):
    if isinstance(unit, DispatchUnit) or unit is None:
        return unit
    try:
        return DispatchUnit.objects.select_related("org").get(pk=int(unit))
    except (DispatchUnit.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"unit": _("该承办单位不存在。")}) from None


def _require_unit_actor(actor, request):
    if request.unit_id is None:
        raise ValidationError({"status": _("该诉求尚未派单。")})
    if actor is not None and not (access.can(actor, request.unit.org) or access.can(actor, request.org)):
        raise PermissionDenied(_("您无权代表该承办单位办理。"))


@transaction.atomic
def request_unit_accept(*, actor, request, now=None):
    request = _locked(request)
    _require_unit_actor(actor, request)
    if request.status != Status.DISPATCHED:
        raise ValidationError({"status": _("该诉求当前不能接单。")})
    now = _now(now)
    request.status = Status.IN_PROGRESS
    request.save(update_fields=["status", "updated_at"])
    _event(request, EventKind.UNIT_ACCEPTED, actor=actor, at=now, unit=request.unit,
           public_note=_("%(unit)s已接单，正在办理。") % {"unit": request.unit.name})
    audit.record(actor=actor, action="request_unit", obj=request, after={"status": request.status})
    return request


@transaction.atomic
def request_unit_need_info(*, actor, request, question, now=None):
    """The unit asks the resident for more information (shown on the tracking page)."""
    question = _require_text(question, "question", _("请写明需要补充什么。"))[:300]
    request = _locked(request)
    _require_unit_actor(actor, request)
    if request.status not in (Status.DISPATCHED, Status.IN_PROGRESS):
        raise ValidationError({"question": _("该诉求当前不能要求补充信息。")})
    request.status = Status.NEED_INFO
    request.save(update_fields=["status", "updated_at"])
    _event(request, EventKind.NEED_INFO, actor=actor, at=_now(now), unit=request.unit, note=question,
           public_note=question)
    audit.record(actor=actor, action="request_unit", obj=request, after={"status": request.status})
    return request


@transaction.atomic
def request_unit_hand_back(*, actor, request, reason, now=None):
    """The unit hands the request back to its first handler, with a reason."""
    reason = _require_text(reason, "reason", _("请说明退回原因。"))
    request = _locked(request)
    _require_unit_actor(actor, request)
    if request.status not in (Status.DISPATCHED, Status.IN_PROGRESS, Status.NEED_INFO):
        raise ValidationError({"reason": _("该诉求当前不能退回。")})
    unit = request.unit
    request.status, request.unit = Status.HANDED_BACK, None
    request.save(update_fields=["status", "unit", "updated_at"])
    _event(request, EventKind.HANDED_BACK, actor=actor, at=_now(now), unit=unit, note=reason)
    audit.record(actor=actor, action="request_unit", obj=request, after={"status": request.status, "reason": reason})
    return request


RESOLVABLE = (Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.HANDED_BACK, Status.NEED_INFO)


@transaction.atomic
def request_resolve(*, actor, request, resolution, now=None):
    """Close the work with a resolution note (required); the resident confirms or reopens."""
    resolution = _require_text(resolution, "resolution", _("办结须填写办理结果。"))[:MAX_DESCRIPTION]
    request = _locked(request)
    if request.unit_id:
        _require_unit_actor(actor, request)
    else:
        _require_handler(actor, request)
    if request.status not in RESOLVABLE:
        raise ValidationError({"resolution": _("请先受理该诉求。") if request.status == Status.SUBMITTED
                               else _("该诉求已办结。")})
    now = _now(now)
    request.status, request.resolution, request.resolved_at = Status.RESOLVED, resolution, now
    request.save(update_fields=["status", "resolution", "resolved_at", "updated_at"])
    _event(request, EventKind.RESOLVED, actor=actor, at=now, unit=request.unit, note=resolution,
           public_note=resolution[:300])
    audit.record(actor=actor, action="request_resolve", obj=request, after={"status": request.status,
                                                                          "resolution": resolution})
    _figures_changed(request)
    return request


# 一站督导: escalation and supervision ----------------------------------------------------

def escalation_target(request):
    """The org one level above where the request now sits, or None at the district."""
    current = request.escalated_to or request.org
    if current.depth <= 2:  # a district (under the city) is the top of the chain
        return None
    parent_path = current.path[:-Org.steplen]
    return Org.objects.filter(path=parent_path).first()


def due_for_escalation(now=None):
    now = _now(now)
    return (Request.objects.filter(status__in=OPEN_STATUSES, deadline_at__lt=now)
            .filter(Q(escalated_at__isnull=True) | Q(escalated_at__lte=now - ESCALATE_EVERY))
            .select_related("org", "escalated_to"))


def request_escalate_due(*, now=None):
    """Escalate every open request past its deadline one level (grid → community → street →
    district), at most once per ESCALATE_EVERY; close resolved ones the resident left
    unconfirmed for RATING_WINDOW. Returns (escalated, closed)."""
    now = _now(now)
    escalated = 0
    for request in list(due_for_escalation(now)[:5000]):
        if request_escalate(request=request, now=now):
            escalated += 1
    closed = 0
    for request in list(Request.objects.filter(status=Status.RESOLVED, resolved_at__lt=now - RATING_WINDOW)[:5000]):
        with transaction.atomic():
            request = _locked(request)
            if request.status != Status.RESOLVED:
                continue
            request.status, request.closed_at = Status.CLOSED, now
            request.save(update_fields=["status", "closed_at", "updated_at"])
            _event(request, EventKind.CLOSED, at=now, public_note=_("确认期已过，诉求自动关闭。"))
            audit.record(actor=None, action="request_escalate", obj=request, after={"status": request.status})
            _figures_changed(request)
        closed += 1
    return escalated, closed


@transaction.atomic
def request_escalate(*, request, now=None):
    """One level up, if the request is still open and past its deadline. True if it moved."""
    now = _now(now)
    request = _locked(request)
    if request.status not in OPEN_STATUSES or request.deadline_at is None or request.deadline_at >= now:
        return False
    if request.escalated_at and request.escalated_at > now - ESCALATE_EVERY:
        return False
    target = escalation_target(request)
    if target is None:
        return False
    request.escalated_to, request.escalated_at = target, now
    request.escalation_level += 1
    request.save(update_fields=["escalated_to", "escalated_at", "escalation_level", "updated_at"])
    _event(request, EventKind.ESCALATED, at=now, org=target,
           public_note=_("已超过办理时限，%(org)s督办。") % {"org": target.name})
    audit.record(actor=None, action="request_escalate", obj=request,
                 after={"escalated_to": target.pk, "escalation_level": request.escalation_level})
    return True


@transaction.atomic
def request_comment(*, actor, request, note, now=None):
    note = _require_text(note, "note", _("请填写督办意见。"))[:MAX_DESCRIPTION]
    _require_handler(actor, request)
    request = _locked(request)
    _event(request, EventKind.COMMENT, actor=actor, at=_now(now), note=note)
    audit.record(actor=actor, action="request_supervise", obj=request, after={"comment": note})
    return request


@transaction.atomic
def request_reassign(*, actor, request, unit, reason, now=None):
    """A supervisor sends the request to another unit, with a reason."""
    reason = _require_text(reason, "reason", _("请说明改派原因。"))
    _require_handler(actor, request)
    request = _locked(request)
    unit = _as_unit(unit)
    if not unit_allowed(actor, request, unit):
        raise ValidationError({"unit": _("该承办单位不在您的管辖范围内。")}, code="out_of_scope")
    if request.status not in DISPATCHABLE:
        raise ValidationError({"unit": _("该诉求当前不能改派。")})
    now = _now(now)
    before = request.unit_id
    request.unit, request.dispatched_at, request.status = unit, now, Status.DISPATCHED
    request.save(update_fields=["unit", "dispatched_at", "status", "updated_at"])
    _event(request, EventKind.REASSIGNED, actor=actor, at=now, unit=unit, note=reason)
    audit.record(actor=actor, action="request_supervise", obj=request, before={"unit": before},
                 after={"unit": unit.pk, "reason": reason})
    return request


@transaction.atomic
def request_extend(*, actor, request, deadline_at, reason, now=None):
    """A supervisor moves the deadline later, with a reason."""
    reason = _require_text(reason, "reason", _("请说明延期原因。"))
    _require_handler(actor, request)
    request = _locked(request)
    if request.status not in OPEN_STATUSES:
        raise ValidationError({"deadline_at": _("该诉求已办结，无需延期。")})
    if isinstance(deadline_at, datetime.date) and not isinstance(deadline_at, datetime.datetime):
        deadline_at = timezone.make_aware(datetime.datetime.combine(deadline_at, cal.END_OF_DAY))
    if deadline_at is None or (request.deadline_at and deadline_at <= request.deadline_at):
        raise ValidationError({"deadline_at": _("新的时限须晚于原时限。")})
    before = request.deadline_at
    request.deadline_at = deadline_at
    request.save(update_fields=["deadline_at", "updated_at"])
    _event(request, EventKind.EXTENDED, actor=actor, at=_now(now), note=reason,
           public_note=_("办理时限延至%(date)s。") % {"date": timezone.localtime(deadline_at).strftime("%Y-%m-%d")})
    audit.record(actor=actor, action="request_supervise", obj=request, before={"deadline_at": before},
                 after={"deadline_at": deadline_at, "reason": reason})
    return request


@transaction.atomic
def request_visit(*, actor, request, note, now=None):
    """回访: a follow-up visit or call after the work, recorded on the timeline."""
    note = _require_text(note, "note", _("请填写回访情况。"))[:MAX_DESCRIPTION]
    _require_handler(actor, request)
    request = _locked(request)
    _event(request, EventKind.VISITED, actor=actor, at=_now(now), note=note)
    audit.record(actor=actor, action="request_visit", obj=request, after={"note": note})
    return request


# The resident: confirm, reopen, rate (through the tracking page) --------------------------

def _in_window(request, now):
    return request.resolved_at is not None and now <= request.resolved_at + RATING_WINDOW


@transaction.atomic
def request_confirm(*, request, now=None):
    """The resident confirms the work is done: the request closes."""
    now = _now(now)
    request = _locked(request)
    if request.status != Status.RESOLVED:
        raise ValidationError({"status": _("该诉求目前无需确认。")})
    request.status, request.confirmed_at, request.closed_at = Status.CLOSED, now, now
    request.save(update_fields=["status", "confirmed_at", "closed_at", "updated_at"])
    _event(request, EventKind.CONFIRMED, at=now, public_note=_("您已确认办结。"))
    audit.record(actor=None, action="request_resident", obj=request, after={"status": request.status})
    _figures_changed(request)
    return request


@transaction.atomic
def request_reopen(*, request, reason, now=None):
    """The resident says it is not solved: back to work, with a new deadline. The request
    counts as not solved from now on (figures: reopened, never solved)."""
    reason = _require_text(reason, "reason", _("请说明哪里还没有解决。"))[:MAX_DESCRIPTION]
    now = _now(now)
    request = _locked(request)
    if request.status != Status.RESOLVED or not _in_window(request, now):
        raise ValidationError({"reason": _("该诉求目前不能重新办理。")})
    request.status = Status.IN_PROGRESS if request.unit_id else Status.ACCEPTED
    request.reopen_count += 1
    request.resolved_at = None
    request.deadline_at = cal.deadline_for(request.category, now)
    request.save(update_fields=["status", "reopen_count", "resolved_at", "deadline_at", "updated_at"])
    _event(request, EventKind.REOPENED, at=now, note=reason, public_note=_("您要求重新办理。"))
    audit.record(actor=None, action="request_resident", obj=request, after={"status": request.status,
                                                                          "reopen_count": request.reopen_count})
    _figures_changed(request)
    return request


@transaction.atomic
def request_rate(*, request, rating, now=None):
    """The resident rates the result 1-5, once, within RATING_WINDOW of its resolution."""
    now = _now(now)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise ValidationError({"rating": _("请选择1到5分。")}) from None
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("请选择1到5分。")})
    request = _locked(request)
    if request.rating is not None:
        raise ValidationError({"rating": _("您已经评价过了。")})
    if request.status not in (Status.RESOLVED, Status.CLOSED) or not _in_window(request, now):
        raise ValidationError({"rating": _("该诉求目前不能评价。")})
    request.rating, request.rated_at = rating, now
    request.save(update_fields=["rating", "rated_at", "updated_at"])
    _event(request, EventKind.RATED, at=now, public_note=_("您的评分：%(n)d分。") % {"n": rating})
    audit.record(actor=None, action="request_resident", obj=request, after={"rating": rating})
    _figures_changed(request)
    return request


# Dispatch units ------------------------------------------------------------------------

UNIT_FIELDS = ("name", "kind", "org", "contact", "active")


@transaction.atomic
def unit_create(*, actor, org, name, kind, contact=""):
    from dangjian.core.services import require

    require(actor, "change", org, field="org")
    name = _require_text(name, "name", _("请填写名称。"))[:120]
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("未知的单位类型。")})
    unit = DispatchUnit.objects.create(org=org, name=name, kind=kind, contact=(contact or "")[:60])
    audit.record(actor=actor, action="create", obj=unit, org=org, after=audit.snapshot(unit, UNIT_FIELDS))
    return unit
