"""The office's page for a resident's request: find what is held on them, hand them a copy, erase it.

The number travels in the form's body, never in a URL (no personal number in a URL or a log). Only the office of
the area (a superuser as break-glass); everyone else gets 404, as if the page were not there."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.core.apiversions import posted_version
from zoufang.oversight.views import xlsx_response
from zoufang.privacy import copy, correction, suppression
from zoufang.privacy.erasure import ERASED_NAME, erase_on_request
from zoufang.privacy.forms import CorrectionForm, ErasureForm, LiftForm, LookupForm
from zoufang.privacy.holdings import ID_NUMBER, Holdings, Number, find, may_handle


def held_kind(number: Number) -> str:
    """The kind of hold (privacy.models.NumberKind) a number asked by is kept as."""
    return suppression.ID if number.kind == ID_NUMBER else suppression.PHONE


def _office(request: HttpRequest) -> Any:
    if not may_handle(request.user):
        raise Http404
    return request.user


def _audit_read(user: Any, holdings: Holdings, action: str, what: str) -> None:
    """A full read of every record found, naming the request (never the number in full)."""
    summary = _("%(what)s（依申请人申请，个人信息保护法第四十五条）：%(label)s %(number)s") % {
        "what": what, "label": holdings.asked.label, "number": holdings.asked.masked}
    for target in holdings.targets:
        audit.record(user, action, target, summary=summary)
    for case in holdings.cases:
        if case.target_id is None:  # a hotline raiser's own record
            audit.record(user, action, case, summary=summary)


def _results(request: HttpRequest, holdings: Holdings, *, erasure: ErasureForm | None = None,
             refused: list[str] | None = None, lifting: LiftForm | None = None,
             correcting: CorrectionForm | None = None, status: int = 200) -> HttpResponse:
    """The records found, in full: each shown is a full read, audited; a correction form for each (the one posted
    kept as typed); and an earlier erasure of the ID number that still keeps it out of imports, with the form
    that lifts it."""
    _audit_read(request.user, holdings, AuditEvent.Action.READ, _("个人信息查阅"))
    number = holdings.asked.value
    held = suppression.in_force(request.user, number, held_kind(holdings.asked))
    corrections = [correcting if correcting is not None and correcting.record.pk == target.pk
                   else CorrectionForm(target, initial={"number": number})
                   for target in holdings.targets if correction.correctable(target)]
    return render(request, "privacy/index.html", {"corrections": corrections,
        "form": LookupForm(initial={"number": number}), "holdings": holdings, "sections": copy.sections(holdings),
        "erasure": erasure or ErasureForm(initial={"number": number}), "refused": refused or [],
        "erased_name": ERASED_NAME, "held": held, "lifting": lifting or LiftForm(initial={"number": number})},
        status=status)


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    if request.method != "POST":
        return render(request, "privacy/index.html", {"form": LookupForm()})
    found = _asked(request, user)
    return found if isinstance(found, HttpResponse) else _results(request, found)


def _asked(request: HttpRequest, user: Any) -> Holdings | HttpResponse:
    """What is held under the number the form sends; the form again (400) naming the rule it breaks."""
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, "privacy/index.html", {"form": form}, status=400)
    return find(user, form.cleaned_data["number"])


@login_required
@require_POST
def copy_xlsx(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    holdings = _asked(request, user)
    if isinstance(holdings, HttpResponse):
        return holdings
    data = copy.workbook(holdings, by=user)
    _audit_read(user, holdings, AuditEvent.Action.EXPORT, _("导出个人信息副本"))
    return xlsx_response(data, _("个人信息副本"))


def _invalid(request: HttpRequest, user: Any, form: LookupForm, **shown: Any) -> HttpResponse:
    """A request's form that does not validate: the lookup again (400) when its number breaks a rule, else the
    records found with the form and its messages."""
    if "number" in form.errors:
        return render(request, "privacy/index.html", {"form": LookupForm(request.POST)}, status=400)
    return _results(request, find(user, form.cleaned_data["number"]), **shown)


@login_required
@require_POST
def erase(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _invalid(request, user, form, erasure=form)
    number = form.cleaned_data["number"]
    done = erase_on_request(user, number, form.cleaned_data["reason"], form.cleaned_data["note"].strip())
    if done.refused:
        return _results(request, find(user, number), erasure=form, refused=done.refused)
    return render(request, "privacy/erased.html", {"done": done, "number": number})


@login_required
@require_POST
def lift(request: HttpRequest) -> HttpResponse:
    """The resident consents again: their ID or phone number may be imported again (audited)."""
    user = _office(request)
    form = LiftForm(request.POST)
    if not form.is_valid():
        return _invalid(request, user, form, lifting=form, status=400)
    number = form.cleaned_data["number"]
    lifted = suppression.lift(user, number.value, form.cleaned_data["note"].strip(), held_kind(number))
    return render(request, "privacy/lifted.html", {"lifted": lifted, "number": number})


def _correcting(request: HttpRequest, number: Number, form: CorrectionForm, error: ValidationError | None = None, *,
                status: int) -> HttpResponse:
    """The records found again with the correction form as posted and why it was not saved: beside the field it
    names, else above the form."""
    if error is not None:
        by_field = getattr(error, "error_dict", {})
        if by_field and all(name in form.fields or name == NON_FIELD_ERRORS for name in by_field):
            form.add_error(None, error)
        else:
            for message in error.messages:
                form.add_error(None, message)
    return _results(request, find(request.user, number), correcting=form, status=status)


@login_required
@require_POST
def correct(request: HttpRequest) -> HttpResponse:
    """更正 (第四十六条) of one record found: refused naming the rule (400), or a change made meanwhile (409)."""
    user = _office(request)
    asked = LookupForm(request.POST)
    if not asked.is_valid():
        raise Http404
    number = asked.cleaned_data["number"]
    try:
        target = correction.target_for(user, request.POST.get("target", ""))
    except correction.NotFound as exc:
        raise Http404 from exc
    form = CorrectionForm(target, request.POST)
    if not form.is_valid():
        return _correcting(request, number, form, status=400)
    try:
        done = correction.correct(user, number, target.public_id, posted_version(form.cleaned_data["version"]),
                                  form.values)
    except correction.NotFound as exc:
        raise Http404 from exc
    except correction.Stale as exc:
        # Drawn again on the record as it is now, never with what the office typed over it (a second 提交 would
        # undo the other edit unseen); what someone else changed since the read is named with its value now, and what
        # the office typed, to be typed again where still due.
        fresh = CorrectionForm(exc.target, initial={"number": number.value})
        fresh.stale = _("%(happened)s%(since)s下面是现在的内容，核对后如仍需更正，请重新填写并提交。") % {
            "happened": exc, "since": correction.since_read(user, exc.target, form.read, form.values)}
        return _correcting(request, number, fresh, status=409)
    except ValidationError as exc:
        return _correcting(request, number, form, exc, status=400)
    if done.fields:
        messages.success(request, _("已更正“%(target)s”的%(fields)s，已记入审计记录。") % {
            "target": done.target.name, "fields": "、".join(done.fields)})
        if not correction.holds(done.target, number):
            messages.info(request, _("更正后按原%(label)s已查不到这一对象；请按更正后的号码查找。") % {"label": number.label})
    else:
        messages.info(request, _("“%(target)s”已是这些内容，未重复更正。") % {"target": done.target.name})
    return _results(request, find(user, number))
