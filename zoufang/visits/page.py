"""What 我的走访 needs in one request: the grouped list, progress, pace, and the data the offline form uses."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from zoufang import clock
from zoufang.campaigns.models import CaseCategory
from zoufang.cases.access import read_on_their_visit
from zoufang.core.names import canonical_dots
from zoufang.forms.services import questionnaires_for
from zoufang.registry.presenters import TargetPresenter
from zoufang.visits import rules
from zoufang.visits.form_texts import form_texts
from zoufang.visits.models import Visit
from zoufang.visits.mylist import MyTarget, assigned_targets, progress, sections
from zoufang.visits.services import cadre_of

# Above this many targets (a 兜底 village cadre) the page shows one village at a time, or the matches of a
# search, so the phone's first load stays inside its budget; progress and 待走访 still count everything.
LARGE_LIST = 250
MAX_MATCHES = 200
DUE_LISTED = 5  # 待走访: the first targets not yet visited, in the list's order


@dataclass
class VillageTab:
    key: str
    name: str
    total: int
    visited: int
    current: bool = False


def _village_key(item: MyTarget) -> str:
    return str(item.village.public_id) if item.village else "other"


def _one_village(items: list[MyTarget], village: str, query: str) -> tuple[list[MyTarget], list[VillageTab], bool]:
    """The targets to show, the villages to switch between, and whether the matches were cut short."""
    tabs: dict[str, VillageTab] = {}
    for item in items:
        key = _village_key(item)
        tab = tabs.setdefault(key, VillageTab(key, item.village.name if item.village else "其他", 0, 0))
        tab.total += 1
        tab.visited += int(item.visited)
    if query:
        name = canonical_dots(query)  # names are stored with the standard's dot (decision 0069)
        matches = [i for i in items if name in i.target.name or query in i.target.address]
        return matches[:MAX_MATCHES], list(tabs.values()), len(matches) > MAX_MATCHES
    if village not in tabs:  # the first village with someone left to visit
        village = next((t.key for t in tabs.values() if t.visited < t.total), next(iter(tabs)))
    tabs[village].current = True
    return [i for i in items if _village_key(i) == village], list(tabs.values()), False


def summary_context(cadre: Any, items: list[MyTarget], tabs: list[VillageTab]) -> dict[str, Any]:
    """The figures, 进度, 待走访 and village tabs (templates _progress.html, _due.html, _village_tabs.html): the
    page's, and the fragment the page fetches again after a send (my_summary)."""
    campaigns = {item.campaign.pk: item.campaign for item in items}
    today = clock.today()
    paces = [(campaign, rules.pace_for(campaign, cadre, today)) for campaign in campaigns.values()] if cadre else []
    unvisited = [item for item in items if not item.visited]
    return {
        "cadre": cadre,
        "village_tabs": tabs,
        "progress": progress(items),
        "paces": paces,
        "today": today,
        "total": len(items),
        "visited": len(items) - len(unvisited),
        "open_cases": sum(len(item.open_cases) for item in items),
        "due": unvisited[:DUE_LISTED],
        "total_due": len(unvisited),
    }


def _shown(items: list[MyTarget], query: str, village: str) -> tuple[list[MyTarget], list[VillageTab], bool]:
    """The cards the page lists (every target, or one village's or a search's over LARGE_LIST), its village tabs,
    and whether the matches were cut short."""
    if len(items) > LARGE_LIST:
        return _one_village(items, village, query)
    return items, [], False


def my_summary_context(user: Any, query: str = "", village: str = "") -> dict[str, Any]:
    """What summary_context needs, and the form data of the 待走访 whose cards the page does not list (over
    LARGE_LIST, another village's): no phone or ID number (nothing to audit)."""
    cadre = cadre_of(user)
    items = assigned_targets(user)
    shown, tabs, _cut = _shown(items, query.strip()[:50], village)
    context = summary_context(cadre, items, tabs)
    on_page = {id(item) for item in shown}
    targets, forms = visit_form_data(cadre, [item for item in context["due"] if id(item) not in on_page])
    # the page has its own cards' questionnaires: only those of other kinds come along
    kinds_on_page = {(item.campaign_slug, item.target.kind): item.campaign for item in shown}
    forms_on_page = {key for (_slug, kind), campaign in kinds_on_page.items() for key in _questionnaires(campaign, kind)}
    return {**context, "due_data": {"targets": targets,
                                    "forms": {k: v for k, v in forms.items() if k not in forms_on_page}}}


