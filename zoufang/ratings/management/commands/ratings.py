"""`zoufang ratings sync [--campaign SLUG]`: create the 督查 items saved answers call for and that are missing.
`zoufang ratings verify [--campaign SLUG] [--repair]`: hold the kept rating tallies against a full recount."""

import datetime as dt
import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.core.commands import ZoufangCommand
from zoufang.ratings import grades, services, tallies
from zoufang.registry.models import Unit

SHOWN = 20  # differences listed per campaign


class Command(ZoufangCommand):
    help = "企业评价：sync 为评价为“差”而尚无督查事项的调查表答案补建督查事项（可重复运行）；verify 核对评价计数"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sync = sub.add_parser("sync", help="补建缺少的督查事项")
        sync.add_argument("--campaign", help="走访活动代号，如 jinxi-2017；不写时处理全部活动")
        verify = sub.add_parser("verify", help="重新统计每个走访活动的企业评价，与保存的计数逐项核对；不一致时退出码为 1")
        verify.add_argument("--campaign", help="只核对这个走访活动（代号，如 jinxi-2017）")
        verify.add_argument("--repair", action="store_true", help="按重新统计的结果改写保存的计数")

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = Campaign.objects.order_by("slug")
        if options.get("campaign"):
            campaigns = campaigns.filter(slug=options["campaign"])
            if not campaigns.exists():
                raise CommandError(_("没有代号为 %(slug)s 的走访活动") % {"slug": options["campaign"]})
        if options["action"] == "verify":
            self._verify(list(campaigns), repair=bool(options.get("repair")))
            return
        for campaign in campaigns:
            if not grades.rating_forms(campaign):
                continue
            created = services.sync_campaign(campaign)
            self.stdout.write(_("%(campaign)s：新建督查事项 %(created)s 项") % {"campaign": campaign.name, "created": created})

    def _verify(self, campaigns: list[Campaign], *, repair: bool) -> None:
        wrong = 0
        for campaign in campaigns:
            verdict = tallies.verify(campaign.pk)
            if verdict.ok:
                self.stdout.write(_("%(name)s（%(slug)s）：企业评价计数与重新统计一致")
                                  % {"name": campaign.name, "slug": campaign.slug})
                continue
            wrong += 1
            self._report(campaign, verdict)
            if repair:
                tallies.rebuild(campaign.pk)
                after = tallies.verify(campaign.pk).ok
                self.stdout.write(_("  已按重新统计改正，复核一致") if after else _("  已按重新统计改正，复核仍不一致"))
                wrong -= after
        if wrong:
            self.stderr.write(_("%(n)d 个走访活动的企业评价计数与重新统计不一致") % {"n": wrong})
            sys.exit(1)

    def _report(self, campaign: Campaign, verdict: tallies.Verdict) -> None:
        self.stdout.write(_("%(name)s（%(slug)s）：%(nodes)d 项评价计数、%(answers)d 份调查表的计入情况与重新统计不一致")
                          % {"name": campaign.name, "slug": campaign.slug, "nodes": len(verdict.differences),
                             "answers": len(verdict.answers)})
        units = Unit.objects.in_bulk({node[0] for node, _kept, _counted in verdict.differences[:SHOWN]})
        for (unit, aspect, month, grade), kept, counted in verdict.differences[:SHOWN]:
            where = units[unit].name if unit in units else _("全活动")
            self.stdout.write(_("  %(where)s·%(aspect)s·%(month)s·%(grade)s：应为 %(counted)d 实为 %(kept)d")
                              % {"where": where, "aspect": aspect or _("综合"), "month": _month_name(month),
                                 "grade": _grade_name(grade), "counted": counted, "kept": kept})
        if verdict.answers:
            shown = "、".join(str(pk) for pk in verdict.answers[:SHOWN])
            self.stdout.write(_("  计入情况不一致的调查表答案：%(ids)s") % {"ids": shown})


def _month_name(month: str) -> str:
    """A tally's month, kept as "2017-06", as staff write it: 2017年6月."""
    return clock.month(dt.date.fromisoformat(f"{month}-01")) if month else _("全部月份")


def _grade_name(grade: str) -> str:
    names = {tallies.FORMS: _("调查表份数"), tallies.ANSWERS: _("按四级填写的份数"),
             tallies.OLD_ANSWERS: _("按旧版填写的份数")}
    if grade in names:
        return names[grade]
    if grade.startswith(tallies.OLD):
        return _("旧版“%(words)s”") % {"words": grade[len(tallies.OLD):]}
    return str(grades.LABELS.get(grade, grade))
