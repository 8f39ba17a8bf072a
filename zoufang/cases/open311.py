"""Open311 GeoReport v2 under /open311/v2/, JSON and XML, so a hotline platform or any client can read cases.

Services are the campaign's case categories; `jurisdiction_id` is the campaign's slug (default: the
campaign running today). Requests carry no personal data of the raiser: no name, phone, target or
address beyond the village.

- Without a key, the feed lists only the cases the office approved for publication, each with the public
  summary the office wrote (cases.publication), never the raiser's text.
- With a partner's `api_key` (cases.open311_keys: issued, region-scoped, revocable, every use audited),
  it lists the cases of the key's region, their text scrubbed of numbers, the raiser's name and address.
- POST needs an API key and enters the case as a draft, like an opinion from a visit, for the office to
  register. A POST with an `Idempotency-Key` header (IETF draft-ietf-httpapi-idempotency-key-header) is taken
  once: a retry with the same key and content answers the case it made, the same key with other content 422.

Every answer under /open311/v2/, a refusal or a failure included, is the spec's JSON or XML (open311_format);
docs/cases.md lists where the product departs from the specification, and docs/decisions/0020 why.
"""

import datetime as dt
import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from zoufang import clock
from zoufang.accounts.masking import scrub
from zoufang.campaigns.models import Campaign, CaseCategory
from zoufang.cases import open311_keys
from zoufang.cases.models import Case, Open311Key
from zoufang.cases.open311_format import error, render
from zoufang.cases.presenters import day_text
from zoufang.cases.services import receive_case_once
from zoufang.cases.workflow import ANSWERED
from zoufang.core import queryparams
from zoufang.core.request_keys import KeyReused
from zoufang.regions.models import Region

MAX_REQUESTS = 1000  # GeoReport v2, Response Volume: 90 days or the first 1000 requests, whichever is smaller
WINDOW = dt.timedelta(days=90)
MAX_DESCRIPTION = 4000
HIDDEN = (Case.Status.DRAFT, Case.Status.MERGED)
CLOSED = (*ANSWERED, Case.Status.MERGED)
VILLAGE_LEVELS = ("village", "group", "grid")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2017-06-15T00:00:00+08:00"  # when the service list's shape last changed (Service Discovery)
log = logging.getLogger("django.request")
# A partner's Idempotency-Key is its own: the case's request key is this namespace's UUID of (partner key, value),
# so two partners' equal keys never meet and one cannot find what another's key made.
IDEMPOTENCY = uuid.UUID("6c0f8a52-3f7e-4d0e-9a53-7e1d311c0b2a")
MAX_IDEMPOTENCY_KEY = 255


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A GeoReport v2 view: the spec's error body for a wrong method, a refusal or a failure, never a Django page.

    GET answers carry `Access-Control-Allow-Origin: *` (docs/decisions/0020): nothing under /open311/v2/ reads a
    cookie or a session, so a browser client gets what any client gets.
    """
    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            fmt = kwargs.get("fmt", "xml")
            if request.method not in allowed:
                response = error(fmt, 405, _("%(method)s 不可用，此处只接受 %(allowed)s") % {
                    "method": request.method, "allowed": ", ".join(methods)})
                response["Allow"] = ", ".join(allowed)
            else:
                try:
                    response = view(request, *args, **kwargs)
                except Open311Error as exc:
                    response = error(fmt, exc.status, exc.description)
                except Exception:  # the spec's 500, still logged and reported as Django reports a failure
                    log.exception("Open311 %s %s failed", request.method, request.path, extra={
                        "status_code": 500, "request": request})
                    response = error(fmt, 500, _("服务暂时出错，请稍后重试；如一再出现，请联系镇走访办"))
            if request.method in ("GET", "HEAD"):
                response["Access-Control-Allow-Origin"] = "*"
            return response

        return run

    return wrap


def _param(request: HttpRequest, name: str) -> str:
    """A POST's form field (or its query string's), a GET's query argument; the spec reads an empty one as one not
    sent."""
    posted = request.POST.get(name) if request.method == "POST" else None
    return posted or request.GET.get(name) or ""


def _kept(value: str, name: str, limit: int) -> str:
    """A value the case keeps, whole: one longer than its field is refused naming the parameter, never cut."""
    if len(value) > limit:
        raise Open311Error(400, _("%(name)s 过长：最多 %(max)d 个字，收到 %(length)d 个字") % {
            "name": name, "max": limit, "length": len(value)})
    return value


def _campaign(request: HttpRequest) -> Campaign:
    slug = _param(request, "jurisdiction_id")
    if slug:
        campaign = Campaign.objects.filter(slug=slug).select_related("scope").first()
        if campaign is None:
            raise Open311Error(404, _("jurisdiction_id 未找到：没有代号为 %(slug)s 的走访活动") % {"slug": slug[:60]})
        return campaign
    today = clock.today()
    running = Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).select_related("scope")
    campaign = running.order_by("-starts_on").first() or Campaign.objects.order_by("-starts_on").first()
    if campaign is None:
        raise Open311Error(404, _("jurisdiction_id 未找到：本站还没有走访活动"))
    return campaign


def _key(request: HttpRequest) -> Open311Key | None:
    """The partner's key, if the request carries one; a wrong or revoked key is refused, never read as none."""
    secret = _param(request, "api_key")
    if not secret:
        return None
    key = open311_keys.key_for(secret)
    if key is None:
        raise Open311Error(403, _("api_key 无效或已停用"))
    return key


