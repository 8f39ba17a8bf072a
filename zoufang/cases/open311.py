"""Open311 GeoReport v2 under /open311/v2/, JSON and XML, so a hotline platform or any client can read cases.

Services are the campaign's case categories; `jurisdiction_id` is the campaign's slug (default: the
campaign running today). Requests carry no personal data of the raiser: no name, phone, target or
address beyond the village.

- Without a key, the feed lists only the cases the office approved for publication, each with the public
  summary the office wrote (cases.publication), never the raiser's text.
- With a partner's `api_key` (cases.open311_keys: issued, region-scoped, revocable, every use audited),
  it lists the cases of the key's region, their text scrubbed of numbers, the raiser's name and address.
- POST needs an API key and enters the case as a draft, like an opinion from a visit, for the office to
  register.
"""

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from zoufang import clock
from zoufang.accounts.masking import scrub
from zoufang.campaigns.models import Campaign, CaseCategory
from zoufang.cases import open311_keys
from zoufang.cases.models import Case, Open311Key
from zoufang.cases.services import receive_case
from zoufang.cases.workflow import ANSWERED

MAX_REQUESTS = 1000
HIDDEN = (Case.Status.DRAFT, Case.Status.MERGED)
VILLAGE_LEVELS = ("village", "group", "grid")


class Open311Error(Exception):
    def __init__(self, status: int, code: int, description: str) -> None:
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


def _render(fmt: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    element = ET.Element(root)
    for row in rows:
        child = ET.SubElement(element, item)
        for key, value in row.items():
            field = ET.SubElement(child, key)
            if isinstance(value, list):
                for keyword in value:
                    ET.SubElement(field, "value").text = str(keyword)
            elif value is not None:
                field.text = str(value).lower() if isinstance(value, bool) else str(value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)


def _error(fmt: str, exc: Open311Error) -> HttpResponse:
    return _render(fmt, "errors", "error", [{"code": exc.code, "description": exc.description}], exc.status)


def _campaign(request: HttpRequest) -> Campaign:
    slug = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if slug:
        campaign = Campaign.objects.filter(slug=slug).first()
    else:
        today = clock.today()
        running = Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today)
        campaign = running.order_by("-starts_on").first() or Campaign.objects.order_by("-starts_on").first()
    if campaign is None:
        raise Open311Error(404, 404, "jurisdiction_id not found")
    return campaign


def _categories(campaign: Campaign) -> QuerySet[CaseCategory]:
    return CaseCategory.objects.filter(campaign=campaign, disabled_on__isnull=True).select_related("parent")


def _service(category: CaseCategory) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.title,
        "description": category.title,
        "metadata": False,
        "type": "realtime",
        "keywords": [],
        "group": category.parent.title if category.parent else category.title,
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _public_text(case: Case, key: Open311Key | None) -> str:
    """The office's public summary for everyone; a partner reads the case's text with personal details scrubbed."""
    if key is None:
        return scrub(case.public_summary)
    target = case.target if case.target_id else None
    names = [case.raiser_name, target.name if target else ""]
    return scrub(case.description, names=names, addresses=[target.address if target else ""])


