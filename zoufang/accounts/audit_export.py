"""审计记录 as an xlsx a clerk can print for an inspection: on A4 across at a readable size, the title, the filter
used and the export time repeated above every page's headers, long texts wrapped; each row's full chain hash
(what `zoufang audit verify` checks) and its record's id on a sheet of their own, a short hash on the printed
sheet to match it by.

Streamed (`ExportWorkbook(streaming=True)`): a hundred thousand rows cost the memory of one chunk of events.
"""

from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment

from zoufang import clock
from zoufang.accounts import audit
from zoufang.accounts.audit_present import AuditPresenter, ShownEvent
from zoufang.accounts.models import AuditEvent
from zoufang.core.sheetwriter import MINUTE_WIDTH, TITLE, ExportWorkbook, print_on_a4, write_instructions
from zoufang.core.tabular import Column

EXPORT_CHUNK = 2000
SHORT_HASH = 8  # hex digits of the hash printed with each row, to find it on the 校验值 sheet
# Widths (129 in all, as before) that printed the demo's 4,934 events 14 % shorter than 13/22/24/36 did: an 操作人
# such as 周庄镇社事局承办人（zhouzhuang_sheshi） took four lines beside a one-line 对象. 时间 is as wide as its day
# (2017年6月14日 over 23:46:05), its room taken from 对象 and 变更内容.
EXPORT_COLUMNS = [
    Column("序号", rule=gettext_lazy("审计链中的位置，连续编号"), width=6),
    Column("时间", rule=gettext_lazy("北京时间"), width=MINUTE_WIDTH),
    Column("操作人", rule=gettext_lazy("操作时的姓名和账号；账号已删除的注明"), width=16),
    Column("操作", width=7),
    Column("对象", rule=gettext_lazy("对象的类型和名称；已删除的注明；对象编号见“编号与校验值”工作表"), width=27),
    Column("摘要", width=19),
    Column("变更内容", rule=gettext_lazy("字段：原值 → 新值"), width=28),
    Column("校验值", rule=gettext_lazy("本条记录校验值的前 8 位；完整校验值见“编号与校验值”工作表"), width=10, text=True),
]
# Machine-checked columns, too long to print beside the texts: each row's record id and its whole chain hash.
ID_COLUMNS = [
    Column("序号", width=8),
    Column("时间", width=20),
    Column("对象编号", width=38, text=True),
    Column("校验值", rule=gettext_lazy("本条记录的 HMAC-SHA256 校验值，与前一条相链；zoufang audit verify 据此校验"),
           width=66, text=True),
]
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def write_export(out: IO[bytes], user: Any, events: QuerySet[AuditEvent], *, total: int, filters: str) -> None:
    """The events as `user` reads them (AuditPresenter), newest first as given; `filters` describes the choice."""
    book = ExportWorkbook(streaming=True)
    header = [
        _("筛选条件：%(filters)s") % {"filters": filters or _("全部审计记录")},
        _("导出时间：%(at)s；共 %(total)d 条；校验值列为前 %(n)d 位，对象编号和完整校验值见“编号与校验值”工作表。") % {
            "at": clock.minute(clock.now()), "total": total, "n": SHORT_HASH},
    ]
    trail = _sheet(book, _("审计记录"), EXPORT_COLUMNS, header)
    ids = _sheet(book, _("编号与校验值"), ID_COLUMNS, header)
    for shown in _presented(user, events):
        e = shown.event
        at = clock.second(e.at)
        trail.table_row([e.seq, at, e.actor_display, e.get_action_display(), shown.object_line, shown.summary,
                         "\n".join(shown.changes), e.hash[:SHORT_HASH]])
        ids.table_row([e.seq, at, e.object_id, e.hash])
    write_instructions(book.create_sheet(_("说明")), [*EXPORT_COLUMNS, *ID_COLUMNS[2:]], [
        *header,
        _("审计记录保存 %(days)d 天，期满前任何人不能修改或删除；用 zoufang audit verify 校验是否被篡改。")
        % {"days": audit.retention_days()},
    ], title=_("审计记录导出说明"))
    book.save(out)


def _sheet(book: ExportWorkbook, title: str, columns: Sequence[Column], header: list[str]) -> Any:
    """A printed table: the title and the header lines merged across, the column headers, all three repeated on
    each page (the writer numbers the pages at the foot)."""
    sheet = book.create_sheet(title)
    sheet.set_widths(column.width for column in columns)
    sheet.freeze_panes = "A4"
    print_on_a4(sheet, title_rows="1:3")
    last = len(columns)
    sheet.append([title], font=TITLE, height=24)
    sheet.append(["\n".join(header)], alignment=LEFT, height=32)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    sheet.table_row([column.header for column in columns], header=True)
    return sheet


def _presented(user: Any, events: QuerySet[AuditEvent]) -> Iterator[ShownEvent]:
    """The events presented as the page presents them, a chunk at a time (a few queries a chunk)."""
    presenter = AuditPresenter(user)
    chunk: list[AuditEvent] = []
    for event in events.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(event)
        if len(chunk) == EXPORT_CHUNK:
            yield from presenter.present(chunk)
            chunk = []
    yield from presenter.present(chunk)
