"""The documents' background jobs (docs/jobs.md): a draft's figures computed over the whole town, a draft's Word
preview, and issuing (numbered, rendered and stored in one transaction). Each checks the office's write access when
asked, when built and when fetched, as the pages do; a retry never makes a second draft nor numbers twice."""

import datetime as dt
import uuid
from typing import IO, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.core.progress import Progress
from zoufang.jobs.kinds import Kind, Made, Refused, Resolved, _at_once, register


def _draft_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.documents import access, services

    campaign = access.writable_campaign(user, str(params.get("slug")))
    document = access.document_in(campaign, params.get("document"))
    version = params.get("version")  # the draft as the issuer read it (the page's or the API client's), if given
    seen = {"version": version} if isinstance(version, int) and not isinstance(version, bool) else {}
    return Resolved({"slug": campaign.slug, "document": str(document.public_id), "fmt": "docx", **seen},
                    _("%(kind)s：%(reference)s %(title)s") % {
                        "kind": document.get_kind_display(), "reference": document.reference or _("草稿"),
                        "title": document.title,
                    },
                    f"{services.file_name(document)}.docx", campaign=campaign, region=campaign.scope, obj=document,
                    extra={"document": document})


def _draft_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.documents import render

    document = resolved.extra["document"]
    _at_once(out, progress, lambda: render.docx_bytes(document))
    return _("下载%(kind)s：%(reference)s %(document_title)s") % {
        "kind": document.get_kind_display(), "reference": document.reference or _("草稿"),
        "document_title": document.title,
    }


def _document_made(params: dict[str, Any]) -> Made | None:
    from zoufang.documents.models import Document

    found = Document.objects.filter(campaign__slug=params.get("slug"))
    if params.get("key"):
        document = found.filter(request_key=params["key"]).first()
    else:
        document = found.filter(public_id=str(params.get("document", ""))).first()
    if document is None:
        return None
    label = (_("打开草稿") if not document.issued
             else _("打开%(name)s") % {"name": document.reference or document.get_kind_display()})
    return Made(label, reverse("documents:detail", args=[document.campaign.slug, document.public_id]),
                reverse("api:get_document", kwargs={"slug": document.campaign.slug, "document_id": document.public_id}))


register(Kind("document_draft", _draft_resolve, _draft_build, made=_document_made))


# ---------------------------------------------------------------- generating a draft (its figures: the whole town)

def _generate_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from django.http import Http404

    from zoufang.documents import access, services
    from zoufang.documents.models import Document

    campaign = access.writable_campaign(user, str(params.get("slug")))
    kind = str(params.get("kind", ""))
    try:
        start, end = dt.date.fromisoformat(str(params["starts_on"])), dt.date.fromisoformat(str(params["ends_on"]))
        key = uuid.UUID(str(params["key"]))
    except (KeyError, ValueError):
        raise Http404 from None
    if kind not in Document.Kind.values:
        raise Http404
    value, numbers = str(params.get("subject", "")), str(params.get("numbers", ""))
    try:  # a 专报's subject, read again now (a village or a unit may have left the campaign since)
        subject = services.subject_of(campaign, kind, value, numbers, viewer=user)
    except services.DocumentError:
        raise Http404 from None
    label = str(Document.Kind(kind).label)
    if subject:
        label = f"{label}（{subject['label']}）"
    period = clock.span(start, end)
    chosen = {"subject": value, "numbers": numbers} if subject else {}
    return Resolved({"slug": campaign.slug, "kind": kind, "starts_on": start.isoformat(), "ends_on": end.isoformat(),
                     "key": str(key), "fmt": "docx", **chosen}, _("生成%(label)s草稿（%(period)s）") % {
                         "label": label, "period": period,
                     }, _("%(label)s草稿-%(period)s.docx") % {
                         "label": label, "period": period,
                     },
                    campaign=campaign, region=campaign.scope, obj=campaign,
                    extra={"kind": kind, "start": start, "end": end, "key": key, "subject": subject})


def _generate_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    """Compute the draft's figures and save it (once per request key), then write its Word preview."""
    from zoufang.documents import render, services
    from zoufang.documents.charts import ChartFontMissing

    extra = resolved.extra
    steps = 3

    def figures(done: int, total: int) -> None:
        progress(done, steps)

    try:
        document = services.generate_draft(resolved.campaign, extra["kind"], extra["start"], extra["end"], by=user,
                                           key=extra["key"], progress=figures, subject=extra.get("subject"))
        progress(2, steps)
        out.write(render.docx_bytes(document))
    except (services.DocumentError, ChartFontMissing) as problem:
        raise Refused(str(problem)) from problem
    progress(steps, steps)
    return _("生成%(kind)s草稿：%(document_title)s") % {
        "kind": document.get_kind_display(), "document_title": document.title,
    }


register(Kind("document_generate", _generate_resolve, _generate_build, made=_document_made,
              request_key=True, writes=True))


# ---------------------------------------------------------------- issuing (numbered, rendered, stored)

def _issue_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.documents import access

    campaign = access.writable_campaign(user, str(params.get("slug")))
    document = access.document_in(campaign, params.get("document"))
    version = params.get("version")  # the draft as the issuer read it (the page's or the API client's), if given
    seen = {"version": version} if isinstance(version, int) and not isinstance(version, bool) else {}
    return Resolved({"slug": campaign.slug, "document": str(document.public_id), "fmt": "docx", **seen},
                    _("印发%(kind)s：%(document_title)s") % {
                        "kind": document.get_kind_display(), "document_title": document.title,
                    }, f"{document.title}.docx",
                    campaign=campaign, region=campaign.scope, obj=document, extra={"document": document})


def _issue_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    """Issue the draft (one transaction: numbered, rendered, stored with its hash, audited) and give its file. A
    document already issued when the job runs (a retry after the worker died past the commit) is not issued again:
    its stored file is the result."""
    import hashlib

    from zoufang.documents import services
    from zoufang.documents.charts import ChartFontMissing
    from zoufang.documents.models import Document

    progress(0, 2)
    document = Document.objects.get(pk=resolved.extra["document"].pk)
    if not document.issued:
        try:
            document = services.issue_document(document, by=user, version=resolved.params.get("version"))
        except (services.DocumentError, ChartFontMissing) as problem:
            raise Refused(str(problem)) from problem
    progress(1, 2)
    data = bytes(document.content or b"")
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise Refused(services.tampered_message(document.reference))
    out.write(data)
    progress(2, 2)
    return _("印发%(kind)s：%(reference)s %(document_title)s") % {
        "kind": document.get_kind_display(), "reference": document.reference, "document_title": document.title,
    }


register(Kind("document_issue", _issue_resolve, _issue_build, made=_document_made, writes=True))
