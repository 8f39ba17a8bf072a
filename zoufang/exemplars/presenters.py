"""What a 典型 shows: the published words (the resident masked unless they agreed), a draft as its reviewer reads
it, where it came from, and the 简报's 典型经验 text. Pages, API, xlsx and the 简报 all read these."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.accounts.masking import Kind, Masker, scrub
from zoufang.accounts.names import shown_name
from zoufang.campaigns.models import Campaign
from zoufang.cases.presenters import village_name
from zoufang.exemplars.models import Exemplar
from zoufang.regions.models import Region
from zoufang.registry.models import Target

# Whose name a 典型 hides: people. An enterprise or a project is named as it is (it is no one's personal data).
PERSONAL_KINDS = (*Target.HOUSEHOLD_KINDS, Target.Kind.NOTABLE_PERSON, Target.Kind.CADRE)


def people(exemplar: Exemplar) -> tuple[list[str], list[str]]:
    """(names, addresses) of the residents the 典型 is about: the visited household, the case's raiser."""
    names: list[str] = []
    addresses: list[str] = []
    visit, case = exemplar.visit, exemplar.case
    target = visit.target if visit is not None else (case.target if case is not None else None)
    if target is not None and target.kind in PERSONAL_KINDS:
        names.append(target.name)
        if target.kind in Target.HOUSEHOLD_KINDS:
            addresses.append(target.address)
    if case is not None and case.raiser_name:
        names.append(case.raiser_name)
    return names, addresses


def published(exemplar: Exemplar, value: str) -> str:
    """A text as it is published: every personal number masked; the residents' names and addresses too, unless
    the person agreed to be named (the consent on the nomination). An ID or phone number is never published."""
    if exemplar.has_consent:
        return scrub(value)
    names, addresses = people(exemplar)
    return scrub(value, names, addresses)


def public_title(exemplar: Exemplar) -> str:
    return published(exemplar, exemplar.title)


def public_text(exemplar: Exemplar) -> str:
    return published(exemplar, exemplar.text)


def source_record(exemplar: Exemplar) -> Any:
    return exemplar.visit if exemplar.visit_id else exemplar.case


def draft(exemplar: Exemplar, masker: Masker, value: str) -> str:
    """A draft as its reviewer reads (and edits) it: names as written; numbers in full only for a viewer who reads
    the source's numbers in full (the office), masked for everyone else, the 宣传报道组 included."""
    return masker.show(Kind.FREE_TEXT, value, source_record(exemplar))


@dataclass(frozen=True)
class Source:
    kind: str  # "visit" or "case"
    label: str  # 走访 / 问题
    day: dt.date
    village: str
    who: str  # the visiting cadre and unit, or the handling unit
    number: str  # the case's number; "" for a visit
    public_id: Any


def source(exemplar: Exemplar) -> Source:
    visit, case = exemplar.visit, exemplar.case
    if visit is not None:
        region: Region | None = visit.target.region
        while region is not None and region.level in ("group", "grid") and region.parent_id:
            region = region.parent
        return Source("visit", _("走访"), clock.local(visit.visited_at).date(), region.name if region else "",
                      f"{visit.cadre.unit.name} {visit.cadre.name}", "", visit.public_id)
    assert case is not None  # noqa: S101 - a 典型 has a visit or a case (exemplar_one_source)
    return Source("case", _("问题"), clock.local(case.raised_at).date(), village_name(case),
                  case.unit.name if case.unit is not None else "", case.number, case.public_id)


def nominator(exemplar: Exemplar) -> str:
    user = exemplar.created_by
    name = shown_name(user)
    return f"{name}（{exemplar.nominated_as}）" if exemplar.nominated_as else name


def published_between(campaign: Campaign, start: dt.date, end: dt.date) -> QuerySet[Exemplar]:
    """The campaign's 典型 published from `start` to `end` (Beijing dates, both included), oldest first."""
    low = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    high = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return Exemplar.objects.filter(campaign=campaign, status=Exemplar.Status.PUBLISHED, published_at__gte=low,
                                   published_at__lt=high).select_related(
        "visit__target__region__parent", "visit__cadre__unit", "case__target", "case__region__parent", "case__unit",
    ).order_by("published_at", "id")


def briefing_text(campaign: Campaign, start: dt.date, end: dt.date) -> str:
    """The 简报's 典型经验: each 典型 published in the period, its title, kind, place and text (masked as published);
    "" when there is none, so the section is left out."""
    lines = []
    for n, exemplar in enumerate(published_between(campaign, start, end), start=1):
        where = source(exemplar)
        lines.append(_("%(n)s. %(title)s（%(kind)s，%(place)s）") % {
            "n": n, "title": public_title(exemplar), "kind": exemplar.get_kind_display(),
            "place": "，".join(part for part in (where.village, where.who) if part) or campaign.scope.name})
        lines.append(" ".join(public_text(exemplar).split()))
    return "\n".join(lines)
