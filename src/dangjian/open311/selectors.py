"""Reads of the Open311 app: the services (request categories), the public view of
requests, and where a posted request's place is.

What GeoReport v2 answers without a key is public, so a request is shown without anything
that could point at the resident (docs/open311.md): no name, phone, detailed address,
grid or building, no staff names or notes, no photos; the place is the community (and the
street, district and city above it); the point is rounded to 3 decimals (about 100 m); a
phone number or ID number typed into the description is masked."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import CharField, F, Value
from django.utils import timezone

from dangjian.core.crypto import mask_id_number, mask_phone
from dangjian.orgs.models import Area, AreaKind
from dangjian.resident_requests.models import DONE_STATUSES, OPEN_STATUSES, Category, Request, Status
from dangjian.resident_requests.selectors import public_status

from .formats import w3c_datetime
from .models import Submission

MAX_REQUESTS = 1000
DEFAULT_SPAN = datetime.timedelta(days=90)
COORDINATE_STEP = Decimal("0.001")
# The place a public answer names is at most this precise: the community, never below it.
_PUBLIC_PLACE_KINDS = (AreaKind.CITY, AreaKind.DISTRICT, AreaKind.STREET, AreaKind.TOWN, AreaKind.COMMUNITY,
                       AreaKind.VILLAGE)
_COMMUNITY_KINDS = (AreaKind.COMMUNITY, AreaKind.VILLAGE)
_PLACE_KINDS = (AreaKind.COMMUNITY, AreaKind.VILLAGE, AreaKind.GRID, AreaKind.BUILDING, AreaKind.UNIT)
STEPLEN = 4
# A mainland mobile number, or an 18-character ID number, typed into a description.
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")


# Services ------------------------------------------------------------------------------

def services():
    """The active categories, in their order, as GeoReport services."""
    return list(Category.objects.filter(active=True).order_by("position", "id"))


def service(code):
    """The active category with this code, or None."""
    if not code or len(code) > 40 or "\x00" in code:  # PostgreSQL text holds no NUL
        return None
    return Category.objects.filter(active=True, code=code).first()


def service_dict(category):
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": False,
        "type": "realtime",
        "keywords": None,
        "group": None,
    }


def service_definition_dict(category):
    """Our categories ask for no extra fields: the definition lists no attributes."""
    return {"service_code": category.code, "attributes": []}


# Requests ------------------------------------------------------------------------------

# The only columns a public answer reads, as plain rows (no model instances: a public list
# is up to 1,000 of them). The resident's encrypted name and phone, the detailed address and
# the tracking code are not even loaded.
PUBLIC_FIELDS = ("number", "status", "category__code", "category__name", "description", "unit__name",
                 "submitted_at", "updated_at", "resolved_at", "closed_at", "deadline_at", "community_id", "area_id",
                 "latitude", "longitude")


def _public_rows():
    return Request.objects.values(*PUBLIC_FIELDS)


class QueryError(ValueError):
    """A filter GeoReport's GET requests cannot take; the message says which."""


def public_requests(*, numbers=None, service_codes=None, start=None, end=None, statuses=None, now=None):
    """The requests a public GET answers: by number (overriding every other filter, as
    the spec says), or by category, status and a submission window of at most 90 days
    (the last 90 days when none is given), newest first, at most MAX_REQUESTS."""
    queryset = _public_rows()
    if numbers:
        numbers = [n for n in numbers if "\x00" not in n]
        if not numbers:
            return []
    service_codes = [c for c in service_codes or () if "\x00" not in c]
    if numbers:
        return list(queryset.filter(number__in=list(numbers)[:MAX_REQUESTS])[:MAX_REQUESTS])
    now = now or timezone.now()
    if start is None and end is None:
        end = now
    if start is None:
        start = end - DEFAULT_SPAN
    elif end is None:
        end = start + DEFAULT_SPAN
    if end < start:
        raise QueryError("end_date")
    if end - start > DEFAULT_SPAN:
        raise QueryError("span")
    queryset = queryset.filter(submitted_at__gte=start, submitted_at__lte=end)
    if service_codes:
        queryset = queryset.filter(category__code__in=list(service_codes))
    if statuses:
        wanted = set(statuses)
        if wanted == {"open"}:
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        elif wanted == {"closed"}:
            queryset = queryset.filter(status__in=DONE_STATUSES)
    # Newest first by the submission time alone, so the index on it is walked backwards and
    # stops after MAX_REQUESTS rows (an id tiebreak would sort the whole window).
    return list(queryset.order_by("-submitted_at")[:MAX_REQUESTS])


def public_request(number):
    if not number or len(number) > 20 or "\x00" in number:
        return None
    return _public_rows().filter(number=number).first()


def number_by_token(token):
    """The public number of the request a client's token stands for, or None."""
    if not token or len(token) > 64 or "\x00" in token:
        return None
    return Submission.objects.filter(token=token).values_list("request__number", flat=True).first()


