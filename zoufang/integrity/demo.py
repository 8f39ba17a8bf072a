"""The demo's part: the office has checked one planted fabricator's flag (ganbu2, desk entry in bulk,
visits/demo.py) and upheld it (查实), so the assessment's integrity indicator has a finding to count; the
flags are stored as the job would (integrity/scans.py), so the flags page has them to show.
Deterministic and safe to run twice."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from zoufang.integrity import flags, scans, services
from zoufang.integrity.models import FlagClearance
from zoufang.registry.models import Cadre

FABRICATOR = "ganbu2"  # visits/demo.py CADRE_ACCOUNTS: 事后深夜批量补录
REASON = "走访办电话核实：所列走访对象均称5月未见走访干部上门，本人承认系事后凭印象补录，核实属实"


def uphold_demo_flag(campaign: Any, say: Callable[[str], Any]) -> None:
    if scans.newest(campaign, None) is None:  # the office decides on the flags a scan stored (services.decide)
        scan = scans.compute_scan(campaign)
        say(_("走访真实性提示：已计算，%(listed)s 名走访人有提示") % {"listed": scan.listed})
    _uphold(campaign, say)


def _uphold(campaign: Any, say: Callable[[str], Any]) -> None:
    office = get_user_model().objects.filter(username="office").first()
    cadre = Cadre.objects.filter(user__username=FABRICATOR).first()
    if office is None or cadre is None:
        return
    if FlagClearance.objects.filter(campaign=campaign, outcome=FlagClearance.Outcome.UPHELD).exists():
        return
    found = sorted((f for f in flags.compute(campaign) if f.cadre_id == cadre.pk and f.is_open
                    and f.kind != "callbacks"), key=lambda f: (-f.weight, f.kind != "late_bulk", f.key))
    if not found:
        return
    services.uphold_flag(office, campaign, found[0].key, REASON)
    say(_("走访真实性提示：查实 1 条（%(cadre)s，%(label)s）") % {"cadre": cadre.name, "label": found[0].label})
