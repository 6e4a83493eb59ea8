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
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, crypto, metrics
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
