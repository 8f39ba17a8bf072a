"""What 我的走访 needs in one request: the grouped list, progress, pace, and the data the offline form uses."""

from typing import Any

from django.db.models import Q
from django.utils import timezone

from zoufang import clock
from zoufang.campaigns.models import CaseCategory
from zoufang.forms.services import questionnaires_for
from zoufang.registry.presenters import TargetPresenter
from zoufang.visits import rules
from zoufang.visits.models import Visit
from zoufang.visits.mylist import assigned_targets, progress, sections
from zoufang.visits.services import cadre_of


def my_list_context(user: Any, query: str = "") -> dict[str, Any]:
    cadre = cadre_of(user)
    items = assigned_targets(user)
    presenter = TargetPresenter(user)
    today = clock.today()
    campaigns = {item.campaign.pk: item.campaign for item in items}
    forms: dict[str, Any] = {}
    targets: dict[str, Any] = {}
    for item in items:
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
            "modes": [[m, str(Visit.Mode(m).label)] for m in modes],
        }
        item.phone = presenter.phone(target)  # type: ignore[attr-defined]
        item.id_number = presenter.id_number(target)  # type: ignore[attr-defined]
    presenter.record_list_read([item.target for item in items], summary="我的走访显示完整电话或身份证号")
    categories = {
        campaign.slug: [[c.code, c.title] for c in CaseCategory.objects.filter(campaign=campaign,
                                                                               disabled_on__isnull=True)]
        for campaign in campaigns.values()
    }
    paces = [(campaign, rules.pace_for(campaign, cadre, today)) for campaign in campaigns.values()] if cadre else []
    return {
        "cadre": cadre,
        "sections": sections(items),
        "progress": progress(items),
        "paces": paces,
        "due": [item for item in items if not item.visited][:5],
        "total_due": sum(1 for item in items if not item.visited),
        "today": today,
        "total": len(items),
        "visited": sum(1 for item in items if item.visited),
        "open_cases": sum(len(item.open_cases) for item in items),
        "form_data": {
            "now": timezone.localtime(clock.now()).isoformat(), "cadre": str(cadre.public_id) if cadre else "",
            "targets": targets, "forms": forms,
            "categories": categories,
        },
    }


def visits_of(cadre: Any) -> Any:
    return Visit.objects.filter(Q(cadre=cadre)).select_related("target__region", "campaign").order_by("-visited_at")