def _jurisdiction(request: HttpRequest, key: Open311Key | None) -> Campaign:
    """The campaign asked for; a partner's key reads and hands in its own campaign only."""
    if key is None:
        return _campaign(request)
    if _param(request, "jurisdiction_id") and _campaign(request).pk != key.campaign_id:
        raise Open311Error(403, _("api_key 不能用于这个 jurisdiction_id"))
    return key.campaign


def _categories(campaign: Campaign) -> QuerySet[CaseCategory]:
    return CaseCategory.objects.filter(campaign=campaign, disabled_on__isnull=True).select_related("parent")


def _service(category: CaseCategory) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.title,
        "description": category.title,
        "metadata": False,  # no attributes: a case is its text (GET service definition answers an empty list)
        "type": "realtime",  # POST answers the service_request_id at once: no tokens
        "keywords": "",
        "group": category.parent.title if category.parent else category.title,
    }


def _w3c(moment: dt.datetime | None) -> str | None:
    """W3C datetime with the offset, to the second: 2017-06-13T10:00:00+08:00."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat() if moment else None


def _public_text(case: Case, key: Open311Key | None) -> str:
    """The office's public summary for everyone; a partner reads the case's text with personal details scrubbed."""
    if key is None:
        return scrub(case.public_summary)
    target = case.target if case.target_id else None
    names = [case.raiser_name, target.name if target else ""]
    return scrub(case.description, names=names, addresses=[target.address if target else ""])[:MAX_DESCRIPTION]


class Centres:
    """Where a case is put on a map: the centre of its region or of the nearest region above it that has one
    (a village's, a town's), never a household's. Read once per answer, not once per case."""

    def __init__(self, campaign: Campaign) -> None:
        rows = Region.objects.filter(path__startswith=campaign.scope.path, latitude__isnull=False,
                                     longitude__isnull=False).values_list("path", "latitude", "longitude")
        self.by_path = {path: (float(lat), float(long)) for path, lat, long in rows if lat is not None and long is not None}

    def of(self, region: Region) -> tuple[float, float] | tuple[None, None]:
        path = region.path
        while path:
            if path in self.by_path:
                return self.by_path[path]
            path = path[:path.rstrip(".").rfind(".") + 1]
        return None, None


