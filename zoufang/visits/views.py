"""我的走访 and the cadre's other pages. Thin: the services, scope and page modules decide."""

import datetime as dt
import json
import uuid
from io import BytesIO
from typing import cast

import pydantic
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from zoufang import clock
from zoufang.accounts import audit, scope
from zoufang.accounts.models import AuditEvent
from zoufang.cases.access import cases_of_visit
from zoufang.core import request_keys
from zoufang.core.apierrors import refused_fields, validation_errors
from zoufang.core.downloads import attachment
from zoufang.forms.services import published_form
from zoufang.registry.models import Cadre
from zoufang.registry.presenters import TargetPresenter
from zoufang.visits import ledger, on_phone, photos, presenters, services
from zoufang.visits.api import VisitIn, check_photo_taker, may_add_photo, submission_from, visit_out
from zoufang.visits.form_texts import form_texts
from zoufang.visits.models import DiaryEntry, Visit, VisitPhoto
from zoufang.visits.page import my_list_context, my_summary_context, visits_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@gzip_page  # a town leader's 70 targets stay well inside the phone's first-load budget (masked CSRF token: no BREACH)
def my_list(request: HttpRequest) -> HttpResponse:
    if not scope.may_record_visits(request.user):
        raise Http404
    return render(request, "visits/my_list.html", my_list_context(
        request.user, query=request.GET.get("q", ""), village=request.GET.get("village", "")))


@login_required
def my_summary(request: HttpRequest) -> HttpResponse:
    """我的走访's figures, 进度 and village tabs alone, rendered as on the page: fetched again after a send."""
    response = render(request, "visits/my_summary.html", my_summary_context(
        request.user, query=request.GET.get("q", ""), village=request.GET.get("village", "")))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def submit_visit(request: HttpRequest) -> JsonResponse:
    """The page's outbox sends here (session + CSRF); the same action and answers as POST /api/v1/visits. 404 where
    我的走访 is (an account that is no cadre's), as the page that sends it."""
    if not scope.may_record_visits(request.user):
        raise Http404
    if request.content_type != "application/json":  # a form post's body is already read as fields
        return JsonResponse({"detail": _("提交内容格式不正确：应为 JSON"), "errors": {}}, status=400)
    try:
        payload = VisitIn.model_validate(json.loads(request.body))
    except pydantic.ValidationError as error:
        errors = validation_errors(error.errors())  # type: ignore[arg-type]
        return JsonResponse({"detail": refused_fields(errors), "errors": errors}, status=400)
    except (ValueError, RecursionError) as error:  # nested past the parser's depth: not a visit either
        return JsonResponse({"detail": _("提交内容格式不正确"), "errors": {"": str(error)[:300]}}, status=400)
    try:
        recorded = services.record_visit(request.user, submission_from(payload))
    except services.VisitRefused as refused:
        return JsonResponse({"detail": str(refused), "errors": refused.errors}, status=400)
    except services.VisitConflict as conflict:
        return JsonResponse({"detail": str(conflict), "visit_id": str(conflict.visit.public_id)}, status=409)
    body = json.loads(json.dumps(visit_out(recorded.visit, request.user, recorded), default=str))
    # The page's notice points to where the visit's photos are added, for the one who may add them.
    may_photo = may_add_photo(request.user, recorded.visit)
    body["photos_url"] = reverse("visits:visit", args=[recorded.visit.public_id]) if may_photo else ""
    return JsonResponse(body, status=201 if recorded.created else 200)


@login_required
def visit_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    visit = services.get_visible_visit(request.user, public_id)
    presenter = TargetPresenter(request.user)
    if presenter.reveals_personal_data(visit.target):
        audit.record(request.user, AuditEvent.Action.READ, visit.target, summary="走访记录页查看走访对象完整电话")
    answers = [(a, presenters.answer_rows(a, presenter.masker.data(a.data, visit)))
               for a in visit.form_answers.select_related("form", "form_version")]
    return render(request, "visits/visit.html", {
        "visit": visit, "phone": presenter.phone(visit.target), "contact_name": presenter.contact_name(visit.target),
        "answers": answers, "where": presenters.whereabouts(visit),
        "cases": cases_of_visit(request.user, visit), "today": clock.today(),
        "photos": visit.photos.all(), "may_add_photo": may_add_photo(request.user, visit),
        "max_photo_mb": photos.MAX_BYTES // 1024 // 1024, "photo_key": uuid.uuid4(),
    })


def _own_cadre(request: HttpRequest) -> Cadre:
    """The cadre whose pages these are: 404 for an account that is no cadre's (scope.may_record_visits)."""
    if not scope.may_record_visits(request.user):
        raise Http404
    return cast(Cadre, scope.cadre_of(request.user))


def _form_key(request: HttpRequest) -> uuid.UUID | None:
    """The rendered form's key (core.request_keys); none from a form rendered before forms carried one."""
    try:
        return uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        return None


