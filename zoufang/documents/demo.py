"""The demo's part: the 锦溪镇 office has issued its first 通报 (the quarter so far), its 简报 第1期 (the last
seven days) and its 专报 第1期 on the category the people raised most since the campaign began (decision 0074),
all generated from the demo's figures and issued through the real services on the demo day.
Deterministic and safe to run twice (nothing is made when the campaign already has an issued document)."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.documents import services
from zoufang.documents.models import Document

DEMO_DAY = "2017-06-15"
COPY_TO = "市走访办，镇纪委"


def issue_demo_documents(campaign: Any, say: Callable[[str], Any]) -> None:
    office = get_user_model().objects.filter(username="office").first()
    if office is None or Document.objects.filter(campaign=campaign, status=Document.Status.ISSUED).exists():
        return
    with override_settings(ZOUFANG_TODAY=DEMO_DAY):
        issuer = services.issuer_for(campaign)
        if not issuer.copy_to:
            services.update_issuer(issuer, {"copy_to": COPY_TO}, by=office)
        for kind in (Document.Kind.CIRCULAR, Document.Kind.BRIEFING):
            start, end = services.default_period(kind, clock.today())
            draft = services.generate_draft(campaign, kind, start, end, by=office)
            issued = services.issue_document(draft, by=office)
            _said(say, issued)
        subject = most_raised(campaign)
        if subject is not None:
            start, end = campaign.starts_on, clock.today()
            chosen = services.subject_of(campaign, Document.Kind.SPECIAL, subject, viewer=office)
            draft = services.generate_draft(campaign, Document.Kind.SPECIAL, start, end, by=office, subject=chosen)
            _said(say, services.issue_document(draft, by=office))


def _said(say: Callable[[str], Any], issued: Document) -> None:
    say(_("印发%(kind)s：%(reference)s %(issued_title)s") % {
        "kind": issued.get_kind_display(), "reference": issued.reference, "issued_title": issued.title,
    })


def most_raised(campaign: Any) -> str | None:
    """The 专报's subject: the top-level category of most cases (the dashboard's grouping), as the form names it."""
    from zoufang.oversight import figures

    rows = [row for row in figures.case_figures(campaign, "category", clock.today()).rows if row.key is not None]
    if not rows:
        return None
    top = max(rows, key=lambda row: (row.total, -row.key.sort_order))
    return f"category:{top.key.pk}"
