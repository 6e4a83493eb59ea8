"""GeoReport v2 at /open311/v2/: plain Django views answering JSON or XML as the URL's
extension says, errors as the spec's list of {code, description}.

Reading is public and needs no key (what it shows is in selectors.py and docs/open311.md);
posting a request needs a client key (`dangjian open311-key create`), given as the form
field or query parameter `api_key`, and is limited per key and per client address. A post
carries no session or cookie, so it is exempt from CSRF; the key is the credential."""

import datetime
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from dangjian.core.middleware import client_ip
from dangjian.resident_requests.services import Flooded

from . import selectors, services
from .formats import error, respond

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API last changed (discovery's changeset): clients re-read the endpoints after it.
CHANGESET = "2026-12-01T00:00:00+08:00"
MAX_LIST = 100
# A POST field named by request_submit's errors, in GeoReport's words.
_PARAMS = {"category": "service_code", "description": "description", "latitude": "lat", "longitude": "long",
           "phone": "phone", "area": "address_string"}
_CJK = re.compile(r"[\u3400-\u9fff]")
_UNESCAPED_OFFSET = re.compile(r"^(.+T[\d:.]+) (\d\d:?\d\d)$")


def _posts_per_minute():
    return int(getattr(settings, "DANGJIAN_OPEN311_POSTS_PER_MINUTE", 30))


def _posts_per_minute_per_address():
    return int(getattr(settings, "DANGJIAN_OPEN311_POSTS_PER_MINUTE_PER_ADDRESS", 60))


def _lists_per_minute_per_address():
    return int(getattr(settings, "DANGJIAN_OPEN311_LISTS_PER_MINUTE_PER_ADDRESS", 120))


def _over_limit(scope, ident, limit, window=60):
    """Count one post for (scope, ident); True once more than `limit` came in this window."""
    key = f"dangjian-open311:{scope}:{ident}:{int(time.time() // window)}"
    cache.add(key, 0, window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 5)
        count = 1
    return count > limit


def _public(response):
    """Public reads may be fetched from any web page (a map of the city's requests)."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _only(request, fmt, *methods):
    if request.method in methods or (request.method == "HEAD" and "GET" in methods):
        return None
    response = error(fmt, 405, _("不支持%(method)s方法。") % {"method": request.method})
    response["Allow"] = ", ".join(methods)
    return response


def _list(params, name):
    """A filter given comma-delimited, declared several times, or both (the spec allows each)."""
    return [part.strip() for value in params.getlist(name) for part in value.split(",") if part.strip()][:MAX_LIST]


def _when(value, name):
    """A start_date / end_date: a W3C datetime (2010-01-01T00:00:00Z) or a date."""
    value = (value or "").strip()
    if not value:
        return None
    # A "+08:00" written unescaped in a query string arrives as " 08:00".
    value = _UNESCAPED_OFFSET.sub(r"\1+\2", value)
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(_("%(name)s不是有效的时间，应如2026-01-01T00:00:00+08:00。") % {"name": name})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# Discovery and services ------------------------------------------------------------------

def discovery(request, fmt):
    refused = _only(request, fmt, "GET")
    if refused:
        return refused
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0] + "/"
    data = {
        "changeset": CHANGESET,
        "contact": str(getattr(settings, "DANGJIAN_OPEN311_CONTACT", "") or _("请联系本平台的系统管理员。")),
        "key_service": str(getattr(settings, "DANGJIAN_OPEN311_KEY_SERVICE", "")
                           or _("提交诉求所需的api_key由平台系统管理员发放。")),
        "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": CHANGESET, "type": "production",
                       "formats": ["application/json", "text/xml"]}],
    }
    return _public(respond(fmt, data, root="discovery", item=None))


def service_list(request, fmt):
    refused = _only(request, fmt, "GET")
    if refused:
        return refused
    data = [selectors.service_dict(category) for category in selectors.services()]
    return _public(respond(fmt, data, root="services", item="service"))


def service_definition(request, code, fmt):
    refused = _only(request, fmt, "GET")
    if refused:
        return refused
    category = selectors.service(code)
    if category is None:
        return _public(error(fmt, 404, _("没有代码为%(code)s的服务。") % {"code": code[:40]}))
    return _public(respond(fmt, selectors.service_definition_dict(category), root="service_definition", item=None))


# Requests ------------------------------------------------------------------------------------

@csrf_exempt
def requests_view(request, fmt):
    if request.method == "POST":
        return _post(request, fmt)
    refused = _only(request, fmt, "GET", "POST")
    if refused:
        return refused
    if _over_limit("list", client_ip(request), _lists_per_minute_per_address()):
        return _public(_too_many(fmt))  # a list is up to 1,000 requests: the costly read
    params = request.GET
    problems = []
    statuses = [status.lower() for status in _list(params, "status")]
    if any(status not in ("open", "closed") for status in statuses):
        problems.append(_("status只能是open或closed。"))
    try:
        start = _when(params.get("start_date"), "start_date")
        end = _when(params.get("end_date"), "end_date")
    except ValueError as exc:
        problems.append(str(exc))
        start = end = None
    if problems:
        return _public(error(fmt, 400, *problems))
    try:
        found = selectors.public_requests(numbers=_list(params, "service_request_id"),
                                          service_codes=_list(params, "service_code"),
                                          start=start, end=end, statuses=statuses)
    except selectors.QueryError as exc:
        text = (_("end_date早于start_date。") if str(exc) == "end_date"
                else _("start_date与end_date相隔不能超过90天。"))
        return _public(error(fmt, 400, text))
    return _public(respond(fmt, selectors.requests_dicts(found), root="service_requests", item="request"))


def request_detail(request, number, fmt):
    refused = _only(request, fmt, "GET")
    if refused:
        return refused
    found = selectors.public_request(number)
    if found is None:
        return _public(error(fmt, 404, _("没有编号为%(number)s的诉求。") % {"number": number[:20]}))
    return _public(respond(fmt, selectors.requests_dicts([found]), root="service_requests", item="request"))


def token_detail(request, token, fmt):
    refused = _only(request, fmt, "GET")
    if refused:
        return refused
    number = selectors.number_by_token(token)
    if number is None:
        return _public(error(fmt, 404, _("没有这个token。")))
    data = [{"service_request_id": number, "token": token}]
    return _public(respond(fmt, data, root="service_requests", item="request"))


def _name(first, last):
    first, last = first.strip(), last.strip()
    if _CJK.search(first + last):
        return f"{last}{first}"  # 姓 (the family name, GeoReport's last_name) comes first
    return " ".join(part for part in (first, last) if part)


def _coordinate(value, name, low, high, problems):
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not (low <= number <= high):
        problems.append(_("%(name)s应为%(low)s至%(high)s之间的数。") % {"name": name, "low": low, "high": high})
        return None
    return value


def _post(request, fmt):
    """POST requests: a new request from a client holding a key."""
    if _over_limit("address", client_ip(request), _posts_per_minute_per_address()):
        return _too_many(fmt)
    # PostgreSQL text cannot hold NUL: a client's stray NUL bytes are dropped, not a 500.
    data = request.POST.copy()
    for name, values in list(data.lists()):
        data.setlist(name, [value.replace("\x00", "") for value in values])
    key = data.get("api_key") or (request.GET.get("api_key") or "").replace("\x00", "")
    if not key:
        return error(fmt, 403, _("提交诉求需要api_key。"))
    client = services.client_lookup(key)
    if client is None:
        return error(fmt, 403, _("api_key无效或已撤销。"))
    if _over_limit("key", client.pk, _posts_per_minute()):
        return _too_many(fmt)
    problems = []
    code = (data.get("service_code") or "").strip()
    category = selectors.service(code) if code else None
    if not code:
        problems.append(_("缺少service_code。"))
    elif category is None:
        problems.append(_("没有代码为%(code)s的服务。") % {"code": code[:40]})
    latitude = longitude = None
    if bool((data.get("lat") or "").strip()) != bool((data.get("long") or "").strip()):
        problems.append(_("lat与long须同时提供。"))
    else:
        latitude = _coordinate(data.get("lat"), "lat", -90, 90, problems)
        longitude = _coordinate(data.get("long"), "long", -180, 180, problems)
    address = (data.get("address_string") or "").strip()
    address_id = (data.get("address_id") or "").strip()
    area = None
    if not (address or address_id or latitude is not None):
        problems.append(_("须提供地点：lat与long、address_string或address_id。"))
    elif address_id:
        area = selectors.area_by_id(address_id)
        if area is None:
            problems.append(_("address_id应为本平台某社区（村）的区划代码。"))
    elif address:
        area = selectors.area_by_address(address)
        if area is None:
            problems.append(_("无法从address_string确定所在社区：请写明社区（村）名称，或提供address_id（区划代码）。"))
    else:
        problems.append(_("仅凭经纬度无法确定所在社区：请同时提供address_string（含社区名称）或address_id（区划代码）。"))
    description = (data.get("description") or "").strip()
    if not description:
        problems.append(_("缺少description：请描述诉求。"))
    if problems:
        return error(fmt, 400, *problems)
    try:
        created, submission = services.request_post(
            client=client, category=category, description=description, area=area, address=address,
            latitude=latitude, longitude=longitude,
            name=_name(data.get("first_name") or "", data.get("last_name") or ""), phone=data.get("phone") or "")
    except Flooded:
        return _too_many(fmt)
    except ValidationError as exc:
        messages = [f"{_PARAMS.get(field, field)}: {message}" for field, texts in exc.message_dict.items()
                    for message in texts]
        return error(fmt, 400, *messages)
    services.client_touch(client)
    notice = _("已收到，由%(org)s受理，编号%(number)s。") % {"org": created.org.name, "number": created.number}
    if created.deadline_at:
        notice += _("预计%(date)s前办结。") % {"date": f"{timezone.localtime(created.deadline_at):%Y-%m-%d %H:%M}"}
    # No account_id: the platform keeps no accounts for residents posting through a client.
    data = [{"service_request_id": created.number, "token": submission.token, "service_notice": notice}]
    return respond(fmt, data, root="service_requests", item="request")


def _too_many(fmt):
    response = error(fmt, 429, _("提交过于频繁，请稍后再试。"))
    response["Retry-After"] = "60"
    return response