def _public_area_id(row):
    """The most precise place a public answer may name: the community, else the area
    itself when it lies above any community (a comment on a street's measure)."""
    return row["community_id"] or row["area_id"]


def place_names(requests):
    """{area id: "community, street, district, city"} for the public places of `requests`,
    most specific first as the spec asks; two queries whatever their number."""
    ids = {_public_area_id(r) for r in requests}
    areas = {a.pk: a for a in Area.objects.filter(pk__in=ids, kind__in=_PUBLIC_PLACE_KINDS).only("pk", "path", "name")}
    prefixes = {a.path[:i] for a in areas.values() for i in range(STEPLEN, len(a.path) + 1, STEPLEN)}
    names = dict(Area.objects.filter(path__in=prefixes).values_list("path", "name"))
    result = {}
    for pk, area in areas.items():
        chain = [names.get(area.path[:i], "") for i in range(len(area.path), 0, -STEPLEN)]
        result[pk] = "，".join(name for name in chain if name)
    return result


def _coordinate(value):
    if value is None:
        return None
    return float(Decimal(value).quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP))


def scrub(text):
    """Mask a mobile number or ID number a resident typed into a public text."""
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def _status_notes():
    """{status: the resident's plain-words status}, in the current language."""
    return {status: public_status(Request(status=status)) for status in Status.values}


def request_dict(row, places, notes):
    """One request (a row of `_public_rows`) as GeoReport v2 shows it publicly (see the
    module's docstring)."""
    closed = row["status"] in DONE_STATUSES
    if closed:
        updated = row["closed_at"] or row["resolved_at"] or row["updated_at"]
    else:
        updated = row["updated_at"]
    return {
        "service_request_id": row["number"],
        "status": "closed" if closed else "open",
        "status_notes": notes.get(row["status"]),
        "service_name": row["category__name"],
        "service_code": row["category__code"],
        "description": scrub(row["description"]),
        # The unit it was dispatched to; not the intake organisation, whose name can be a
        # grid's (第1网格党支部), finer than the community a public answer may name.
        "agency_responsible": row["unit__name"],
        "service_notice": None,
        "requested_datetime": w3c_datetime(row["submitted_at"]),
        "updated_datetime": w3c_datetime(updated),
        "expected_datetime": w3c_datetime(row["deadline_at"]),
        "address": places.get(_public_area_id(row)) or None,
        "address_id": None,
        "zipcode": None,
        "lat": _coordinate(row["latitude"]),
        "long": _coordinate(row["longitude"]),
        "media_url": None,
    }


def requests_dicts(rows):
    places, notes = place_names(rows), _status_notes()
    return [request_dict(row, places, notes) for row in rows]


# Where a posted request is ---------------------------------------------------------------

class PlaceError(ValueError):
    """The place of a posted request cannot be told; the message says why (in words)."""


def area_by_id(address_id):
    """The place whose 区划代码 is `address_id` (a community's or village's statistical
    code, or a grid's or building's code where the platform holds one), or None when no
    place, or more than one, has it."""
    address_id = (address_id or "").strip()
    if not address_id or len(address_id) > 32 or "\x00" in address_id:
        return None
    found = list(Area.objects.filter(code=address_id, kind__in=_PLACE_KINDS).order_by("path")[:2])
    return found[0] if len(found) == 1 else None


def area_by_address(address):
    """The deepest place named in a free-text address: the community (or village) whose
    name it holds (told apart by its street or district when two share a name), then a
    grid, building or unit under it whose name follows. None when no community is named
    or the name is shared and nothing in the text tells them apart."""
    address = (address or "").strip().replace("\x00", "")
    if not address:
        return None
    text = address.replace(" ", "")
    communities = [a for a in Area.objects.filter(kind__in=_COMMUNITY_KINDS).only("pk", "path", "name", "kind")
                   .alias(text=Value(text, output_field=CharField())).filter(text__contains=F("name"))]
    if not communities:
        return None
    longest = max(len(a.name) for a in communities)
    communities = [a for a in communities if len(a.name) == longest]
    if len(communities) > 1:
        prefixes = {a.path[:i] for a in communities for i in range(STEPLEN, len(a.path), STEPLEN)}
        named = {path for path, name in Area.objects.filter(path__in=prefixes).values_list("path", "name")
                 if name and name in text}
        communities = [a for a in communities
                       if any(a.path[:i] in named for i in range(STEPLEN, len(a.path), STEPLEN))] or communities
        if len(communities) > 1:
            return None
    place = communities[0]
    rest = text.split(place.name, 1)[1]
    while rest:
        children = [c for c in Area.objects.filter(path__startswith=place.path, depth=place.depth + 1)
                    .only("pk", "path", "name", "depth", "kind") if c.name and c.name in rest]
        if not children:
            break
        child = max(children, key=lambda c: (len(c.name), -rest.index(c.name)))
        place, rest = child, rest.split(child.name, 1)[1]
    return place

