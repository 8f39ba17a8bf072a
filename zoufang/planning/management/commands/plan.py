import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang.campaigns.models import Campaign
from zoufang.core.commands import ZoufangCommand
from zoufang.planning import proof
from zoufang.planning.check import check_plan, is_clean, member_mismatch_text, member_mismatches
from zoufang.planning.services import PlanningError, PlanRejected, run_plan, store_department_table
from zoufang.registry.models import Target


class Command(ZoufangCommand):
    help = "分配：run 重新分配（--dry-run 只预览），check 核验不重不漏，export 导出分配表，table 导入部门分配表，menghe-town 合成孟河镇"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="从登记库和分配表重新分配，保留仍然有效的分配")
        run.add_argument("--dry-run", action="store_true", help="只显示将要发生的变化，不写入")
        run.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
        check = sub.add_parser("check", help="核验：每个对象恰好分配一次，每人每单位数量与分配数一致")
        check.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
        export = sub.add_parser("export", help="按附件格式导出分配表（xlsx 或 docx）")
        export.add_argument("--out", required=True, help=_("输出文件：.xlsx 或 .docx"))
        export.add_argument("--unit", help="只导出这个单位的走访名单（每人一张工作表或一页），如“派出所”：活动所在镇的该单位")
        table = sub.add_parser("table", help="导入镇已确定的部门分配表（附件4-1、附件4-2 格式）")
        table.add_argument("file", metavar=_("文件"), help=_("部门分配表（xlsx 或 csv）"))
        table.add_argument("--label", required=True, help="来源表名称，如“附件4-1”")
        for p in (run, check, export, table):
            p.add_argument("--campaign", required=True, help="走访活动代号，如 jinxi-2017")
        sub.add_parser("menghe-town", help="生成合成的孟河镇（种子002的规模和结构）并按 menghe-dazoufang 分配")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "menghe-town":
            from zoufang.planning.menghe import build_menghe_town

            campaign = build_menghe_town(say=self.stdout.write)
            self.do_run(campaign, {"dry_run": False, "json": False})
            return
        try:
            campaign = Campaign.objects.select_related("scope").get(slug=options["campaign"])
        except Campaign.DoesNotExist:
            raise CommandError(_("没有代号为 %(campaign)s 的走访活动") % {"campaign": options['campaign']}) from None
        getattr(self, f"do_{options['action']}")(campaign, options)

    def do_run(self, campaign: Campaign, options: dict[str, Any]) -> None:
        """Exit 0 only for a plan that proves 不重不漏; otherwise nothing is written and the reasons are printed."""
        try:
            report = run_plan(campaign, dry_run=options["dry_run"])
        except PlanRejected as exc:
            report = exc.report
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self._say_run(report, options["dry_run"])
        if report.failures:  # in Chinese on stderr, exit 1 like `plan check` (no “CommandError:” before it)
            self.stderr.write(report.refusal())
            sys.exit(1)

    def _say_run(self, report: Any, dry_run: bool) -> None:
        head = "预览（未写入）：" if dry_run else ("已分配：" if report.applied else "核验未通过，未写入：")
        self.stdout.write(head + _("保留 %(kept)s，新增 %(added)s，调整 %(moved)s，释放 %(released)s") % {
            "kept": report.kept, "added": report.added, "moved": report.moved, "released": report.released,
        })
        if report.failures:  # the reasons and the notes follow on stderr; moves that will not happen are not listed
            return
        self.stdout.write(_("部门—村组合 %(pairs)s 个") % {"pairs": report.pairs})
        for note in report.notes:
            self.stdout.write(_("  说明：%(note)s") % {"note": note})
        for unit in report.spread_units:
            self.stdout.write(_("  %(unit)s 走访 %(n_villages)s 个村：%(reason)s") % {
                "unit": unit['unit'], "n_villages": len(unit['villages']), "reason": unit['reason'],
            })
        for move in report.moves[:200]:
            self.stdout.write(_("  %(label)s #%(target_id)s %(village)s：%(before)s → %(after)s") % {
                "label": Target.Kind(move.kind).label, "target_id": move.target_id, "village": move.village,
                "before": move.before or _("（未分配）"), "after": move.after or _("（未分配）"),
            })
        if len(report.moves) > 200:
            self.stdout.write(_("  …… 共 %(n_moves)s 项变化，--json 可看全部") % {"n_moves": len(report.moves)})

    def do_check(self, campaign: Campaign, options: dict[str, Any]) -> None:
        result = check_plan(campaign)
        proof.store(campaign, result)  # what the plan page and the API read
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            for kind, n in result["targets"].items():
                self.stdout.write(_("%(label)s：%(n)s，恰好一次 %(assigned)s，"
                                    "未分配 %(unassigned)s，重复 %(duplicated)s") % {
                    "label": Target.Kind(kind).label, "n": n, "assigned": result['assigned'][kind],
                    "unassigned": result['unassigned'][kind], "duplicated": result['duplicated'][kind],
                })
            for v in result["quota_violations"]:
                who = f"{v['unit']} {v['cadre'] or ''}".strip()
                self.stdout.write(_("  数量不符：%(who)s %(label)s 应为%(planned)s，"
                                    "实为%(assigned)s") % {
                    "who": who, "label": Target.Kind(v['kind']).label, "planned": v['planned'],
                    "assigned": v['assigned'],
                })
            for r in result["relaxations"]:
                self.stdout.write(_("  放宽（超出每人规则）：%(unit)s %(cadre)s %(label)s "
                                    "%(planned)s（规则 %(rule)s）") % {
                    "unit": r['unit'], "cadre": r['cadre'], "label": Target.Kind(r['kind']).label,
                    "planned": r['planned'], "rule": r['rule'],
                })
            for t in result["left_out"]:
                self.stdout.write(_("  无人走访：%(village)s %(label)s %(name)s") % {
                    "village": t['village'], "label": Target.Kind(t['kind']).label, "name": t['name'],
                })
            for m in result["member_mismatches"]:
                self.stdout.write(_("  党员人数不符：%(member_mismatch_text)s") % {"member_mismatch_text": member_mismatch_text(m)})
            for line in result["issued_drift"]:
                self.stdout.write(_("  与上级分配表不一致（原表未改动）：%(line)s") % {"line": line})
        if not is_clean(result):
            sys.exit(1)

    def do_export(self, campaign: Campaign, options: dict[str, Any]) -> None:
        from zoufang.planning.export import write_docx, write_workbook

        out = Path(options["out"])
        if options["unit"]:
            from zoufang.planning.walklists import write_unit_walk_lists
            from zoufang.registry.unitnames import UnitNames, visible_from

            # The campaign's town's unit of that name (or a shared one): every town has its own 派出所 (0032).
            names = UnitNames(visible_from(campaign.scope))
            unit = names.unit(options["unit"])
            if unit is None:
                raise CommandError(names.ambiguity(options["unit"]) or _("单位“%(unit)s”在%(town)s未登记") % {
                    "unit": options['unit'], "town": campaign.scope.name})
            n = write_unit_walk_lists(campaign, unit, out, "docx" if out.suffix.lower() == ".docx" else "xlsx")
            self.stdout.write(_("已导出 %(out)s：%(unit)s %(n)s 份走访名单") % {"out": out, "unit": unit.name, "n": n})
            return
        if out.suffix.lower() == ".docx":
            write_docx(campaign, out)
        else:
            write_workbook(campaign, out)
        self.stdout.write(_("已导出 %(out)s") % {"out": out})
        from zoufang.planning.issued import drift_lines

        for line in drift_lines(campaign):  # the tables went out as issued; what changed since is said apart
            self.stdout.write(_("  与登记数差异：%(line)s") % {"line": line})

    def do_table(self, campaign: Campaign, options: dict[str, Any]) -> None:
        try:
            report = store_department_table(campaign, Path(options["file"]), label=options["label"])
        except PlanningError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("%(label)s：%(summary)s") % {"label": options["label"], "summary": report.summary()})
        for note in report.notes:
            self.stdout.write(_("  说明：%(note)s") % {"note": note})
        for row in member_mismatches(campaign):
            self.stdout.write(_("  党员人数不符：%(member_mismatch_text)s") % {"member_mismatch_text": member_mismatch_text(row)})
