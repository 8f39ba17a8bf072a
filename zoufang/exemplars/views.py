"""典型 pages: nominate (from a visit or a case), the campaign's published list (xlsx), the review queue, one 典型
(edit, publish, decline, record consent). Thin: the rules are in access.py, the changes in services.py."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang.accounts import audit, scope
from zoufang.accounts.masking import Masker
from zoufang.accounts.models import AuditEvent
from zoufang.cases.access import get_visible_case
from zoufang.core import paging
from zoufang.core.queryparams import Asked
from zoufang.exemplars import access, export, presenters, services
from zoufang.exemplars.forms import (
    CONSENT_HELP,
    ConsentForm,
    DeclineForm,
    EditForm,
    NominateForm,
    VersionForm,
)
from zoufang.exemplars.models import Exemplar
from zoufang.oversight.views import xlsx_response
from zoufang.visits.services import get_visible_visit

HERE = "exemplars"


@login_required
def index(request: HttpRequest) -> HttpResponse:
    campaigns = access.campaigns(request.user)
    if not campaigns:
        raise Http404
    if len(campaigns) == 1:  # the one campaign's list, shown here: the nav's link opens, not redirects
        return published_list(request, campaigns[0].slug)
    return render(request, "exemplars/index.html", {"campaigns": campaigns, "here": HERE})


def _rows(exemplars: Any) -> list[dict[str, Any]]:
    return [{"exemplar": e, "title": presenters.public_title(e), "text": presenters.public_text(e),
             "source": presenters.source(e)} for e in exemplars]


def _related() -> tuple[str, ...]:
    return ("visit__target__region__parent", "visit__cadre__unit", "case__target", "case__region__parent",
            "case__unit", "created_by")


@login_required
def published_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.campaign_for(request.user, slug)
    asked = Asked.page(request)  # a bad kind or cursor: every kind, the first page, with a notice (decision 0035)
    kind = asked.choice("kind", Exemplar.Kind.values, "", lambda key: str(Exemplar.Kind(key).label))
    rows = access.visible(request.user, campaign).filter(status=Exemplar.Status.PUBLISHED)
    if kind:
        rows = rows.filter(kind=kind)
    page = paging.shown_page(rows.select_related(*_related()).order_by("-published_at", "-id"),
                             asked, settings.ZOUFANG_PAGE_SIZE)
    return render(request, "exemplars/list.html", {
        "campaign": campaign, "rows": _rows(page.rows), "page": page,
        "kinds": Exemplar.Kind.choices, "kind": kind, "here": HERE, **_tabs(request, campaign),
    })


def _tabs(request: HttpRequest, campaign: Any) -> dict[str, Any]:
    everyone = access.sees_every_draft(request.user, campaign)
    pending = access.visible(request.user, campaign).filter(status=Exemplar.Status.PENDING)
    if not everyone:
        pending = pending.filter(created_by=request.user.pk)
    return {"pending_count": pending.count(), "reviewer": access.reviews(request.user, campaign),
            "sees_queue": everyone or access.visible(request.user, campaign).filter(created_by=request.user.pk).exists()}


@login_required
def xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.campaign_for(request.user, slug)
    rows = access.visible(request.user, campaign).filter(status=Exemplar.Status.PUBLISHED) \
        .select_related(*_related()).order_by("published_at", "id")
    data = export.workbook(campaign, list(rows))
    audit.record(request.user, AuditEvent.Action.EXPORT, campaign, summary=_("导出典型名单：%(campaign)s") % {"campaign": campaign.name})
    return xlsx_response(data, _("%(campaign)s典型名单") % {"campaign": campaign.name})


@login_required
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """The 宣传报道组's (and the office's) pending and declined nominations; for anyone else, their own."""
    campaign = access.campaign_for(request.user, slug)
    rows = access.visible(request.user, campaign).exclude(status=Exemplar.Status.PUBLISHED)
    everyone = access.sees_every_draft(request.user, campaign)
    if not everyone:
        rows = access.visible(request.user, campaign).filter(created_by=request.user.pk)
    page = paging.shown_page(rows.select_related(*_related()).order_by("-status", "created_at", "id"),  # pending first
                             Asked.page(request), settings.ZOUFANG_PAGE_SIZE)
    masker = Masker(request.user)
    items = [{"exemplar": e, "title": presenters.draft(e, masker, e.title), "source": presenters.source(e),
              "nominator": presenters.nominator(e)} for e in page.rows]
    return render(request, "exemplars/queue.html", {
        "campaign": campaign, "items": items, "page": page, "everyone": everyone, "here": HERE, **_tabs(request, campaign)})


def _source_link(user: Any, exemplar: Exemplar) -> str:
    """The visit's or case's own page, when the viewer may open it."""
    from django.urls import reverse

    from zoufang.cases.access import visible_cases

    if exemplar.visit is not None and scope.visible_visits(user).filter(pk=exemplar.visit.pk).exists():
        return reverse("visits:visit", args=[exemplar.visit.public_id])
    if exemplar.case is not None and visible_cases(user).filter(pk=exemplar.case.pk).exists():
        return reverse("cases:detail", args=[exemplar.case.public_id])
    return ""


def _detail_context(request: HttpRequest, exemplar: Exemplar, **forms: Any) -> dict[str, Any]:
    user = request.user
    campaign = exemplar.campaign
    masker = Masker(user)
    reviewer = access.reviews(user, campaign)
    pending = exemplar.status == Exemplar.Status.PENDING
    editable = reviewer and pending
    if editable and "edit_form" not in forms:
        forms["edit_form"] = EditForm(initial={
            "version": exemplar.version, "title": presenters.draft(exemplar, masker, exemplar.title),
            "text": presenters.draft(exemplar, masker, exemplar.text)})
    consent_allowed = exemplar.status != Exemplar.Status.DECLINED and services.may_record_consent(user, exemplar)
    return {
        "campaign": campaign, "exemplar": exemplar, "source": presenters.source(exemplar),
        "source_link": _source_link(user, exemplar), "nominator": presenters.nominator(exemplar),
        "public_title": presenters.public_title(exemplar), "public_text": presenters.public_text(exemplar),
        "draft_title": presenters.draft(exemplar, masker, exemplar.title),
        "draft_text": presenters.draft(exemplar, masker, exemplar.text),
        "may_see_draft": pending or exemplar.status == Exemplar.Status.DECLINED,
        "editable": editable, "reviewer": reviewer,
        "decline_form": forms.get("decline_form") or DeclineForm(initial={"version": exemplar.version}),
        "edit_form": forms.get("edit_form"), "publish_form": forms.get("publish_form"),
        "consent_form": (forms.get("consent_form") or ConsentForm(initial={"version": exemplar.version}))
        if consent_allowed and not exemplar.has_consent else None,
        "consent_help": CONSENT_HELP,
        "revisions": exemplar.revisions.select_related("by").order_by("-version") if access.sees_every_draft(
            user, campaign) or exemplar.created_by_id == user.pk else [],
        "here": HERE,
    }


@login_required
def detail(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    exemplar = access.exemplar_for(request.user, slug, public_id)
    return render(request, "exemplars/detail.html", _detail_context(request, exemplar))


def _act(request: HttpRequest, exemplar: Exemplar, may: bool, form: Any, action: Any, done: str,
         form_key: str) -> HttpResponse:
    """`may`: the action's own permission check, asked before the form is read (its errors would tell a refused user
    what it would have done)."""
    if not may:
        raise Http404
    status = 400
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except services.ExemplarError as exc:
            form.add_error(None, str(exc))
            status = 409 if isinstance(exc, services.StaleVersion) else 400  # another's change came first
        else:
            messages.success(request, done)
            return redirect("exemplars:detail", exemplar.campaign.slug, exemplar.public_id)
    return render(request, "exemplars/detail.html", _detail_context(request, exemplar, **{form_key: form}),
                  status=status)


@login_required
@require_POST
def edit(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    exemplar = access.exemplar_for(request.user, slug, public_id)
    return _act(request, exemplar, access.reviews(request.user, exemplar.campaign), EditForm(request.POST),
                lambda data: services.edit(exemplar, title=data["title"], text=data["text"], note=data["note"],
                                           by=request.user, version=data["version"]),
                _("已保存修改（新的版本）"), "edit_form")


@login_required
@require_POST
def publish(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    exemplar = access.exemplar_for(request.user, slug, public_id)
    return _act(request, exemplar, access.reviews(request.user, exemplar.campaign), VersionForm(request.POST),
                lambda data: services.publish(exemplar, by=request.user, version=data["version"]),
                _("已发布，将列入典型名单和下一期简报"), "publish_form")


@login_required
@require_POST
def decline(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    exemplar = access.exemplar_for(request.user, slug, public_id)
    return _act(request, exemplar, access.reviews(request.user, exemplar.campaign), DeclineForm(request.POST),
                lambda data: services.decline(exemplar, by=request.user, version=data["version"],
                                              reason=data["reason"]),
                _("已退回推荐人（不采用）"), "decline_form")


@login_required
@require_POST
def consent(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    exemplar = access.exemplar_for(request.user, slug, public_id)
    return _act(request, exemplar, services.may_record_consent(request.user, exemplar), ConsentForm(request.POST),
                lambda data: services.record_consent(
                    exemplar, person=data["consent_person"], method=data["consent_method"], on=data["consent_on"],
                    by=request.user, version=data["version"]),
                _("已登记本人同意公开"), "consent_form")


def _nominate(request: HttpRequest, source: Any) -> HttpResponse:
    nominated_as = access.nominating_as(request.user, source)
    if nominated_as is None:
        raise Http404
    form = NominateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                exemplar, _created = services.nominate(
                    source, kind=data["kind"], title=data["title"], text=data["text"], by=request.user,
                    submission_id=data["submission_id"], consent_person=data["consent_person"],
                    consent_method=data["consent_method"], consent_on=data["consent_on"])
            except services.ExemplarError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已推荐，等待宣传报道组审核"))
                return redirect("exemplars:detail", exemplar.campaign.slug, exemplar.public_id)
        status = 400
    return render(request, "exemplars/nominate.html", {
        "form": form, "source": source, "is_visit": hasattr(source, "visited_at"), "nominated_as": nominated_as,
        "campaign": source.campaign, "consent_help": CONSENT_HELP, "here": HERE,
    }, status=status)


@login_required
def nominate_visit(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _nominate(request, get_visible_visit(request.user, public_id))


@login_required
def nominate_case(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _nominate(request, get_visible_case(request.user, public_id))
