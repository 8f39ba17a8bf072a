"""回访抽查 pages: the batches (and the office's draw), a batch's progress and results, a sample's call or
verification page, the audited phone reveal, the results as xlsx."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang.accounts import scope
from zoufang.accounts.masking import Kind, Masker
from zoufang.accounts.names import shown_name
from zoufang.callbacks import access, findings, results, services
from zoufang.callbacks.forms import CallForm, DrawForm, FollowUpForm, ReopenForm, VerifyForm
from zoufang.callbacks.models import CallbackBatch, CallbackSample
from zoufang.callbacks.sampling import Period
from zoufang.callbacks.script import EMPTY_SCRIPT, Script, answer_rows, campaign_script
from zoufang.core import paging
from zoufang.core.queryparams import Asked
from zoufang.jobs.views import start as start_job
from zoufang.registry.presenters import TargetPresenter


def _draw_form(request: HttpRequest) -> DrawForm | None:
    campaigns = list(access.office_campaigns(request.user))
    if not campaigns:
        return None
    return DrawForm(request.POST if request.method == "POST" else None, campaigns=campaigns,
                    callers=access.callers(campaigns),
                    initial={"key": uuid.uuid4()})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    form = _draw_form(request)
    batches = results.counted(access.visible_batches(request.user)).order_by("-created_at", "-id")
    page = paging.shown_page(batches, Asked.page(request), settings.ZOUFANG_PAGE_SIZE)  # a bad cursor: noted
    if form is None and not page.rows and not scope.has_role(request.user, scope.Role.AUDITOR):
        raise Http404
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            campaign = access.office_campaigns(request.user).get(slug=data["campaign"])
            rate, share = form.share(data["percent"]), form.share(data["flagged_percent"])
            if rate is None and data["count"] is None:  # neither given: the campaign's configured rate
                rate = services.configured_rate(campaign)
            try:  # refused at once (dates, shares, the campaign's callbacks block), not after waiting in the queue
                services.check_draw(campaign, Period(data["starts_on"], data["ends_on"]), by=request.user,
                                    rate=rate, count=data["count"], flagged_share=share, caller=data["caller"])
            except services.CallbackError as error:
                form.add_error(None, str(error))
            else:
                # The draw reads every visit of the period: in the background (docs/jobs.md); the job's page shows
                # its progress, then opens the batch.
                return start_job(request, "callbacks_draw", {
                    "campaign": campaign.slug, "starts_on": data["starts_on"].isoformat(),
                    "ends_on": data["ends_on"].isoformat(), "rate": str(rate) if rate is not None else "",
                    "count": data["count"] or "", "flagged_share": str(share) if share is not None else "",
                    "caller": str(data["caller"].public_id) if data["caller"] else "", "key": str(data["key"])})
    waiting = (findings.dissatisfied(access.office_campaigns(request.user)).filter(dissatisfied_handled_at=None).count()
               if form is not None else None)
    return render(request, "callbacks/index.html", {"form": form, "page": page, "waiting": waiting})


def _batch_rows(samples: list[CallbackSample], masker: Masker, *, office: bool) -> list[dict[str, Any]]:
    """The call list: names as the office reads its residents everywhere (the town's in full, the city's masked);
    masked for the caller until a sample's page is opened."""
    rows = []
    for sample in samples:
        target = sample.visit.target
        rows.append({"sample": sample,
                     "target_name": masker.show(Kind.NAME, target.name, target, full=None if office else False),
                     "region": target.region.name, "cadre": sample.visit.cadre})
    return rows


