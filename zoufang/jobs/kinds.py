"""What can be built in the background: each kind checks who may have it (when asked, when built, when fetched)
and writes the file with a progress callback. The builders are the synchronous views' own."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from zoufang.accounts import scope
from zoufang.core import request_keys
from zoufang.core.progress import Progress

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",  # a job whose result is a report (registry_import), shown on the job's page
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


class Refused(Exception):
    """A reason the user can act on (in Chinese): the job fails with it as its message, not a generic one."""


@dataclass(frozen=True)
class Made:
    """What a finished job made besides its file (a draft, an issued document): its page and its API address."""

    label: str
    page_url: str
    api_url: str


@dataclass(frozen=True)
class Kind:
    key: str
    resolve: Callable[[Any, dict[str, Any]], Resolved]
    build: Build  # writes the file; returns the audit summary
    report_template: str = ""  # a job whose result is a report (.json): the template its page shows it with
    made: Callable[[dict[str, Any]], Made | None] | None = None  # a job that makes an object: where it is
    # params["key"] is a request key (core.request_keys): one request per key (jobs.services._same_key). Elsewhere
    # "key" may name something else (oversight_all's table, form_answers' form).
    request_key: bool = False
    # The job makes or changes something (a plan, a scan, a batch, a draft, an import) in transactions of its own.
    # Otherwise the file is read inside one read-only snapshot taken when the build starts (jobs.services.run,
    # decision 0027): a write the build makes must go through `core.snapshot.writes()`.
    writes: bool = False


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


def _managed_campaign(user: Any, params: dict[str, Any]) -> Any:
    """The office's own campaign named in `params` (its first by default): the plan page's check."""
    if not scope.may_plan(user):
        raise PermissionDenied
    return _first(scope.managed_campaigns(user), params.get("campaign"))


def _at_once(out: IO[bytes], progress: Progress, build: Callable[[], bytes]) -> None:
    """For a builder that makes the whole file in one call: progress is 0 of 1, then 1 of 1."""
    progress(0, 1)
    out.write(build())
    progress(1, 1)


# ---------------------------------------------------------------- the town's plan (附件1—附件4-2 and walk lists)

def _plan_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    campaign = _managed_campaign(user, params)
    fmt = _fmt(params)
    label = "分配表（打印版）" if fmt == "docx" else "分配表"
    return Resolved({"campaign": campaign.slug, "fmt": fmt}, f"{campaign.name}{label}",
                    _("%(campaign)s分配表.%(fmt)s") % {
                        "campaign": campaign.name, "fmt": fmt,
                    }, campaign=campaign, region=campaign.scope, obj=campaign)


def _plan_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.planning.export import write_docx, write_workbook

    fmt = resolved.params["fmt"]
    (write_docx if fmt == "docx" else write_workbook)(resolved.campaign, out, progress=progress)
    return _("导出分配表 %(fmt)s") % {"fmt": fmt}


register(Kind("plan_export", _plan_resolve, _plan_build))


# ---------------------------------------------------------------- one unit's walk lists

def _walk_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    unit = scope.unit_records(user, params.get("unit"))
    fmt = _fmt(params)
    campaign = _first(scope.visible_campaigns(user), params.get("campaign"))
    return Resolved({"unit": str(unit.public_id), "campaign": campaign.slug, "fmt": fmt},
                    _("%(unit)s走访名单（%(campaign)s）") % {
                        "unit": unit.name, "campaign": campaign.name,
                    }, _("%(unit)s走访名单.%(fmt)s") % {"unit": unit.name, "fmt": fmt},
                    campaign=campaign, region=unit.region, obj=unit, extra={"unit": unit})


def _walk_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.planning.walklists import write_unit_walk_lists

    fmt = resolved.params["fmt"]
    write_unit_walk_lists(resolved.campaign, resolved.extra["unit"], out, fmt, progress=progress)
    return _("导出走访名单 %(slug)s %(fmt)s") % {"slug": resolved.campaign.slug, "fmt": fmt}


register(Kind("walk_lists", _walk_resolve, _walk_build))


# ---------------------------------------------------------------- a unit's visit ledger (走访台账)

def _ledger_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    unit = scope.unit_records(user, params.get("unit"))
    return Resolved({"unit": str(unit.public_id), "fmt": "xlsx"}, _("%(unit)s走访台账") % {"unit": unit.name}, _("%(unit)s走访台账.xlsx") % {"unit": unit.name},
                    region=unit.region, obj=unit, extra={"unit": unit})


def _ledger_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.visits import ledger

    unit = resolved.extra["unit"]
    count = ledger.write_ledger(out, _("%(name)s 走访台账") % {"name": unit.name}, ledger.unit_visits(unit), user,
                                whose=unit.name, progress=progress)
    return _("导出%(unit)s走访台账 %(count)s 条") % {"unit": unit.name, "count": count}


register(Kind("unit_ledger", _ledger_resolve, _ledger_build))


# ---------------------------------------------------------------- an assessment's tables (考核表)

def _assessment_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.assessment.services import assessment_for

    assessment = assessment_for(user, str(params.get("slug")), params.get("assessment"))
    campaign = assessment.campaign
    stamp = f"{assessment.ends_on:%Y%m%d}-v{assessment.number}"
    return Resolved({"slug": campaign.slug, "assessment": str(assessment.public_id), "fmt": "xlsx"},
                    _("%(campaign)s考核表（第 %(assessment_number)s 版）") % {
                        "campaign": campaign.name, "assessment_number": assessment.number,
                    }, _("%(campaign)s考核表-%(stamp)s.xlsx") % {
                        "campaign": campaign.name, "stamp": stamp,
                    },
                    campaign=campaign, region=campaign.scope, obj=assessment, extra={"assessment": assessment})


def _assessment_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.assessment.export import workbook

    _at_once(out, progress, lambda: workbook(resolved.extra["assessment"]))
    return _("导出考核表 %(slug)s 第 %(number)s 版") % {
        "slug": resolved.params['slug'], "number": resolved.extra['assessment'].number,
    }


register(Kind("assessment_xlsx", _assessment_resolve, _assessment_build))


# ---------------------------------------------------------------- the oversight dashboard's 全部下载xlsx, or one long table

def _oversight_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.oversight.views import board_scope, board_tables

    reach, unit = board_scope(user, str(params.get("slug")), params.get("unit") or None)
    campaign = reach.campaign
    who = f"{unit.name}" if unit else ""
    key = str(params.get("key") or "all")
    title, name = "督查统计（全部表）", "督查统计"
    if key != "all":  # one table of the board, too long to build in a request (oversight.views.table_xlsx)
        tables, _heading, _stem = board_tables(user, campaign.slug, key, unit.public_id if unit else None)
        title = name = tables[0].title
    return Resolved({"slug": campaign.slug, "unit": str(unit.public_id) if unit else "", "key": key, "fmt": "xlsx"},
                    f"{campaign.name}{who}{title}", f"{campaign.name}{who}{name}.xlsx",
                    campaign=campaign, region=unit.region if unit else campaign.scope, obj=unit or campaign)


def _oversight_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.oversight import export
    from zoufang.oversight.views import board_tables

    progress(0, 1)
    # Long tables a page at a time (PagedRows), every page at one moment: jobs.services._build's snapshot.
    tables, heading, _stem = board_tables(user, resolved.params["slug"], resolved.params.get("key") or "all",
                                          resolved.params["unit"] or None)
    export.write_xlsx(out, tables, heading=heading, progress=progress)
    return _("导出%(resolved_title)s") % {"resolved_title": resolved.title}


register(Kind("oversight_all", _oversight_resolve, _oversight_build))


# ---------------------------------------------------------------- the city office's 全部下载xlsx (every town)

def _city_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.core.queryparams import Asked
    from zoufang.oversight.access import city_region
    from zoufang.oversight.views import city_params

    region = city_region(user, params.get("region"))
    year, order = city_params(Asked(params, strict=True))
    return Resolved({"region": str(region.public_id), "year": str(year or ""), "sort": order, "fmt": "xlsx"},
                    _("%(region)s各镇走访进度%(year_note)s") % {
                        "region": region.name, "year_note": _("（%(year)s年）") % {"year": year} if year else '',
                    }, _("%(region)s各镇走访进度.xlsx") % {"region": region.name},
                    region=region, obj=region, extra={"region": region, "year": year, "order": order})


def _city_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.oversight import export
    from zoufang.oversight.views import city_tables

    extra = resolved.extra
    tables, heading, _stem = city_tables(extra["region"], "all", extra["year"], extra["order"], full_coverage=True)
    _at_once(out, progress, lambda: export.xlsx(tables, heading=heading))
    return _("导出%(heading)s各镇走访进度（全部表）") % {"heading": heading}


register(Kind("oversight_city_all", _city_resolve, _city_build))


# ---------------------------------------------------------------- the weekly 问题清单 / 建议清单

def _weekly_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.cases.report_views import weekly_list
    from zoufang.core.queryparams import Asked

    chosen = weekly_list(user, Asked(params, strict=True))
    return Resolved({**chosen.params, "fmt": "xlsx"}, chosen.title, chosen.filename, extra={"chosen": chosen})


def _weekly_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.cases import lists

    chosen = resolved.extra["chosen"]
    table = lists.rows(chosen.cases, user)
    _at_once(out, progress, lambda: lists.xlsx(chosen.title, table))
    return _("导出%(chosen_title)s，%(n_table)s 条") % {"chosen_title": chosen.title, "n_table": len(table)}


register(Kind("cases_weekly", _weekly_resolve, _weekly_build))


# ---------------------------------------------------------------- the city office's queue of cases sent up

def _upper_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang import clock
    from zoufang.cases.upper_views import upper_asked

    done, title = upper_asked(user, params.get("state"))
    return Resolved({"state": "done" if done else "", "fmt": "xlsx"}, title, f"{title}-{clock.today():%Y%m%d}.xlsx")


def _upper_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.cases import lists, upper
    from zoufang.cases.upper_views import upper_rows, upper_table

    _done, title, rows = upper_rows(user, resolved.params["state"])
    _at_once(out, progress, lambda: lists.xlsx(title, upper_table(rows), upper.COLUMNS, upper.WIDTHS))
    return _("导出%(title)s，%(n_rows)s 条") % {"title": title, "n_rows": len(rows)}


register(Kind("cases_upper", _upper_resolve, _upper_build))


# ---------------------------------------------------------------- a callback batch's results (回访抽查)

def _callbacks_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.callbacks.views import office_batch

    batch = office_batch(user, params.get("batch"))
    campaign = batch.campaign
    return Resolved({"batch": str(batch.public_id), "fmt": "xlsx"}, _("%(campaign)s%(batch)s结果") % {
        "campaign": campaign.name, "batch": batch,
    },
                    _("%(campaign)s%(batch)s结果.xlsx") % {
                        "campaign": campaign.name, "batch": batch,
                    }, campaign=campaign, region=campaign.scope, obj=batch,
                    extra={"batch": batch})


def _callbacks_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.callbacks.export import batch_xlsx

    _at_once(out, progress, lambda: batch_xlsx(resolved.extra["batch"]))
    return _("导出回访抽查结果 %(batch)s") % {"batch": resolved.extra['batch']}


register(Kind("callbacks_xlsx", _callbacks_resolve, _callbacks_build))


# ---------------------------------------------------------------- the integrity flags (走访真实性提示)

def _integrity_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.integrity import services

    campaign = services.campaign_for(user, str(params.get("slug")))
    period = services.parse_period(params)
    first, last = period or (None, None)
    days = {"from": first.isoformat() if first else "", "to": last.isoformat() if last else ""}
    span = _("（%(from)s至%(to)s）") % {"from": days['from'] or _("开始"), "to": days['to'] or _("今")} if period else ""
    return Resolved({"slug": campaign.slug, **days, "fmt": "xlsx"}, _("%(campaign)s走访真实性提示%(span)s") % {
        "campaign": campaign.name, "span": span,
    },
                    _("%(campaign)s走访真实性提示.xlsx") % {
                        "campaign": campaign.name,
                    }, campaign=campaign, region=campaign.scope, obj=campaign,
                    extra={"period": period})


def _integrity_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.integrity import export, flags

    cadres = flags.by_cadre(resolved.campaign, resolved.extra["period"])
    _at_once(out, progress, lambda: export.xlsx(resolved.campaign, cadres))
    return "导出走访真实性提示"


register(Kind("integrity_xlsx", _integrity_resolve, _integrity_build))


# ---------------------------------------------------------------- a questionnaire's answers (调查表答案明细)

def _answers_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.forms.models import Form

    form = get_object_or_404(Form, key=str(params.get("key", "")))
    return Resolved({"key": form.key, "fmt": "xlsx"}, _("%(form_title)s答案") % {
        "form_title": form.title,
    }, _("%(form_title)s答案.xlsx") % {
        "form_title": form.title,
    }, obj=form,
                    extra={"form": form})


def _answers_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.forms.api import visible_answers
    from zoufang.forms.export import write_answers

    form = resolved.extra["form"]
    count = write_answers(out, form, visible_answers(user, form), user, progress=progress)
    return _("导出%(form_title)s答案 %(count)s 份") % {"form_title": form.title, "count": count}


register(Kind("form_answers", _answers_resolve, _answers_build))


# ---------------------------------------------------------------- the rows behind an oversight figure (督查明细)

def _rows_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from django.http import QueryDict

    from zoufang.core.queryparams import Asked
    from zoufang.oversight import drill
    from zoufang.oversight.access import campaign_for

    reach = campaign_for(user, str(params.get("slug")))
    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in params.items() if k in drill.QUERY_KEYS and v})
    narrowing = drill.narrowing(reach, Asked(query, strict=True))
    campaign = reach.campaign
    chosen = {k: v for k, v in QueryDict(narrowing.query()).items()}
    return Resolved({"slug": campaign.slug, **chosen, "fmt": "xlsx"}, _("%(campaign)s督查明细：%(narrowing_label)s") % {
        "campaign": campaign.name, "narrowing_label": narrowing.label,
    },
                    f"{campaign.name}-{narrowing.label}.xlsx", campaign=campaign,
                    region=narrowing.unit.region if narrowing.unit else campaign.scope, obj=campaign,
                    extra={"reach": reach, "narrowing": narrowing})


def _rows_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang import clock
    from zoufang.oversight import drill, export

    reach, narrowing = resolved.extra["reach"], resolved.extra["narrowing"]
    progress(0, 1)
    table, count = drill.table(reach, narrowing, user, clock.today(), limit=None)  # one moment: _build's snapshot
    export.write_xlsx(out, [table], heading=reach.campaign.name, progress=progress)
    return _("导出督查明细 %(narrowing_label)s %(count)s 条") % {"narrowing_label": narrowing.label, "count": count}


register(Kind("oversight_rows", _rows_resolve, _rows_build))


def _gap_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.oversight import fullcoverage_tables
    from zoufang.oversight.access import campaign_for

    reach = campaign_for(user, str(params.get("slug")))
    asked = fullcoverage_tables.gap_asked(reach, params)
    campaign = reach.campaign
    title = fullcoverage_tables.gap_title(asked["item"], asked["gap"], asked["region"], asked["unit"])
    chosen = {name: str(params[name]) for name in fullcoverage_tables.GAP_PARAMS if params.get(name)}
    return Resolved({"slug": campaign.slug, **chosen, "fmt": "xlsx"},
                    _("%(campaign)s全覆盖明细：%(title)s") % {"campaign": campaign.name, "title": title},
                    f"{campaign.name}-{title}.xlsx", campaign=campaign,
                    region=asked["unit"].region if asked["unit"] else campaign.scope, obj=campaign,
                    extra={"reach": reach, **asked})


def _gap_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.oversight import export, fullcoverage_tables

    extra = resolved.extra
    progress(0, 1)
    # Counted and read at one moment (jobs.services._build's snapshot): no row dropped or repeated by a visit.
    table = fullcoverage_tables.gap_download(extra["reach"], extra["item"], extra["gap"], user,
                                             region=extra["region"], unit=extra["unit"])
    export.write_xlsx(out, [table], heading=extra["reach"].campaign.name, progress=progress)
    return _("导出全覆盖明细 %(title)s %(count)s 条") % {"title": table.title, "count": len(table.rows)}


register(Kind("full_coverage_rows", _gap_resolve, _gap_build))


# ---------------------------------------------------------------- a unit's blocks across towns (单位跨镇进度)

def _units_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    from zoufang.oversight.views import units_across

    found = units_across(user)
    name = found[0].unit.name if len(found) == 1 else "本单位"
    return Resolved({"fmt": "xlsx"}, _("%(name)s各镇走访进度") % {"name": name}, _("%(name)s各镇走访进度.xlsx") % {"name": name},
                    region=found[0].unit.region if len(found) == 1 else None, obj=found[0].unit)


def _units_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    from zoufang.oversight import export
    from zoufang.oversight.views import units_across

    found = units_across(user)
    tables = [table for item in found for table in item.tables()]
    export.write_xlsx(out, tables, heading=found[0].unit.name if len(found) == 1 else "", progress=progress)
    return _("导出%(resolved_title)s") % {"resolved_title": resolved.title}


register(Kind("oversight_units", _units_resolve, _units_build))


# ---------------------------------------------------------------- 重新分配 (plan run) from the plan page

def _plan_run_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    """A run may carry a request key — the page's 确认 button its preview's job id, an API client its own: the same
    request sent again is answered with the first run (jobs.services._same_key); without a key it plans each time."""
    campaign = _managed_campaign(user, params)
    apply = bool(params.get("apply"))
    label = "重新分配" if apply else "重新分配预览"
    key = request_keys.parsed(params.get("key"))
    return Resolved({"campaign": campaign.slug, "apply": apply, "fmt": "json", **({"key": str(key)} if key else {})},
                    f"{campaign.name}{label}",
                    f"{campaign.name}{label}.json", campaign=campaign, region=campaign.scope, obj=campaign)


def _plan_run_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    """Runs the planner (one transaction: written and proven, or nothing) and writes its report: a preview rolls
    back; a plan that does not prove 不重不漏 is refused and its report says why (the job itself succeeded)."""
    import json

    from zoufang.planning.services import PlanRejected, run_plan

    apply = resolved.params["apply"]
    try:
        report = run_plan(resolved.campaign, by=user, dry_run=not apply, progress=progress)
    except PlanRejected as rejected:
        report = rejected.report
    page = {**report.as_dict(), "preview": not apply, "campaign": resolved.campaign.slug,
            "moves": [m.__dict__ for m in report.moves[:PLAN_MOVES_SHOWN]], "moves_total": len(report.moves)}
    out.write(json.dumps(page, ensure_ascii=False).encode())
    what = "重新分配" if apply else "重新分配预览"
    return (_("%(what)s：保留%(kept)s，新增%(added)s，调整%(moved)s，释放%(released)s"
              "%(failed)s") % {
        "what": what, "kept": report.kept, "added": report.added, "moved": report.moved,
        "released": report.released, "failed": '' if not report.failures else _("（未通过核验，未写入）"),
    })


PLAN_MOVES_SHOWN = 100  # the report keeps the first moves, as the page listed them
register(Kind("plan_run", _plan_run_resolve, _plan_run_build, report_template="planning/_run_report.html",
              request_key=True, writes=True))


def _plan_check_resolve(user: Any, params: dict[str, Any]) -> Resolved:
    campaign = _managed_campaign(user, params)
    return Resolved({"campaign": campaign.slug, "fmt": "json"}, _("%(campaign)s分配核验") % {"campaign": campaign.name},
                    _("%(campaign)s分配核验.json") % {"campaign": campaign.name}, campaign=campaign, region=campaign.scope, obj=campaign)


def _plan_check_build(user: Any, resolved: Resolved, out: IO[bytes], progress: Progress) -> str:
    """Proves the campaign's plan (planning/check.py, campaign-wide) and stores the result for the plan page and
    the API (planning/proof.py); the job's report says what it found."""
    import json

    from django.utils import timezone

    from zoufang.planning import proof

    stored = proof.compute(resolved.campaign, progress)
    out.write(json.dumps({"campaign": resolved.campaign.slug, "clean": stored.proven,
                          "problems": stored.problem_count,
                          "computed_at": timezone.localtime(stored.computed_at).isoformat()},
                         ensure_ascii=False).encode())
    return _("分配核验：%(slug)s，%(outcome)s") % {
        "slug": resolved.campaign.slug, "outcome": _("通过") if stored.proven else _("%(problem_count)s 处问题") % {
            "problem_count": stored.problem_count,
        },
    }


def _plan_check_made(params: dict[str, Any]) -> Made | None:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    slug = str(params.get("campaign"))
    return Made(_("查看分配核验"), reverse("planning:overview") + f"?campaign={slug}",
                reverse("api:plan_check", kwargs={"slug": slug}))


register(Kind("plan_check", _plan_check_resolve, _plan_check_build, report_template="planning/_check_report.html",
              made=_plan_check_made, writes=True))


from zoufang.assessment import jobs as _assessment  # noqa: E402,F401 - the apps' own kinds register themselves
from zoufang.callbacks import jobs as _callbacks  # noqa: E402,F401
from zoufang.documents import jobs as _documents  # noqa: E402,F401
from zoufang.integrity import jobs as _integrity  # noqa: E402,F401
from zoufang.web import import_jobs as _imports  # noqa: E402,F401
