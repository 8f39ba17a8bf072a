"""Who reads and who writes a campaign's documents (scope.py decides the grants).

- the office of the campaign's area: generates, edits, issues, downloads, names the issuing office;
- leaders, assessors and the city office whose area holds the campaign: read and download;
- anyone else, a unit's handlers and cadres included: 404, as if the campaign had no documents.
"""

from typing import Any

from django.http import Http404

from zoufang.accounts import scope
from zoufang.campaigns.models import Campaign
from zoufang.documents.models import Document
from zoufang.web.dashboard import sees_campaign_stats


def readable_campaign(user: Any, slug: str) -> Campaign:
    campaign = scope.visible_campaigns(user).filter(slug=slug).first()
    if campaign is None or not sees_campaign_stats(user, campaign):
        raise Http404
    return campaign


def may_write(user: Any, campaign: Campaign) -> bool:
    """The office whose area holds the campaign (a system administrator configures, but writes no documents)."""
    return scope.holds_campaign_area(user, campaign)


def writable_campaign(user: Any, slug: str) -> Campaign:
    campaign = readable_campaign(user, slug)
    if not may_write(user, campaign):
        raise Http404
    return campaign


def document_in(campaign: Campaign, public_id: Any) -> Document:
    document = Document.objects.select_related("issuer", "campaign").filter(campaign=campaign, public_id=public_id) \
        .first()
    if document is None:
        raise Http404
    return document
