"""组织机构与工作机制 (decision 0076): read by every account that sees the campaign; 404 for any other."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from zoufang.accounts import scope
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.organisation import may_read, organisation_of
from zoufang.web.dashboard import choose_campaign


def _page(request: HttpRequest, campaign: Campaign, campaigns: list[Campaign]) -> HttpResponse:
    return render(request, "campaigns/organisation.html", {
        "campaign": campaign, "campaigns": campaigns, "organisation": organisation_of(request.user, campaign)})


@login_required
def organisation_index(request: HttpRequest) -> HttpResponse:
    """The menu's 组织机构: the campaign asked for (?campaign=), else the latest the user sees."""
    if not may_read(request.user):
        raise Http404
    campaigns = list(scope.visible_campaigns(request.user))
    if not campaigns:
        return render(request, "campaigns/organisation.html", {"campaign": None, "campaigns": []})
    return _page(request, choose_campaign(campaigns, request.GET.get("campaign")) or campaigns[0], campaigns)


@login_required
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    campaigns = list(scope.visible_campaigns(request.user))
    campaign = next((c for c in campaigns if c.slug == slug), None)
    if campaign is None:
        raise Http404
    return _page(request, campaign, campaigns)