def _request_row(case: Case, key: Open311Key | None) -> dict[str, Any]:
    closed = case.status in ANSWERED
    notes = case.get_status_display()
    expected = None
    if case.handling_due and not closed:
        expected = _iso(timezone.make_aware(dt.datetime.combine(case.handling_due, dt.time(17, 30))))
    return {
        "service_request_id": str(case.public_id),
        "status": "closed" if closed else "open",
        "status_notes": str(notes),
        "service_name": case.category.title if case.category else "",
        "service_code": case.category.code if case.category else "",
        "description": _public_text(case, key),
        "agency_responsible": case.unit.name if case.unit else "",
        "service_notice": "",
        "requested_datetime": _iso(case.raised_at),
        "updated_datetime": _iso(case.modified_at),
        "expected_datetime": expected,
        # The village, never the raiser's own address.
        "address": case.region.name if case.region else case.campaign.scope.name,
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


def _key(request: HttpRequest) -> Open311Key | None:
    """The partner's key, if the request carries one; a wrong or revoked key is refused, never read as none."""
    secret = request.GET.get("api_key") or request.POST.get("api_key", "")
    if not secret:
        return None
    key = open311_keys.key_for(secret)
    if key is None:
        raise Open311Error(403, 403, "api_key is missing or not valid")
    return key


def _public_cases(campaign: Campaign, key: Open311Key | None) -> QuerySet[Case]:
    """Without a key: what the office published. With one: the cases of the key's region."""
    cases = (
        Case.objects.filter(campaign=campaign).exclude(status__in=HIDDEN)
        .select_related("category", "unit", "region", "campaign__scope", "target")
    )
    if key is None:
        return cases.filter(published_at__isnull=False)
    path = key.region.path if key.region_id and key.region else key.campaign.scope.path
    return cases.filter(Q(region__path__startswith=path) | Q(region__isnull=True, campaign__scope__path__startswith=path))


def services(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        campaign = _campaign(request)
    except Open311Error as exc:
        return _error(fmt, exc)
    return _render(fmt, "services", "service", [_service(c) for c in _categories(campaign)])


def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    try:
        category = _categories(_campaign(request)).filter(code=code).first()
        if category is None:
            raise Open311Error(404, 404, "service_code not found")
    except Open311Error as exc:
        return _error(fmt, exc)
    if fmt == "json":
        return JsonResponse({"service_code": category.code, "attributes": []}, json_dumps_params={"ensure_ascii": False})
    root = ET.Element("service_definition")
    ET.SubElement(root, "service_code").text = category.code
    ET.SubElement(root, "attributes")
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        if request.method == "POST":
            return _create(request, fmt)
        key = _key(request)
        rows = [_request_row(c, key) for c in _filtered(request, key)]
        if key is not None:
            open311_keys.record_use(key, f"读取问题列表 {len(rows)} 条")
        return _render(fmt, "service_requests", "request", rows)
    except Open311Error as exc:
        return _error(fmt, exc)


def _moment(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    moment = parse_datetime(value.replace(" ", "+"))
    if moment is None and parse_date(value):
        moment = dt.datetime.combine(parse_date(value), dt.time())  # type: ignore[arg-type]
    if moment is None:
        raise Open311Error(400, 400, f"{name} is not a w3 datetime")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _filtered(request: HttpRequest, key: Open311Key | None) -> list[Case]:
    # A partner's key names its campaign: without jurisdiction_id, that one, not the latest of any town.
    campaign = key.campaign if key is not None and not request.GET.get("jurisdiction_id") else _campaign(request)
    cases = _public_cases(campaign, key)
    ids = request.GET.get("service_request_id")
    if ids:
        return list(cases.filter(public_id__in=_uuids(ids.split(","))))
    code = request.GET.get("service_code")
    if code:
        cases = cases.filter(Q(category__code=code) | Q(category__parent__code=code))
    status = request.GET.get("status")
    if status == "open":
        cases = cases.exclude(status__in=ANSWERED)
    elif status == "closed":
        cases = cases.filter(status__in=ANSWERED)
    elif status:
        raise Open311Error(400, 400, "status must be open or closed")
    start = _moment(request.GET.get("start_date"), "start_date")
    end = _moment(request.GET.get("end_date"), "end_date")
    if start:
        cases = cases.filter(raised_at__gte=start)
    if end:
        cases = cases.filter(raised_at__lte=end)
    return list(cases.order_by("-raised_at", "id")[:MAX_REQUESTS])


def _uuids(values: list[str]) -> list[str]:
    import uuid

    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value.strip())))
        except ValueError:
            continue
    return valid


def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    try:
        key = _key(request)
        campaign = key.campaign if key is not None and not request.GET.get("jurisdiction_id") else _campaign(request)
        case = _public_cases(campaign, key).filter(public_id__in=_uuids([request_id])).first()
        if case is None:
            raise Open311Error(404, 404, "service_request_id not found")
    except Open311Error as exc:
        return _error(fmt, exc)
    if key is not None:
        open311_keys.record_use(key, f"读取问题 {case.number}")
    return _render(fmt, "service_requests", "request", [_request_row(case, key)])


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _key(request)
    if key is None:
        raise Open311Error(403, 403, "api_key is missing or not valid")
    campaign = key.campaign
    code = request.POST.get("service_code", "")
    category = _categories(campaign).filter(code=code).first()
    if category is None:
        raise Open311Error(400, 400, "service_code not found")
    description = request.POST.get("description", "").strip()
    if not description:
        raise Open311Error(400, 400, "description is required")
    name = (request.POST.get("last_name", "") + request.POST.get("first_name", "")).strip()
    case = receive_case(
        campaign=campaign, kind=Case.Kind.PROBLEM, description=description[:4000], raised_at=clock.now(),
        source=Case.Source.OPEN311, category=category, raiser_name=name[:100],
        # A village's platform hands in its village's cases: it reads them back through its key.
        region=key.region if key.region and key.region.level in VILLAGE_LEVELS else None,
        raiser_phone=request.POST.get("phone", "")[:20], external_id=request.POST.get("account_id", "")[:64],
    )
    open311_keys.record_use(key, f"提交问题 {case.number}")
    row = {"service_request_id": str(case.public_id), "service_notice": _("已转入走访办，将在登记期限 %(due)s 前登记交办。") % {"due": case.registration_due},
           "account_id": request.POST.get("account_id", "")}
    return _render(fmt, "service_requests", "request", [row], status=201)


def discovery(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    return JsonResponse({
        "changeset": "2017-06-15T00:00:00+08:00",
        "contact": _("镇走访办"),
        "key_service": _("向走访办申请 Open311 接入密钥"),
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                       "changeset": "2017-06-15T00:00:00+08:00", "type": "production",
                       "formats": ["application/json", "text/xml"]}],
    }, json_dumps_params={"ensure_ascii": False})
