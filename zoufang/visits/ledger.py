"""走访台账 as xlsx, per cadre and per unit (seed 002 §五1), with the 民情走访日记 on a second sheet."""

from collections.abc import Iterable
from io import BytesIO
from typing import IO, Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.masking import Kind
from zoufang.accounts.models import AuditEvent
from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Case
from zoufang.core import snapshot
from zoufang.core.progress import Progress, report
from zoufang.core.sheetwriter import DAY_WIDTH, MINUTE_WIDTH, TITLE, ExportWorkbook
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.registry.presenters import TargetPresenter
from zoufang.visits.models import DiaryEntry, Visit

COLUMNS = [_l("序号"), _l("走访时间"), _l("走访方式"), _l("村（社区）"), _l("村（居）民小组"), _l("网格"), _l("走访对象"),
           _l("对象类型"), _l("地址"), _l("联系电话"), _l("走访人"), _l("单位"), _l("同行人员"), _l("走访情况"),
           _l("问题意见（条）"), _l("当场解决"), _l("登记期限"), _l("逾期登记")]
# 214 units: printed on A3 across at 10.4 pt in Excel, 8.2 pt in LibreOffice even without Calibri's metrics (decision
# 0030). The long texts wrap; 走访时间 prints its day over its time (clock.minute: MINUTE_WIDTH); a header of four characters keeps to one line
# (in 8 units Excel broke 逾期登记 after its third), 问题意见（条） wraps before its bracket; 登记期限, a date, prints whole
# (2017年12月31日: DAY_WIDTH), their room taken from 地址 and 走访情况 (which wrap) and 联系电话 (11 digits take 11.75).
WIDTHS = [6, MINUTE_WIDTH, 10, 12, 10, 8, 14, 10, 13, 12, 8, 12, 10, 27, 10, 10, DAY_WIDTH, 10]


def cadre_campaigns(cadre: Cadre) -> list[Campaign]:
    """The campaigns that assign targets to the cadre, latest first."""
    ids = Assignment.objects.filter(cadre=cadre).values_list("campaign_id", flat=True).distinct()
    return list(Campaign.objects.filter(pk__in=ids).order_by("-starts_on"))


def unit_visits(unit: Unit) -> Any:
    return Visit.objects.filter(cadre__unit=unit).order_by("cadre__name", "visited_at")


PLACE_LEVELS = (Region.Level.VILLAGE, Region.Level.GROUP, Region.Level.GRID)
CHUNK = 2000  # rows fetched per round trip of the server-side cursor
AUDIT_NAMED = 5000  # revealed targets named one by one in the audit row; beyond, counted (see write_ledger)
# A target sits in a village, a group or a grid: its region and two ancestors hold every place level.
_REGION = "target__region"
_FIELDS = ("visited_at", "mode", "co_visitors", "summary", "settled_on_spot", "registration_due", "recorded_late",
           "opinions", "target_id", "target__public_id", "target__name", "target__kind", "target__address",
           "target__phone", "target__id_number", "target__region_id", f"{_REGION}__path",
           f"{_REGION}__level", f"{_REGION}__name", f"{_REGION}__parent__level", f"{_REGION}__parent__name",
           f"{_REGION}__parent__parent__level", f"{_REGION}__parent__parent__name", "cadre__name",
           "cadre__unit__name")


def _place(levels_and_names: Iterable[tuple[str | None, str | None]]) -> tuple[str, ...]:
    """The target's 村（社区）, 村（居）民小组 and 网格 from its region upwards ("" where the target has none)."""
    names = dict.fromkeys(PLACE_LEVELS, "")
    for level, name in levels_and_names:
        if level not in names:
            break
        names[Region.Level(level)] = name or ""
        if level == Region.Level.VILLAGE:
            break
    return tuple(names.values())


def ledger_rows(visits: "QuerySet[Visit]") -> Any:
    """The visits as the ledger reads them, one tuple of `_FIELDS` each: what a row shows joined in, the
    opinions counted by a subquery, no model built per row (a campaign joined per row was its whole
    configuration parsed per row)."""
    opinions = (Case.objects.filter(source_visit=OuterRef("pk")).order_by().values("source_visit")
                .annotate(n=Count("id")).values("n"))
    return (visits.select_related(None).prefetch_related(None)
            .annotate(opinions=Coalesce(Subquery(opinions, output_field=IntegerField()), 0))
            .values_list(*_FIELDS))


