"""`zoufang integrity simulate [--seeds 1 2 3] [--cadres 500]`: the flags and callbacks on a synthetic campaign."""

from dataclasses import replace
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from zoufang.core.commands import ZoufangCommand
from zoufang.integrity.simulate import Parameters, report, simulate

GOAL_CAUGHT, GOAL_HONEST = 0.9, 0.02  # issue 12: ≥ 90 % of fabricators caught, ≤ 2 % of honest cadres flagged


class Command(ZoufangCommand):
    help = "走访真实性提示：在合成的走访活动上检验提示和回访抽查的效果"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("simulate", help="合成走访活动（默认 500 名走访人、约 2 万次走访），比较提示加回访与随机回访")
        run.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], metavar=_("种子"),
                         help=_("随机数种子，可写多个，每个种子合成一次（默认 1 2 3）"))
        run.add_argument("--cadres", type=int, default=Parameters.cadres, metavar=_("人数"),
                         help=_("合成的走访人数，至少 20（默认 %(n)s）") % {"n": Parameters.cadres})

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cadres"] < 20:
            raise CommandError(_("--cadres 至少 20"))
        parameters = replace(Parameters(), cadres=options["cadres"])
        met = True
        for seed in options["seeds"]:
            outcome = simulate(seed, parameters)
            for line in report(outcome):
                self.stdout.write(line)
            met &= (outcome.caught_with_callbacks >= GOAL_CAUGHT * outcome.fabricators
                    and outcome.honest_flagged <= GOAL_HONEST * outcome.honest)
        self.stdout.write(("达到" if met else "未达到") + "目标：每个种子发现造假 ≥ 90%，误提示如实走访人 ≤ 2%")
