"""What 我的走访 needs in one request: the grouped list, progress, pace, and the data the offline form uses."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from zoufang import clock
from zoufang.campaigns.models import CaseCategory
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
        matches = [i for i in items if query in i.target.name or query in i.target.address]
        return matches[:MAX_MATCHES], list(tabs.values()), len(matches) > MAX_MATCHES
    if village not in tabs:  # the first village with someone left to visit
        village = next((t.key for t in tabs.values() if t.visited < t.total), next(iter(tabs)))
    tabs[village].current = True
    return [i for i in items if _village_key(i) == village], list(tabs.values()), False


def summary_context(cadre: Any, items: list[MyTarget], tabs: list[VillageTab]) -> dict[str, Any]:
    """The figures, 进度 and village tabs (templates _progress.html, _village_tabs.html): the page's, and the
    fragment the page fetches again after a send (my_summary)."""
    campaigns = {item.campaign.pk: item.campaign for item in items}
    today = clock.today()
    paces = [(campaign, rules.pace_for(campaign, cadre, today)) for campaign in campaigns.values()] if cadre else []
    return {
        "cadre": cadre,
        "village_tabs": tabs,
        "progress": progress(items),
        "paces": paces,
        "today": today,
        "total": len(items),
        "visited": sum(1 for item in items if item.visited),
        "open_cases": sum(len(item.open_cases) for item in items),
    }


def my_summary_context(user: Any, query: str = "", village: str = "") -> dict[str, Any]:
    """Only what summary_context needs: no questionnaires, no personal data (nothing to audit)."""
    items = assigned_targets(user)
    tabs = _one_village(items, village, query.strip()[:50])[1] if len(items) > LARGE_LIST else []
    return summary_context(cadre_of(user), items, tabs)


def my_list_context(user: Any, query: str = "", village: str = "") -> dict[str, Any]:
    cadre = cadre_of(user)
    items = assigned_targets(user)
    presenter = TargetPresenter(user)
    campaigns = {item.campaign.pk: item.campaign for item in items}
    query = query.strip()[:50]
    shown, cut = items, False
    tabs: list[VillageTab] = []
    if len(items) > LARGE_LIST:
        shown, tabs, cut = _one_village(items, village, query)
    due = [item for item in items if not item.visited][:5]
    forms: dict[str, Any] = {}
    targets: dict[str, Any] = {}
    listed = {id(item): item for item in [*shown, *due]}  # the cards shown and the 待走访 buttons
    for item in listed.values():
        target = item.target
        entries = questionnaires_for(item.campaign, target.kind) if target.kind not in {
            t["kind"] for t in targets.values() if t["campaign"] == item.campaign_slug} else None
        if entries is not None:
            for entry, version in entries:
                forms[entry["key"]] = {"title": version.spec["title"], "version": version.number,
                                       "spec": version.spec, "one_per": entry.get("one_per", "target")}
        kind_forms = [e["key"] for e in item.campaign.config.get("questionnaires") or []
                      if target.kind in e.get("target_kinds", []) and e["key"] in forms]
        modes = rules.allowed_modes(item.campaign, target, cadre) if cadre else []
        targets[str(target.public_id)] = {
            "name": target.name, "kind": target.kind, "kind_label": str(target.get_kind_display()),
            "campaign": item.campaign_slug, "forms": kind_forms,
            "modes": [[m, str(Visit.Mode(m).label)] for m in modes], "visited": item.visited,
        }
        item.phone = presenter.phone(target)  # type: ignore[attr-defined]
        item.contact_name = presenter.contact_name(target)  # type: ignore[attr-defined]
        item.legal_representative = presenter.legal_representative(target)  # type: ignore[attr-defined]
        item.id_number = presenter.id_number(target)  # type: ignore[attr-defined]
    presenter.record_list_read([item.target for item in shown], summary="我的走访显示完整电话或身份证号")
    categories = {
        campaign.slug: [[c.code, c.title] for c in CaseCategory.objects.filter(campaign=campaign,
                                                                               disabled_on__isnull=True)]
        for campaign in campaigns.values()
    }
    return {
        **summary_context(cadre, items, tabs),
        "sections": sections(shown),
        "query": query,
        "shown": len(shown),
        "matches_cut": cut,
        "due": due,
        "total_due": sum(1 for item in items if not item.visited),
        "form_data": {
            "now": timezone.localtime(clock.now()).isoformat(), "cadre": str(cadre.public_id) if cadre else "",
            "targets": targets, "forms": forms,
            "categories": categories, "texts": form_texts(),
        },
    }


def visits_of(cadre: Any) -> Any:
    return Visit.objects.filter(Q(cadre=cadre)).select_related("target__region", "campaign").order_by("-visited_at")
