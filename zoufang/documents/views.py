"""公文简报 pages: the campaign's documents, a draft's text to edit, issuing, the issued file to download."""

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zoufang import clock
from zoufang.cases import access as cases_access
from zoufang.cases import lists
from zoufang.core import paging
from zoufang.core.apiversions import posted_version
from zoufang.core.downloads import attachment
from zoufang.core.queryparams import Asked
from zoufang.documents import access, picks, services, special, summaries
from zoufang.documents.charts import ChartFontMissing
from zoufang.documents.forms import GenerateForm, IssuerForm
from zoufang.documents.models import Document
from zoufang.jobs.views import start as start_job

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def index(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.readable_campaign(request.user, slug)
    writes = access.may_write(request.user, campaign)
    documents = Document.objects.filter(campaign=campaign).select_related("issued_by").defer("content")
    issued = documents.filter(status=Document.Status.ISSUED).order_by("-issued_at", "-id")
    page = paging.shown_page(issued, Asked.page(request), settings.ZOUFANG_PAGE_SIZE)
    # Drafts are deleted or issued as the office works: the newest page of them, and whether there are more.
    issuer = services.issuer_for(campaign) if writes else None
    asked = GenerateForm.asked(request.GET) if writes else {}
    drafts = list(documents.filter(status=Document.Status.DRAFT).order_by("-created_at", "-id")
                  [: settings.ZOUFANG_PAGE_SIZE + 1]) if writes else []
    return render(request, "documents/index.html", {
        "campaign": campaign, "writes": writes, "drafts": drafts[: settings.ZOUFANG_PAGE_SIZE],
        "more_drafts": len(drafts) > settings.ZOUFANG_PAGE_SIZE, "issued": page.rows, "page": page,
        "form": GenerateForm(initial={"key": uuid.uuid4(), **asked}, campaign=campaign if writes else None),
        "picked": _picked(request.user, campaign, asked),
        "issuer_form": IssuerForm(instance=issuer) if issuer else None, "issuer_seen": _issuer_seen(issuer) if issuer else "",
        "summaries": summaries.roster(campaign) if summaries.due_of(campaign) else None,
    })


def _picked(user: Any, campaign: Any, asked: dict[str, str]) -> dict[str, Any] | None:
    """Cases the new-draft form was opened with (the case list's 生成专报, decision 0077): how many, or why they would
    be refused, said before the office confirms the period."""
    if asked.get("kind") != Document.Kind.SPECIAL or asked.get("subject") != special.CASES or not asked.get("numbers"):
        return None
    try:
        subject = services.subject_of(campaign, Document.Kind.SPECIAL, special.CASES, asked["numbers"],
                                      viewer=user)
    except services.DocumentError as error:
        return {"error": str(error)}
    return {"count": len(subject["cases"])}


@login_required
def picked(request: HttpRequest) -> HttpResponse:
    """Cases sent from 问题办理 (its ticked boxes, or its filtered list) or from a case's own page, among the viewer's
    own: on to the 专报 form of their campaign with their numbers filled in, or back to the list as it was, saying why
    not (decisions 0077, 0079)."""
    if not cases_access.may_list_cases(request.user):
        raise Http404
    filtered = request.GET.get("report") == "filtered"
    if filtered:
        cases = lists.filtered(request).cases
    else:
        cases = cases_access.visible_cases(request.user).filter(public_id__in=picks.carried_picks(request.GET))
    try:
        chosen = picks.picked_cases(request.user, cases, filtered=filtered)
    except special.SubjectError as problem:
        messages.error(request, str(problem))
        back = request.GET.copy()
        back.pop("report", None)  # the list as it was filtered and ticked, to untick or narrow
        return redirect(f"{reverse('cases:list')}?{back.urlencode()}".rstrip("?"))
    if chosen.merged:  # counted in the case each was merged into: said, not silently left out
        messages.info(request, _("已合并到其他问题的%(n)s件不列入（在合并后的问题中计）。") % {"n": chosen.merged})
    query = urlencode({"kind": Document.Kind.SPECIAL, "subject": special.CASES, "numbers": " ".join(chosen.numbers)})
    return redirect(f"{reverse('documents:index', args=[chosen.campaign.slug])}?{query}#new-title")


@login_required
@require_POST
def generate(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.writable_campaign(request.user, slug)
    form = GenerateForm(request.POST, campaign=campaign)
    if not form.is_valid():
        messages.error(request, _("请检查种类、日期和专报主题。"))
        return redirect("documents:index", slug)
    kind = form.cleaned_data["kind"]
    start, end = services.default_period(kind, clock.today())
    start, end = form.cleaned_data["starts_on"] or start, form.cleaned_data["ends_on"] or end
    value, numbers = form.cleaned_data["subject"], form.cleaned_data["numbers"]
    subject = {"subject": value, "numbers": numbers} if kind == Document.Kind.SPECIAL else {}
    try:
        services.check_period(kind, start, end)
        services.subject_of(campaign, kind, value, numbers, viewer=request.user)  # refused here at once; the job reads it again
    except services.DocumentError as error:
        messages.error(request, str(error))
        return redirect("documents:index", slug)
    return start_job(request, "document_generate", {"slug": slug, "kind": kind, "starts_on": start.isoformat(),
                                                    "ends_on": end.isoformat(), "key": str(form.cleaned_data["key"]),
                                                    **subject})


def _issuer_seen(issuer: Any) -> str:
    return json.dumps({name: getattr(issuer, name) for name in IssuerForm.Meta.fields}, ensure_ascii=False)


def _seen_issuer(request: HttpRequest) -> dict[str, str] | None:
    """The issuer's fields as the form showed them (`issuer_seen`); none from a form rendered before it carried them."""
    try:
        seen = json.loads(request.POST.get("seen", ""))
    except ValueError:
        return None
    return {str(k): str(v) for k, v in seen.items()} if isinstance(seen, dict) else None


@login_required
@require_POST
def issuer(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = access.writable_campaign(request.user, slug)
    current = services.issuer_for(campaign)
    form = IssuerForm(request.POST, instance=services.issuer_for(campaign))
    if form.is_valid():
        try:
            services.update_issuer(current, {name: form.cleaned_data[name] for name in form.fields}, by=request.user,
                                   seen=_seen_issuer(request))
        except services.StaleIssuer as stale:
            messages.error(request, str(stale))
        else:
            messages.success(request, _("发文机关信息已保存。"))
    else:
        messages.error(request, _("发文机关信息有误：%(errors)s") % {"errors": form.errors.as_text()})
    return redirect("documents:index", slug)


@login_required
def detail(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    campaign = access.readable_campaign(request.user, slug)
    writes = access.may_write(request.user, campaign)
    document = access.document_in(campaign, public_id)
    if not document.issued and not writes:
        raise Http404
    error = ""
    if request.method == "POST":
        if not writes or document.issued:
            raise Http404
        texts = {item["key"]: request.POST.get(f"text-{item['key']}", item["text"]) for item in document.sections}
        title = request.POST.get("title", document.title)
        addressee = request.POST.get("addressee", document.addressee)
        copy_to = request.POST.get("copy_to") if document.kind == Document.Kind.SPECIAL else None
        try:
            document = services.update_draft(document, title=title, addressee=addressee, texts=texts,
                                             by=request.user, version=_version(request), copy_to=copy_to)
        except services.StaleDraft as stale:
            # Saved by someone else meanwhile: show the editor's own text again, at the version now stored, so
            # saving it again is a decision taken after reading the message, never a silent overwrite.
            error = str(stale)
            document = stale.current
            document.title, document.addressee = title, addressee
            document.copy_to = copy_to if copy_to is not None else document.copy_to
            document.sections = [{**item, "text": texts.get(item["key"], item["text"])} for item in document.sections]
        except services.DocumentError as problem:
            error = str(problem)
        else:
            messages.success(request, _("草稿已保存。"))
            return redirect("documents:detail", slug, document.public_id)
    # A refused save shows the clerk's own text, not the stored one: issuing or deleting from that page would act on a
    # text nobody on it has read, so those wait until it is saved or the page read again.
    return render(request, "documents/detail.html", {
        "campaign": campaign, "document": document, "writes": writes and not document.issued, "error": error,
        "unsaved": request.method == "POST",
    })


def _version(request: HttpRequest) -> int | None:
    """The version the page was rendered at (a hidden field); None from a page older than the field."""
    return posted_version(request.POST.get("version"))


@login_required
@require_POST
def issue(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    """Numbered, rendered and stored in the background (the job's page, then 我的下载 holds the issued file)."""
    campaign = access.writable_campaign(request.user, slug)
    document = access.document_in(campaign, public_id)
    if document.issued:
        messages.error(request, _("该文稿已印发，不能再次印发。"))
        return redirect("documents:detail", slug, document.public_id)
    version = _version(request)
    try:  # refused at once; the job checks the version again when it issues
        services.check_unchanged(document, version, _("印发"))
    except services.DraftChanged as changed:
        messages.error(request, str(changed))
        return redirect("documents:detail", slug, document.public_id)
    return start_job(request, "document_issue", {"slug": slug, "document": str(document.public_id),
                                                 **({"version": version} if version is not None else {})})


@login_required
def download(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    """An issued document's stored file, served at once. A draft's Word is rendered in the background (preview)."""
    campaign = access.readable_campaign(request.user, slug)
    document = access.document_in(campaign, public_id)
    if not document.issued and not access.may_write(request.user, campaign):
        raise Http404
    if not document.issued:
        messages.info(request, _("草稿的 Word 在后台生成，请点“预览 Word”。"))
        return redirect("documents:detail", slug, document.public_id)
    try:
        data = services.file_of(document, by=request.user)
    except services.TamperedFile:
        return render(request, "documents/tampered.html", {"campaign": campaign, "document": document}, status=409)
    except ChartFontMissing as problem:
        messages.error(request, str(problem))
        return redirect("documents:detail", slug, document.public_id)
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = attachment(f"{services.file_name(document)}.docx")
    return response


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    """The office deletes a draft (never an issued document)."""
    campaign = access.writable_campaign(request.user, slug)
    title = services.deleted_by(campaign, public_id, request.user)
    if title is not None:  # this delete sent again (decision 0058): it was done
        messages.success(request, _("草稿已删除：%(title)s") % {"title": title})
        return redirect("documents:index", slug)
    document = access.document_in(campaign, public_id)
    try:
        services.delete_draft(document, by=request.user, version=_version(request))
    except services.DocumentError as problem:
        messages.error(request, str(problem))
        return redirect("documents:detail", slug, document.public_id) if Document.objects.filter(
            pk=document.pk).exists() else redirect("documents:index", slug)
    messages.success(request, _("草稿已删除：%(title)s") % {"title": document.title})
    return redirect("documents:index", slug)


@login_required
@require_POST
def preview(request: HttpRequest, slug: str, public_id: Any) -> HttpResponse:
    """A draft's Word, rendered from its figures in the background (docs/jobs.md); the office only, as before."""
    campaign = access.writable_campaign(request.user, slug)
    if access.document_in(campaign, public_id).issued:  # issued meanwhile: its stored file, as it was printed
        return redirect("documents:download", slug, public_id)
    return start_job(request, "document_draft", {"slug": slug, "document": str(public_id)})
