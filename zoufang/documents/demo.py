"""The demo's part: the 锦溪镇 office has issued its first 通报 (the quarter so far) and its 简报 第1期 (the last
seven days), both generated from the demo's figures and issued through the real services on the demo day.
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
            say(_("印发%(kind)s：%(reference)s %(issued_title)s") % {
                "kind": issued.get_kind_display(), "reference": issued.reference, "issued_title": issued.title,
            })