def _request_row(case: Case, key: Open311Key | None, centres: Centres) -> dict[str, Any]:
    closed = case.status in CLOSED
    expected = None
    # While the clock stands still the saved date is not the deadline (the case page moves it on each paused day):
    # none is given, as for a closed case (the field is optional in GeoReport v2).
    if case.handling_due and not closed and not case.is_paused:
        expected = _w3c(timezone.make_aware(dt.datetime.combine(case.handling_due, dt.time(17, 30))))
    # The case's village or group (or the campaign's area), never the raiser's own address.
    place = case.region if case.region_id and case.region else case.campaign.scope
    lat, long = centres.of(place)
    return {
        "service_request_id": str(case.public_id),
        "status": "closed" if closed else "open",
        "status_notes": str(case.get_status_display()),
        "service_name": case.category.title if case.category else None,
        "service_code": case.category.code if case.category else None,
        "description": _public_text(case, key),
        "agency_responsible": case.unit.name if case.unit else None,
        "service_notice": None,
        "requested_datetime": _w3c(case.raised_at),
        "updated_datetime": _w3c(case.modified_at),
        "expected_datetime": expected,
        "address": place.name,
        "address_id": place.code or None,
        "zipcode": None,
        "lat": lat,
        "long": long,
        "media_url": None,
    }


def _public_cases(campaign: Campaign, key: Open311Key | None) -> QuerySet[Case]:
    """Without a key: what the office published. With one: the cases of the key's region, and the drafts a
    platform handed in (so a client finds the request it just posted), merged ones as closed."""
    cases = Case.objects.filter(campaign=campaign).select_related("category", "unit", "region", "campaign__scope",
                                                                  "target")
    if key is None:
        return cases.exclude(status__in=HIDDEN).filter(published_at__isnull=False)
    cases = cases.exclude(Q(status=Case.Status.DRAFT) & ~Q(source=Case.Source.OPEN311))
    path = key.region.path if key.region_id and key.region else key.campaign.scope.path
    return cases.filter(Q(region__path__startswith=path) | Q(region__isnull=True, campaign__scope__path__startswith=path))


@endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "services", [_service(c) for c in _categories(_jurisdiction(request, _key(request)))])


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = _categories(_jurisdiction(request, _key(request))).filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("service_code 未找到：%(code)s") % {"code": code[:40]})
    return render(fmt, "service_definition", {"service_code": category.code, "attributes": []})


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    key = _key(request)
    campaign = _jurisdiction(request, key)
    centres = Centres(campaign)
    rows = [_request_row(c, key, centres) for c in _filtered(request, key, campaign)]
    if key is not None:
        open311_keys.record_use(key, _("读取问题列表 %(n_rows)s 条") % {"n_rows": len(rows)})
    return render(fmt, "service_requests", rows)


def _moment(value: str, name: str) -> dt.datetime | None:
    """A W3C datetime ("+" may arrive as a space from an unencoded query); a bare date is its midnight, here."""
    if not value:
        return None
    try:
        moment = parse_datetime(value.strip().replace(" ", "+"))
        day = None if moment else parse_date(value.strip())
    except ValueError:  # well formed, out of range: 2017-02-30
        moment = day = None
    if day is not None:
        moment = dt.datetime.combine(day, dt.time())
    if moment is None:
        raise Open311Error(400, _("%(name)s 不是 W3C 日期时间，应如 2017-06-01T00:00:00+08:00") % {"name": name})
    if not queryparams.in_calendar(moment.date()):  # 90 days before 0001-01-01 is no date
        raise Open311Error(400, _("%(name)s %(rule)s") % {"name": name, "rule": queryparams.calendar_rule()})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _window(request: HttpRequest) -> tuple[dt.datetime, dt.datetime]:
    """start_date..end_date of requested_datetime: at most 90 days; the most recent 90 days when neither is sent."""
    start = _moment(_param(request, "start_date"), "start_date")
    end = _moment(_param(request, "end_date"), "end_date")
    if start and end:
        if end < start:
            raise Open311Error(400, _("end_date 早于 start_date"))
        if end - start > WINDOW:
            raise Open311Error(400, _("start_date 到 end_date 不能超过 90 天"))
        return start, end
    if start:
        return start, start + WINDOW
    end = end or clock.now()
    return end - WINDOW, end