class _Decisions:
    """What the viewer may read of each row, asked of the request's PersonalDataPolicy once per region."""

    def __init__(self, presenter: TargetPresenter) -> None:
        self.policy = presenter.policy
        self.masker = presenter.masker
        self._full: dict[str, bool] = {}

    def full_identity(self, path: str) -> bool:
        if path not in self._full:
            self._full[path] = self.policy.full_identity(Target(region=Region(path=path)))
        return self._full[path]

    def full_phone(self, target_id: int, path: str) -> bool:
        return self.full_identity(path) or target_id in self.policy.assigned_ids


def write_ledger(out: IO[bytes], title: str, visits: "QuerySet[Visit]", user: Any, *, whose: str = "",
                 progress: Progress | None = None) -> int:
    """The 走访台账 of `visits` (in their order) and its 民情走访日记 (titled with `whose`, the cadre's or unit's
    name), streamed to `out`; returns the row count.

    Rows come from a server-side cursor and go to disk as written: memory stays flat however many visits,
    and the queries are the same few whatever their number. The audit of full phone numbers names up to
    AUDIT_NAMED targets and counts the rest, so the audit row too stays bounded.
    """
    presenter = TargetPresenter(user)
    decide = _Decisions(presenter)
    masker = presenter.masker
    modes = {key: str(label) for key, label in Visit.Mode.choices}
    kinds = {key: str(label) for key, label in Target.Kind.choices}
    places: dict[int, tuple[str, ...]] = {}
    yes, overdue = _("是"), _("逾期")
    total = visits.count()
    report(progress, 0, total)
    workbook = ExportWorkbook(streaming=True)
    sheet = workbook.create_sheet(_("走访台账"))
    sheet.set_widths(WIDTHS)
    sheet.freeze_panes = "A3"
    diary = workbook.create_sheet(_("民情走访日记"))
    diary.set_widths([DAY_WIDTH, 12, 80])
    diary.freeze_panes = "A3"  # its title and headers on every printed page
    sheet.append([title], font=TITLE)
    diary.append([_("%(whose)s 民情走访日记") % {"whose": whose} if whose else _("民情走访日记")],
                 font=TITLE)
    sheet.table_row([str(label) for label in COLUMNS], header=True)
    revealed: dict[str, None] = {}
    revealed_count = 0
    number = 0
    for number, (visited_at, mode, co_visitors, summary, settled, due, late, opinions, target_id, public_id, name,
                 kind, address, phone, id_number, region_id, path, *regions, cadre, unit) in enumerate(
            ledger_rows(visits).iterator(chunk_size=CHUNK), start=1):
        full = decide.full_identity(path)
        full_phone = full or decide.full_phone(target_id, path)
        if (id_number and full) or (phone and full_phone):
            revealed_count += 1
            if len(revealed) < AUDIT_NAMED:
                revealed[str(public_id)] = None
        if region_id not in places:
            places[region_id] = _place(zip(regions[::2], regions[1::2], strict=True))
        sheet.table_row([
            number, clock.minute(visited_at), modes.get(mode, mode), *places[region_id], name, kinds.get(kind, kind),
            address, masker.show(Kind.PHONE, phone, full=full_phone), cadre, unit,
            masker.show(Kind.FREE_TEXT, co_visitors, full=full), masker.show(Kind.FREE_TEXT, summary, full=full),
            opinions, yes if settled else "", due, overdue if late else "",
        ])
        if number % CHUNK == 0:
            report(progress, number, total)
    diary.table_row([_("日期"), _("走访干部"), _("内容")], header=True)
    entries = (DiaryEntry.objects.filter(cadre_id__in=visits.order_by().values("cadre_id"))
               .select_related("cadre").order_by("entry_date", "id"))
    for entry in entries.iterator(chunk_size=CHUNK):
        diary.table_row([entry.entry_date, entry.cadre.name, masker.text(entry.text, entry)])
    workbook.save(out)
    if revealed:
        changes: dict[str, Any] = {"targets": list(revealed)}
        if revealed_count > len(revealed):
            changes["more"] = _("另有 %(n)d 条走访记录的对象未逐一列出（按本台账的范围可复查）") % {
                "n": revealed_count - len(revealed)}
        with snapshot.writes():  # kept as it is written, not with a download's read transaction (decision 0027)
            audit.record(user, AuditEvent.Action.READ, object_type="registry.Target",
                         summary=_("走访台账导出完整电话：%(n_revealed)s条") % {"n_revealed": len(revealed)},
                         changes=changes)
    report(progress, number, total)
    return number


def ledger_workbook(title: str, visits: "QuerySet[Visit]", user: Any) -> bytes:
    """The ledger in memory, for callers that send it in the response (small selections)."""
    buffer = BytesIO()
    write_ledger(buffer, title, visits, user)
    return buffer.getvalue()