@login_required
def batch(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = access.get_batch(request.user, public_id)
    office = access.may_run(request.user, found.campaign)
    listed = results.listed_samples(found)
    composition = results.composition(found) if office else []
    page = paging.shown_page(listed, Asked.page(request), settings.ZOUFANG_PAGE_SIZE)
    context = {
        "batch": found, "office": office, "caller": access.is_caller(request.user, found), "page": page,
        # The results tables sum the whole batch (what they show); the call list shows one page of it.
        "tables": results.tables(found) if office else [], "headings": results.headings(),
        "composition": composition, "drawn": sum(n for _reason, n in composition),
        "rows": _batch_rows(page.rows, Masker(request.user), office=office),
        "to_verify": listed.filter(verification=CallbackSample.Verification.PENDING) if office else [],
        "unanswered": listed.filter(answers__answered="no", unanswered_handled_at=None) if office else [],
        "unsatisfied": listed.filter(answers__satisfaction="unsatisfied", dissatisfied_handled_at=None) if office else [],
    }
    return render(request, "callbacks/batch.html", context)


def office_batch(user: Any, public_id: Any) -> CallbackBatch:
    """A batch its campaign's office runs: the only ones whose results can be downloaded; Http404 otherwise."""
    found = access.get_batch(user, public_id)
    if not access.may_run(user, found.campaign):
        raise Http404
    return found


@login_required
@require_POST
def xlsx(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A batch's results over the whole campaign: built in the background (docs/jobs.md)."""
    from zoufang.jobs.views import start

    return start(request, "callbacks_xlsx", {"batch": str(public_id)})


@login_required
@require_POST
def close(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = access.get_batch(request.user, public_id)
    try:
        services.close_batch(found, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except services.AlreadyDone as done:  # a double click, or another clerk first: the batch is closed as asked
        messages.info(request, str(done))
    except services.CallbackError as error:
        messages.error(request, str(error))
    return redirect("callbacks:batch", public_id=found.public_id)


def _sample_page(request: HttpRequest, sample: CallbackSample, *, phone: str = "", call: CallForm | None = None,
                 verify: VerifyForm | None = None, reopen: ReopenForm | None = None,
                 follow_up: FollowUpForm | None = None) -> HttpResponse:
    batch_ = sample.batch
    caller = access.is_caller(request.user, batch_)
    office = access.may_run(request.user, batch_.campaign)
    script = campaign_script(batch_.campaign)
    if caller and call is None and script is not None and batch_.is_open and not sample.outcome:
        call = CallForm(script=script)
    target = sample.visit.target
    masker = Masker(request.user)
    office_reads_phone = office and bool(target.phone) and masker.full_for(target)
    if office_reads_phone:  # the office sees the household's phone in full: a read, audited as the lists audit it
        TargetPresenter(request.user).record_list_read([target], summary=_("回访样本"))
    # As the resident's copy words them (privacy); what the person said masked for a reader of them masked elsewhere.
    answers = _heard(masker, target, answer_rows(batch_.campaign, sample.answers), caller=caller)
    context = {
        "sample": sample, "batch": batch_, "caller": caller, "office": office, "call": call, "phone": phone,
        # The caller says the name on the call; anyone else reads it as everywhere (the city office masked).
        "target_name": target.name if caller else masker.show(Kind.NAME, target.name, target),
        "masked_phone": masker.show(Kind.PHONE, target.phone, target, full=office_reads_phone),
        "attempts": sample.attempts.select_related("by"), "answers": answers,
        "verify": verify or (VerifyForm() if office and sample.verification == "pending" else None),
        "reopen": reopen or (ReopenForm() if office and sample.says_unanswered and not sample.unanswered_handled_at
                             else None),
        "follow_up": follow_up or (FollowUpForm() if office and sample.says_unsatisfied
                                   and not sample.dissatisfied_handled_at else None),
        "follow_up_by": shown_name(sample.dissatisfied_handled_by) if sample.dissatisfied_handled_at else "",
        "cases": findings.answered_cases(sample) if office else [],
        "case_count": sample.visit.cases.count(),
    }
    return render(request, "callbacks/sample.html", context)


def _heard(masker: Masker, target: Any, rows: list[tuple[str, str]], *, caller: bool) -> list[tuple[str, str]]:
    """A callback's answers as this reader may read them: the caller, who heard them, as recorded; anyone else as
    they read the resident's data elsewhere (the town's office in full, the city office's numbers masked)."""
    if caller or masker.full_for(target):
        return rows
    return [(label, masker.show(Kind.FREE_TEXT, value, target, names=[target.name])) for label, value in rows]


@login_required
def sample(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = access.get_sample(request.user, public_id)
    if request.method != "POST":
        return _sample_page(request, found)
    action = request.POST.get("do")
    if not _may_send(request.user, found, action):  # refused before the form is read: its errors tell nothing
        raise Http404
    try:
        if action == "call":
            return _call(request, found)
        if action == "verify":
            return _verify(request, found)
        if action == "reopen":
            return _reopen(request, found)
        if action == "follow_up":
            return _follow_up(request, found)
    except PermissionDenied:
        raise Http404 from None
    except services.AlreadyDone as done:  # a double click: the first send did it
        messages.info(request, str(done))
        return redirect("callbacks:sample", public_id=found.public_id)
    except services.CallbackError as error:
        messages.error(request, str(error))
        return redirect("callbacks:sample", public_id=found.public_id)
    raise Http404


def _may_send(user: Any, found: CallbackSample, action: str | None) -> bool:
    """Whether the user may send the sample page's form `action`: the check its action makes (services, findings)."""
    if action == "call":
        return access.is_caller(user, found.batch)
    return access.may_run(user, found.batch.campaign)


def _call(request: HttpRequest, found: CallbackSample) -> HttpResponse:
    script = campaign_script(found.batch.campaign)
    if script is None:
        raise Http404
    form = CallForm(request.POST, script=script)
    if not form.is_valid():
        return _sample_page(request, found, call=form)
    seen = request.POST.get("attempts", "")  # none from a page rendered before the form carried it
    try:
        services.record_attempt(found, by=request.user, kind=form.cleaned_data["kind"], answers=form.answers(),
                                note=form.cleaned_data["note"],
                                seen_attempts=int(seen) if seen.isascii() and seen.isdigit() and len(seen) < 6 else None)
    except services.AlreadyDone as done:  # the same call sent again: answered as the first was, saying so
        messages.info(request, str(done))
        return redirect("callbacks:batch", public_id=found.batch.public_id)
    found.refresh_from_db()
    messages.success(request, _("已记录：%(outcome)s") % {"outcome": found.get_outcome_display() or _("待再次拨打")})
    return redirect("callbacks:batch", public_id=found.batch.public_id)


def _verify(request: HttpRequest, found: CallbackSample) -> HttpResponse:
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return _sample_page(request, found, verify=form)
    data = form.cleaned_data
    services.verify(found, by=request.user, upheld=data["upheld"], explanation=data["explanation"], note=data["note"])
    messages.success(request, _("已核实：%(result)s") % {"result": found.get_verification_display()})
    return redirect("callbacks:batch", public_id=found.batch.public_id)


def _reopen(request: HttpRequest, found: CallbackSample) -> HttpResponse:
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _sample_page(request, found, reopen=form)
    reopened = findings.reopen_unanswered(found, by=request.user, note=form.cleaned_data["note"])
    messages.success(request, _("已重办 %(n)s 件问题") % {"n": len(reopened)})
    return redirect("callbacks:sample", public_id=found.public_id)


def _follow_up(request: HttpRequest, found: CallbackSample) -> HttpResponse:
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _sample_page(request, found, follow_up=form)
    findings.follow_up_dissatisfied(found, by=request.user, note=form.cleaned_data["note"])
    messages.success(request, _("已登记跟进情况"))
    return redirect("callbacks:dissatisfied")


@login_required
def dissatisfied(request: HttpRequest) -> HttpResponse:
    """The office's list of the people who told the third party they were not satisfied with the visit: the
    visit, its cadre, what they said, and whether the office has followed it up (待跟进 first counted)."""
    campaigns = access.office_campaigns(request.user)
    if not campaigns.exists():
        raise Http404
    listed = findings.dissatisfied(campaigns)
    page = paging.shown_page(listed, Asked.page(request), settings.ZOUFANG_PAGE_SIZE)
    scripts: dict[int, Script] = {}  # one parse of each campaign's call script, not one per row
    masker = Masker(request.user)  # the city office reads its towns' residents masked, as everywhere
    rows = []
    for found in page.rows:
        script = scripts.setdefault(found.batch.campaign_id, campaign_script(found.batch.campaign) or EMPTY_SCRIPT)
        target = found.visit.target
        said = script.answer_rows({k: v for k, v in found.answers.items() if k not in findings.OUTCOME_QUESTIONS})
        rows.append({"sample": found, "target_name": masker.show(Kind.NAME, target.name, target),
                     "said": _heard(masker, target, said, caller=False),
                     "by": shown_name(found.dissatisfied_handled_by) if found.dissatisfied_handled_at else ""})
    total, waiting = findings.dissatisfied_counts(listed)
    return render(request, "callbacks/dissatisfied.html", {"page": page, "rows": rows, "waiting": waiting,
                                                           "total": total})


@login_required
@require_POST
def reveal(request: HttpRequest, public_id: Any) -> HttpResponse:
    found = access.get_sample(request.user, public_id)
    try:
        phone = services.reveal_phone(found, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except services.CallbackError as error:
        messages.error(request, str(error))
        return redirect("callbacks:sample", public_id=found.public_id)
    return _sample_page(request, found, phone=phone)