def _choices(request: HttpRequest, name: str) -> list[str]:
    return [value.strip() for value in _param(request, name).split(",") if value.strip()]


def _filtered(request: HttpRequest, key: Open311Key | None, campaign: Campaign) -> list[Case]:
    cases = _public_cases(campaign, key)
    ids = _choices(request, "service_request_id")
    if ids:  # "This overrides all other arguments."
        return list(cases.filter(public_id__in=_uuids(ids)).order_by("-raised_at", "id")[:MAX_REQUESTS])
    codes = _choices(request, "service_code")
    if codes:
        cases = cases.filter(Q(category__code__in=codes) | Q(category__parent__code__in=codes))
    statuses = set(_choices(request, "status"))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status 只能是 open、closed，或以逗号分隔的两者"))
    if statuses == {"open"}:
        cases = cases.exclude(status__in=CLOSED)
    elif statuses == {"closed"}:
        cases = cases.filter(status__in=CLOSED)
    start, end = _window(request)
    cases = cases.filter(raised_at__gte=start, raised_at__lte=end)
    return list(cases.order_by("-raised_at", "id")[:MAX_REQUESTS])


def _uuids(values: list[str]) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return valid


@endpoint("GET")
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    key = _key(request)
    campaign = _jurisdiction(request, key)
    case = _public_cases(campaign, key).filter(public_id__in=_uuids([request_id])).first()
    if case is None:
        raise Open311Error(404, _("service_request_id 未找到：%(id)s") % {"id": request_id[:40]})
    if key is not None:
        open311_keys.record_use(key, _("读取问题 %(case_number)s") % {"case_number": case.number})
    return render(fmt, "service_requests", [_request_row(case, key, Centres(campaign))])


@endpoint("GET")
def token(request: HttpRequest, token_id: str, fmt: str) -> HttpResponse:
    """Every service is `realtime`: POST answers the service_request_id itself, so no token is ever issued."""
    raise Open311Error(404, _("token 未找到：本接口提交即返回 service_request_id，不发放 token"))


def _location(request: HttpRequest, key: Open311Key) -> tuple[Region | None, list[str]]:
    """The spec's location (lat & long, address_string or address_id): the village it names, and lines for the
    office to read in the case's history."""
    lat, long, address, address_id = (_param(request, n).strip() for n in ("lat", "long", "address_string",
                                                                              "address_id"))
    if not ((lat and long) or address or address_id):
        raise Open311Error(400, _("缺少位置：须提供 lat 和 long，或 address_string，或 address_id"))
    lines = []
    if lat or long:
        try:
            latitude, longitude = float(lat), float(long)
        except ValueError:
            raise Open311Error(400, _("lat 和 long 须同时提供，且为 WGS84 经纬度数值")) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise Open311Error(400, _("lat 和 long 超出 WGS84 经纬度范围"))
        lines.append(_("坐标（WGS84）：%(lat)s, %(long)s") % {"lat": latitude, "long": longitude})
    if address:
        lines.append(_("地点：%(address)s") % {"address": _kept(address, "address_string", 200)})
    area = key.region.path if key.region_id and key.region else key.campaign.scope.path
    region = None
    if address_id:  # GET answers a village's official code as its address_id; POST takes it back
        region = Region.objects.filter(code=_kept(address_id, "address_id", 64), level__in=VILLAGE_LEVELS,
                                       path__startswith=area).first()
        if region is None:
            lines.append(_("地址编号：%(id)s") % {"id": address_id})
    if region is None and key.region and key.region.level in VILLAGE_LEVELS:
        region = key.region  # a village's platform hands in its village's cases: it reads them back through its key
    return region, lines


