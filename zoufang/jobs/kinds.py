"""What can be built in the background: each kind checks who may have it (when asked, when built, when fetched)
and writes the file with a progress callback. The builders are the synchronous views' own."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from zoufang.accounts import scope
from zoufang.core.progress import Progress

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class Resolved:
    """A request checked against the user's scope: what it is about and what the file is called."""

    params: dict[str, Any]  # normalised (the campaign chosen by default written in)
    title: str
    filename: str
    campaign: Any = None
    region: Any = None
    obj: Any = None  # what the audit names
    extra: dict[str, Any] = field(default_factory=dict)


Build = Callable[[Any, Resolved, IO[bytes], Progress], str]


@dataclass(frozen=True)
class Kind:
    key: str
    resolve: Callable[[Any, dict[str, Any]], Resolved]
    build: Build  # writes the file; returns the audit summary


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


def get(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise Http404 from None


def _fmt(params: dict[str, Any]) -> str:
    fmt = params.get("fmt", "xlsx")
    if fmt not in MEDIA_TYPES:
        raise Http404
    return str(fmt)


def _first(campaigns: Any, slug: str | None) -> Any:
    campaign = get_object_or_404(campaigns, slug=slug) if slug else campaigns.first()
    if campaign is None:
        raise Http404
    return campaign


# ---------------------------------------------------------------- the town's plan (附件1—附件4-2 and walk lists)

def _plan_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    if not scope.may_manage(user):
        raise PermissionDenied
    fmt = _fmt(params)
    campaign = _first(scope.managed_campaigns(user), params.get("campaign"))
    label = "分配表（打印版）" if fmt == "docx" else "分配表"
    return Resolved({"campaign": campaign.slug, "fmt": fmt}, f"{campaign.name}{label}",
                    f"{campaign.name}分配表.{fmt}", campaign=campaign, region=campaign.scope, obj=campaign)


def _plan_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.planning.export import write_docx, write_workbook

    fmt = resolved.params["fmt"]
    (write_docx if fmt == "docx" else write_workbook)(resolved.campaign, out, progress=progress)
    return f"导出分配表 {fmt}"


register(Kind("plan_export", _plan_resolve, _plan_build))


# ---------------------------------------------------------------- one unit's walk lists

def _walk_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    unit = scope.unit_records(user, params.get("unit"))
    fmt = _fmt(params)
    campaign = _first(scope.visible_campaigns(user), params.get("campaign"))
    return Resolved({"unit": str(unit.public_id), "campaign": campaign.slug, "fmt": fmt},
                    f"{unit.name}走访名单（{campaign.name}）", f"{unit.name}走访名单.{fmt}",
                    campaign=campaign, region=unit.region, obj=unit, extra={"unit": unit})


def _walk_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.planning.walklists import write_unit_walk_lists

    fmt = resolved.params["fmt"]
    write_unit_walk_lists(resolved.campaign, resolved.extra["unit"], out, fmt, progress=progress)
    return f"导出走访名单 {resolved.campaign.slug} {fmt}"


register(Kind("walk_lists", _walk_resolve, _walk_build))


# ---------------------------------------------------------------- a unit's visit ledger (走访台账)

def _ledger_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    unit = scope.unit_records(user, params.get("unit"))
    return Resolved({"unit": str(unit.public_id), "fmt": "xlsx"}, f"{unit.name}走访台账", f"{unit.name}走访台账.xlsx",
                    region=unit.region, obj=unit, extra={"unit": unit})


def _ledger_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from django.utils.translation import gettext as _

    from zoufang.visits import ledger

    unit = resolved.extra["unit"]
    count = ledger.write_ledger(out, _("%(name)s 走访台账") % {"name": unit.name}, ledger.unit_visits(unit), user,
                                progress=progress)
    return f"导出{unit.name}走访台账 {count} 条"


register(Kind("unit_ledger", _ledger_resolve, _ledger_build))


# ---------------------------------------------------------------- an assessment's tables (考核表)

def _assessment_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.assessment.services import assessment_for

    assessment = assessment_for(user, str(params.get("slug")), params.get("assessment"))
    campaign = assessment.campaign
    stamp = f"{assessment.ends_on:%Y%m%d}-v{assessment.number}"
    return Resolved({"slug": campaign.slug, "assessment": str(assessment.public_id), "fmt": "xlsx"},
                    f"{campaign.name}考核表（第 {assessment.number} 版）", f"{campaign.name}考核表-{stamp}.xlsx",
                    campaign=campaign, region=campaign.scope, obj=assessment, extra={"assessment": assessment})


def _assessment_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.assessment.export import workbook

    progress(0, 1)
    out.write(workbook(resolved.extra["assessment"]))
    progress(1, 1)
    return f"导出考核表 {resolved.params['slug']} 第 {resolved.extra['assessment'].number} 版"


register(Kind("assessment_xlsx", _assessment_resolve, _assessment_build))