def _questionnaires(campaign: Any, kind: str) -> list[str]:
    """The keys of the questionnaires the campaign's configuration asks of a target kind, in its order."""
    return [e["key"] for e in campaign.config.get("questionnaires") or [] if kind in e.get("target_kinds", [])]


def visit_form_data(cadre: Any, items: list[MyTarget]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the phone's visit form needs for these targets: each one's entry (name, kind, questionnaires, modes),
    and the questionnaires of their kinds, read once per campaign and kind."""
    forms: dict[str, Any] = {}
    targets: dict[str, Any] = {}
    read: set[tuple[str, str]] = set()
    for item in items:
        target = item.target
        if (item.campaign_slug, target.kind) not in read:
            read.add((item.campaign_slug, target.kind))
            for entry, version in questionnaires_for(item.campaign, target.kind):
                forms[entry["key"]] = {"title": version.spec["title"], "version": version.number,
                                       "spec": version.spec, "one_per": entry.get("one_per", "target")}
        kind_forms = [key for key in _questionnaires(item.campaign, target.kind) if key in forms]
        modes = rules.allowed_modes(item.campaign, target, cadre) if cadre else []
        targets[str(target.public_id)] = {
            "name": target.name, "kind": target.kind, "kind_label": str(target.get_kind_display()),
            "campaign": item.campaign_slug, "forms": kind_forms,
            "modes": [[m, str(Visit.Mode(m).label)] for m in modes], "visited": item.visited,
        }
    return targets, forms


def my_list_context(user: Any, query: str = "", village: str = "") -> dict[str, Any]:
    cadre = cadre_of(user)
    items = assigned_targets(user)
    presenter = TargetPresenter(user)
    campaigns = {item.campaign.pk: item.campaign for item in items}
    query = query.strip()[:50]
    shown, tabs, cut = _shown(items, query, village)
    summary = summary_context(cadre, items, tabs)
    due: list[MyTarget] = summary["due"]
    listed = {id(item): item for item in [*shown, *due]}  # the cards shown and the 待走访 buttons
    targets, forms = visit_form_data(cadre, list(listed.values()))
    for item in listed.values():
        target = item.target
        item.phone = presenter.phone(target)  # type: ignore[attr-defined]
        item.contact_name = presenter.contact_name(target)  # type: ignore[attr-defined]
        item.legal_representative = presenter.legal_representative(target)  # type: ignore[attr-defined]
        item.id_number = presenter.id_number(target)  # type: ignore[attr-defined]
    presenter.record_list_read([item.target for item in shown], summary="我的走访显示完整电话或身份证号")
    _link_opinions(user, shown)
    categories = {
        campaign.slug: [[c.code, c.title] for c in CaseCategory.objects.filter(campaign=campaign,
                                                                               disabled_on__isnull=True)]
        for campaign in campaigns.values()
    }
    return {
        **summary,
        "rendered_at": clock.minute(clock.now()),  # what an offline copy of the page says it shows (visits.js)
        "sections": sections(shown),
        "query": query,
        "shown": len(shown),
        "matches_cut": cut,
        "form_data": {
            "now": timezone.localtime(clock.now()).isoformat(), "cadre": str(cadre.public_id) if cadre else "",
            "targets": targets, "forms": forms,
            "categories": categories, "texts": form_texts(),
        },
    }


def _link_opinions(user: Any, items: list[MyTarget]) -> None:
    """Each open case the cards list links to where the user reads it: the page of the visit that collected it, at
    the opinion (the case page is the handling record, not a visiting cadre's: decision 0057)."""
    read = read_on_their_visit(user, [case for item in items for case in item.open_cases])
    for item in items:
        item.opinion_urls = {
            case.pk: f"{reverse('visits:visit', args=[case.source_visit.public_id])}#opinion-{case.public_id}"
            for case in item.open_cases if case.pk in read and case.source_visit is not None}


def visits_of(cadre: Any) -> Any:
    return Visit.objects.filter(Q(cadre=cadre)).select_related("target__region", "campaign").order_by("-visited_at")