def _request_key(request: HttpRequest, key: Open311Key) -> uuid.UUID | None:
    """The POST's `Idempotency-Key` header as the case's request key, or None without one. The draft sends it as a
    structured-field string ("…"); a bare value is taken as written."""
    value = request.headers.get("Idempotency-Key")
    if value is None:
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value or len(value) > MAX_IDEMPOTENCY_KEY or not value.isascii() or not value.isprintable():
        raise Open311Error(400, _("Idempotency-Key 无效：应为 1 至 %(max)s 个可打印的 ASCII 字符，建议用 UUID") % {
            "max": MAX_IDEMPOTENCY_KEY})
    return uuid.uuid5(IDEMPOTENCY, f"{key.pk}:{value}")


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _key(request)
    if key is None:
        raise Open311Error(403, _("api_key 缺失：提交问题须持合作平台的接入密钥"))
    request_key = _request_key(request, key)
    campaign = _jurisdiction(request, key)
    code = _param(request, "service_code")
    if not code:
        raise Open311Error(400, _("缺少 service_code"))
    category = _categories(campaign).filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("service_code 未找到：%(code)s") % {"code": code[:40]})
    region, lines = _location(request, key)
    description = _param(request, "description").strip()
    if not description:
        raise Open311Error(400, _("缺少 description：请写明问题或意见建议的内容"))
    media_url = _param(request, "media_url").strip()
    if media_url:
        lines.append(_("附件：%(url)s") % {"url": _kept(media_url, "media_url", 500)})
    name = _kept((_param(request, "last_name") + _param(request, "first_name")).strip(), "last_name 与 first_name",
                 Case._meta.get_field("raiser_name").max_length or 0)
    account_id = _kept(_param(request, "account_id"), "account_id", Case._meta.get_field("external_id").max_length or 0)
    phone = _kept(_param(request, "phone"), "phone", Case._meta.get_field("raiser_phone").max_length or 0)
    try:
        case, received = receive_case_once(
            campaign=campaign, kind=Case.Kind.PROBLEM, description=_kept(description, "description", MAX_DESCRIPTION),
            raised_at=clock.now(), source=Case.Source.OPEN311, category=category, raiser_name=name,
            region=region, raiser_phone=phone, external_id=account_id,
            note="；".join(lines), key=request_key,
        )
    except KeyReused:
        raise Open311Error(422, _("该 Idempotency-Key 已用于内容不同的另一件问题，新的问题请用新的键")) from None
    open311_keys.record_use(key, (_("提交问题 %(case_number)s") if received else _("重复提交问题 %(case_number)s（同一 "
                                  "Idempotency-Key，未重复受理）")) % {"case_number": case.number})
    notice = _("已转入走访办，将在登记期限 %(due)s 前登记交办。") % {"due": day_text(case.registration_due)}
    return render(fmt, "service_requests", [
        {"service_request_id": str(case.public_id), "service_notice": notice, "account_id": account_id or None}],
        status=201)


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service Discovery (wiki.open311.org/Service_Discovery), in both formats as it requires."""
    base = request.build_absolute_uri("/open311/v2")  # no trailing slash: clients append "/services.xml"
    return render(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": _("镇走访办"),
        "key_service": _("向安全管理员申请 Open311 接入密钥（提交问题须持密钥；读取公开问题无须密钥）"),
        "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    })


RESOURCES = ("services", "requests", "discovery")
ONE_OF = ("services/", "requests/", "tokens/")


@endpoint("GET", "POST")
def unknown(request: HttpRequest, rest: str) -> HttpResponse:
    """Whatever else is asked under /open311/v2/: 400 for a resource in a format other than json or xml, else 404;
    in the format asked for when it is json, else in XML, the spec's required format."""
    stem, dot, ext = rest.rpartition(".")
    fmt = "json" if ext == "json" else "xml"
    if dot and ext not in ("json", "xml") and (stem in RESOURCES or stem.startswith(ONE_OF)):
        return error(fmt, 400, _("不支持的格式 .%(ext)s：请用 .json 或 .xml") % {"ext": ext[:10]})
    if not dot and (rest in RESOURCES or rest.startswith(ONE_OF)):
        return error(fmt, 400, _("缺少格式：请在资源后加 .json 或 .xml"))
    return error(fmt, 404, _("没有这个 Open311 资源：/open311/v2/%(path)s") % {"path": rest[:80]})
