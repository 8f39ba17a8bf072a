import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.oversight import case_counters, counters
from zoufang.oversight.case_counters import CaseVerdict
from zoufang.oversight.counters import Key, Verdict
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit

SHOWN = 50


class Command(BaseCommand):
    help = "督查统计：verify 以全量重新统计核对保存的覆盖计数和问题办理计数（--repair 按重新统计改正）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="重新统计每个走访活动的分配数、已走访数和问题办理情况，与保存的计数逐项核对；不一致时退出码为 1")
        verify.add_argument("--campaign", help="只核对这个走访活动（代号，如 jinxi-2017）")
        verify.add_argument("--repair", action="store_true", help="按重新统计的结果改写保存的计数")

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = Campaign.objects.order_by("slug")
        if options["campaign"]:
            campaigns = campaigns.filter(slug=options["campaign"])
            if not campaigns.exists():
                raise CommandError(_("没有代号为 %(campaign)s 的走访活动") % {"campaign": options['campaign']})
        wrong = 0
        for campaign in campaigns:
            verdict, cases = counters.verify(campaign.pk), case_counters.verify(campaign.pk)
            if verdict.ok and cases.ok:
                self.stdout.write(_("%(campaign)s（%(slug)s）：覆盖计数和问题办理计数与重新统计一致") % {
                    "campaign": campaign.name, "slug": campaign.slug,
                })
                continue
            wrong += 1
            if not verdict.ok:
                self._report(campaign, verdict)
            if not cases.ok:
                self._report_cases(campaign, cases)
            if options["repair"]:
                if not verdict.ok:
                    counters.rebuild(campaign.pk)
                if not cases.ok:
                    case_counters.rebuild(campaign.pk)
                after = counters.verify(campaign.pk).ok and case_counters.verify(campaign.pk).ok
                self.stdout.write("  已按重新统计改正" + ("，复核一致" if after else "，复核仍不一致"))
                wrong -= after
        if wrong:
            self.stderr.write(_("%(wrong)s 个走访活动的计数与重新统计不一致") % {"wrong": wrong})
            sys.exit(1)

    def _report(self, campaign: Campaign, verdict: Verdict) -> None:
        self.stdout.write(_("%(campaign)s（%(slug)s）：%(n_nodes)s 项计数、"
                            "%(targets)s 个对象的走访记录、%(n_weeks)s 周的首次走访数") % {
            "campaign": campaign.name, "slug": campaign.slug, "n_nodes": len(verdict.nodes),
            "targets": verdict.targets, "n_weeks": len(verdict.weeks),
        }
                          + (_("、%(n_cadres)s 项干部分配数") % {"n_cadres": len(verdict.cadres)} if verdict.cadres else "")
                          + (_("、%(n_cadre_kinds)s 项干部分类计数") % {
                              "n_cadre_kinds": len(verdict.cadre_kinds),
                          } if verdict.cadre_kinds else "")
                          + (_("、%(n_later)s 项追加分配数") % {"n_later": len(verdict.later)} if verdict.later else "")
                          + "与重新统计不一致")
        names = _node_names([key for key, _counted, _kept in verdict.nodes[:SHOWN]])
        for key, (assigned, visited), (kept_assigned, kept_visited) in verdict.nodes[:SHOWN]:
            self.stdout.write(_("  %(names)s·%(kind)s：已分配 应为 %(assigned)s 实为 %(kept_assigned)s，"
                                "已走访 应为 %(visited)s 实为 %(kept_visited)s") % {
                "names": names(key), "kind": _kind(key[0]), "assigned": assigned, "kept_assigned": kept_assigned,
                "visited": visited, "kept_visited": kept_visited,
            })
        targets = Target.objects.in_bulk([d.target_id for d in verdict.target_rows])
        for row in verdict.target_rows:
            target = targets.get(row.target_id)
            counted = _("%(counted)s 次（首次 %(when)s）") % {
                "counted": row.counted[0], "when": _when(row.counted[1]),
            } if row.counted else "无走访"
            kept = _("%(kept)s 次（首次 %(when)s）") % {
                "kept": row.kept[0], "when": _when(row.kept[1]),
            } if row.kept else "未记"
            self.stdout.write(_("  对象 %(target)s：走访记录 %(counted)s，"
                                "保存的为 %(kept)s") % {
                "target": target.name if target else row.target_id, "counted": counted, "kept": kept,
            })
        for (kind, week), expected, actual in verdict.weeks[:SHOWN]:
            self.stdout.write(_("  %(week)s 起的一周·%(kind)s：首次走访对象 应为 %(expected)s 实为 %(actual)s") % {
                "week": clock.day(week), "kind": _kind(kind), "expected": expected, "actual": actual,
            })
        for (unit, cadre), expected, actual in verdict.cadres[:SHOWN]:
            what = _("干部%(cadre)s（单位%(unit)s）·已分配") % {"cadre": cadre, "unit": unit} if cadre else _("单位%(unit)s·有分配的干部数") % {"unit": unit}
            self.stdout.write(_("  %(what)s 应为 %(expected)s 实为 %(actual)s") % {
                "what": what, "expected": expected, "actual": actual,
            })
        cadres = Cadre.objects.in_bulk({cadre for (cadre, _kind_code), _counted, _kept in verdict.cadre_kinds[:SHOWN]})
        for (cadre, kind), (assigned, visited), (kept_assigned, kept_visited) in verdict.cadre_kinds[:SHOWN]:
            name = cadres[cadre].name if cadre in cadres else _("干部%(cadre)s") % {"cadre": cadre}
            self.stdout.write(_("  %(name)s（各单位合计）·%(kind)s：已分配 应为 %(assigned)s 实为 %(kept_assigned)s，"
                                "已走访 应为 %(visited)s 实为 %(kept_visited)s") % {
                "name": name, "kind": _kind(kind), "assigned": assigned, "kept_assigned": kept_assigned,
                "visited": visited, "kept_visited": kept_visited,
            })
        later_names = _node_names([(kind, region, unit, cadre)
                                   for (kind, region, unit, cadre, _day), _counted, _kept in verdict.later[:SHOWN]])
        for (kind, region, unit, cadre, day), expected, actual in verdict.later[:SHOWN]:
            self.stdout.write(_("  %(names)s·%(kind)s·%(day)s追加分配：应为 %(expected)s 实为 %(actual)s") % {
                "names": later_names((kind, region, unit, cadre)), "kind": _kind(kind), "day": clock.day(day),
                "expected": expected, "actual": actual,
            })
        if len(verdict.nodes) > SHOWN:
            self.stdout.write(_("  ……另有 %(n_nodes)s 项") % {"n_nodes": len(verdict.nodes) - SHOWN})


    def _report_cases(self, campaign: Campaign, verdict: CaseVerdict) -> None:
        self.stdout.write(_("%(campaign)s（%(slug)s）：%(n_nodes)s 项问题办理计数、"
                            "%(n_cases)s 件问题的计入记录与重新统计不一致") % {
            "campaign": campaign.name, "slug": campaign.slug, "n_nodes": len(verdict.nodes),
            "n_cases": len(verdict.cases),
        })
        for (unit, grouping, key, day), counted, kept in verdict.nodes[:SHOWN]:
            dated = _("办理期限 %(day)s") % {"day": clock.day(day)} if day != case_counters.TIMELESS_DAY else ""
            where = "·".join(part for part in (_("单位%(unit)s") % {"unit": unit} if unit else "全活动", CASE_GROUPINGS[grouping], key,
                                               dated) if part)
            differs = "，".join(_("%(case_measures)s 应为 %(a)s 实为 %(b)s") % {
                "case_measures": CASE_MEASURES[name], "a": a, "b": b,
            }
                               for name, a, b in zip(case_counters.MEASURES, counted, kept, strict=True) if a != b)
            self.stdout.write(f"  {where}：{differs}")
        if verdict.cases:
            shown = "、".join(str(pk) for pk in verdict.cases[:SHOWN])
            self.stdout.write(_("  计入记录不符的问题（编号）：%(shown)s") % {"shown": shown})
        if len(verdict.nodes) > SHOWN:
            self.stdout.write(_("  ……另有 %(n_nodes)s 项") % {"n_nodes": len(verdict.nodes) - SHOWN})


