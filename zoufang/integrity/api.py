"""The integrity flags over the API: the same flags, the same readers as the page (services.campaign_for)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from zoufang.integrity import flags, services
from zoufang.visits.models import Visit

router = Router(tags=["走访真实性提示"])


class ClearanceOut(Schema):
    outcome: str  # cleared (核实排除) or upheld (核实查实)
    reason: str
    by: str
    at: dt.datetime


class FlagOut(Schema):
    key: str
    kind: str
    label: str
    weight: int
    evidence: str
    visits: list[str]
    cleared: ClearanceOut | None
    upheld: ClearanceOut | None


class CadreFlagsOut(Schema):
    cadre: str
    name: str
    unit: str
    score: int
    flags: list[FlagOut]


class FlagsQuery(Schema):
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    cleared: bool = False


@router.get("/{slug}/flags", response=list[CadreFlagsOut],
            summary="走访真实性提示：按走访人列出，待核实分量重者在前，含已查实的（upheld）；starts_on/ends_on 限定走访日期，"
                    "cleared=true 含已排除的。"
                    "仅走访办、领导和考核管理组可见")
def flag_list(request: HttpRequest, slug: str, query: Query[FlagsQuery]) -> list[dict[str, Any]]:
    campaign = services.campaign_for(request.user, slug)
    period = None if query.starts_on is None and query.ends_on is None else (query.starts_on, query.ends_on)
    cadres = [c for c in flags.by_cadre(campaign, period) if query.cleared or c.open_flags or c.upheld_flags]
    wanted = {pk for c in cadres for f in c.flags for pk in f.visit_ids}
    public = dict(Visit.objects.filter(pk__in=wanted).values_list("pk", "public_id")) if wanted else {}
    return [{
        "cadre": str(c.cadre.public_id), "name": c.cadre.name, "unit": c.cadre.unit.name if c.cadre.unit_id else "",
        "score": c.score,
        "flags": [{
            "key": f.key, "kind": f.kind, "label": f.label, "weight": f.weight, "evidence": f.evidence,
            "visits": [str(public[pk]) for pk in f.visit_ids if pk in public],
            "cleared": None if f.is_open or f.is_upheld else _decision(f.clearance),
            "upheld": _decision(f.clearance) if f.is_upheld else None,
        } for f in c.flags if query.cleared or f.is_open or f.is_upheld],
    } for c in cadres]


def _decision(decision: Any) -> dict[str, Any]:
    return {"outcome": decision.outcome, "reason": decision.reason, "at": decision.modified_at,
            "by": (decision.cleared_by.get_full_name() or decision.cleared_by.get_username())
            if decision.cleared_by else ""}