@login_required
@require_POST
def upload_photo(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    visit = services.get_visible_visit(request.user, public_id)
    check_photo_taker(request.user, visit)  # 403 page naming why, as the API answers
    upload = request.FILES.get("photo")
    try:
        if upload is None:
            raise services.VisitRefused({"photo": _("照片：请选择图片")})
        if upload.size and upload.size > photos.MAX_BYTES:
            raise services.VisitRefused({"photo": photos.too_large()})
        _photo, stored = photos.add_visit_photo(request.user, visit, upload.read(), key=_form_key(request))
    except services.VisitRefused as refused:
        messages.error(request, str(refused))
    except request_keys.KeyReused:
        messages.error(request, _("这张表刚才已上传过另一张照片；如要再添加，请重新选择照片后上传。"))
    else:
        messages.success(request, _("照片已保存（已去除拍摄位置等信息）") if stored else _("这张照片已保存过，未重复保存。"))
    return redirect("visits:visit", public_id=visit.public_id)


@login_required
def photo(request: HttpRequest, public_id: uuid.UUID, photo_id: uuid.UUID) -> FileResponse:
    """Photos are served through scope, never from a public media URL."""
    visit = services.get_visible_visit(request.user, public_id)
    item = get_object_or_404(VisitPhoto, visit=visit, public_id=photo_id)
    return FileResponse(item.image.open("rb"), content_type="image/jpeg")


@login_required
def form_preview(request: HttpRequest, key: str) -> HttpResponse:
    """A questionnaire as the phone shows it, for the office to check a definition before a campaign uses it."""
    form, version = published_form(key)
    preview = {"name": _("%(title)s（预览）") % {"title": form.title}, "kind": "",
               "kind_label": _("第 %(n)s 版") % {"n": version.number},
               "campaign": "", "forms": [key], "modes": [[Visit.Mode.HOME.value, str(Visit.Mode.HOME.label)]]}
    data = {"now": timezone.localtime(clock.now()).isoformat(), "preview": "preview", "targets": {"preview": preview},
            "forms": {key: {"title": version.spec["title"], "version": version.number, "spec": version.spec}},
            "categories": {}, "texts": form_texts()}
    return render(request, "visits/preview.html", {"form": form, "form_data": data})


@login_required
def contact_cards(request: HttpRequest) -> HttpResponse:
    """走访联系卡 (seed 002 附件2-8): a printable sheet of one cadre's cards."""
    cadre = _own_cadre(request)
    items = ledger.cadre_campaigns(cadre)
    campaign = items[0] if items else None
    card = (campaign.config.get("contact_card") or {}) if campaign else {}
    return render(request, "visits/cards.html", {
        "cadre": cadre, "campaign": campaign, "card": card, "copies": range(8),
    })


@login_required
def diary(request: HttpRequest) -> HttpResponse:
    cadre = _own_cadre(request)
    errors: dict[str, str] = {}
    form = {"entry_date": clock.today().isoformat(), "text": "", "key": str(uuid.uuid4())}
    if request.method == "POST":
        form = {"entry_date": request.POST.get("entry_date", ""), "text": request.POST.get("text", ""),
                "key": request.POST.get("key", "")}
        try:
            entry_date = dt.date.fromisoformat(form["entry_date"])
        except ValueError:
            errors["entry_date"] = _("日期：应为日期（如 2017-06-15）")
        if not errors:
            try:
                campaigns = ledger.cadre_campaigns(cadre)
                _entry, written = services.add_diary_entry(
                    request.user, entry_date=entry_date, text=form["text"], key=_form_key(request),
                    campaign=campaigns[0] if campaigns else None)
            except services.VisitRefused as refused:
                errors = refused.errors
            except request_keys.KeyReused:
                errors = {"text": _("这张表刚才已保存过另一条日记，内容与本次不同；如确是新的一条，请再点“保存日记”。")}
                form["key"] = str(uuid.uuid4())
            else:
                if not written:
                    messages.info(request, _("这条日记已保存过，未重复保存。"))
                return redirect("visits:diary")
    entries = DiaryEntry.objects.filter(cadre=cadre)[:100]
    return render(request, "visits/diary.html", {"entries": entries, "errors": errors, "form": form})


@login_required
def my_ledger(request: HttpRequest) -> HttpResponse:
    cadre = _own_cadre(request)
    out = BytesIO()
    count = ledger.write_ledger(out, _("%(name)s 走访台账") % {"name": cadre.name}, visits_of(cadre), request.user,
                                whose=cadre.name)
    # Saved as the unit's ledger is (派出所走访台账.xlsx), not as its address's ledger.xlsx.
    return _xlsx(request, out.getvalue(), _("%(name)s走访台账.xlsx") % {"name": cadre.name},
                 _("导出本人走访台账 %(n)s 条") % {"n": count})


@login_required
@require_POST
def unit_ledger(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A unit's whole ledger is built in the background (docs/jobs.md); the cadre's own stays synchronous."""
    from zoufang.jobs.views import start

    return start(request, "unit_ledger", {"unit": str(public_id)})


def _xlsx(request: HttpRequest, content: bytes, filename: str, summary: str) -> HttpResponse:
    audit.record(request.user, AuditEvent.Action.EXPORT, None, object_type="visits.Visit", summary=summary)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = attachment(filename, fallback="ledger")
    return response


def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from /me/ so its scope covers 我的走访; it caches the page so it opens without a network."""
    response = HttpResponse(render_to_string("visits/sw.js", {"cache": on_phone.CACHE}), content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response


def manifest(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_to_string("visits/manifest.webmanifest"), content_type="application/manifest+json")