# How the case counts are named in verify's report.
CASE_GROUPINGS = {"total": "合计", "unit": "按单位", "village": "按村", "category": "按类别", "week": "按周",
                  "month": "按月", "status": "按状态"}
CASE_MEASURES = {"total": "问题数", "registered": "已登记", "registered_on_time": "按时登记", "dispatched": "已交办",
                 "done_on_time": "按时办结", "answered": "已答复", "resolved": "已解决", "rated": "已回访评价",
                 "satisfied": "满意", "open": "未办结", "escalated": "上报", "pending": "已交办未答复",
                 "overdue": "办理中（可能超期）"}


def _when(value: Any) -> str:
    """A first-visit time from raw SQL: a datetime on PostgreSQL, ISO text in UTC on SQLite; shown in Beijing."""
    moment = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if moment is None:
        return str(value)
    return clock.minute(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))


def _kind(kind: str) -> str:
    return str(Target.Kind(kind).label) if kind in Target.Kind.values else kind


def _node_names(keys: list[Key]) -> Any:
    regions = Region.objects.in_bulk({k[1] for k in keys if k[1]})
    units = Unit.objects.in_bulk({k[2] for k in keys if k[2]})
    cadres = Cadre.objects.in_bulk({k[3] for k in keys if k[3] > 0})

    def name(key: Key) -> str:
        _kind_code, region, unit, cadre = key
        parts = []
        if region:
            parts.append(regions[region].name if region in regions else _("区划%(region)s") % {"region": region})
        if unit:
            parts.append(units[unit].name if unit in units else _("单位%(unit)s") % {"unit": unit})
        if cadre == counters.NO_CADRE:
            parts.append("未落实到人")
        elif cadre:
            parts.append(cadres[cadre].name if cadre in cadres else _("干部%(cadre)s") % {"cadre": cadre})
        return "·".join(parts) or "全活动"

    return name
