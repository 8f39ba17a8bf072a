"""查阅、复制 (个人信息保护法 第四十五条): what is held on one person, as the page lists it and as the xlsx
“个人信息副本” holds it — one list of sections both read, so the copy is what the office was shown. In full: it is
the person's own data, handed to them at their request (the read is audited)."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from zoufang import clock
from zoufang.callbacks import script
from zoufang.core.sheetwriter import MINUTE_WIDTH, TITLE, ExportWorkbook, titled_table
from zoufang.privacy.holdings import Holdings
from zoufang.visits.presenters import answer_rows


@dataclass
class Section:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    widths: tuple[float, ...]

    @property
    def labelled(self) -> list[list[tuple[str, Any]]]:
        """Each row's cells with their header (a phone's card labels each cell)."""
        return [list(zip(self.headers, row, strict=True)) for row in self.rows]


def _day(moment: Any) -> str:
    return clock.minute(moment) if moment else ""


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


def _answers(visit: Any) -> str:
    parts = []
    for answer in visit.form_answers.all():
        rows = "；".join(f"{label}：{value}" for label, value in answer_rows(answer, answer.data) if value not in (None, ""))
        parts.append(f"【{answer.form.title}】{rows}")
    return "\n".join(parts)


def _history(case: Any) -> str:
    lines = [f"{_day(e.at)} {e.get_to_status_display()}{('：' + e.note) if e.note else ''}" for e in case.events.all()]
    lines += [_("%(day)s 答复（%(channel)s）：%(text)s") % {"day": clock.day(r.replied_on),
                                                       "channel": r.get_channel_display(), "text": r.content}
              for r in case.replies.all()]
    lines += [_("%(day)s 回访（%(satisfaction)s）%(note)s") % {"day": clock.day(c.called_on),
                                                          "satisfaction": c.get_satisfaction_display(),
                                                          "note": ("：" + c.note) if c.note else ""}
              for c in case.callbacks.all()]
    return "\n".join(lines)


def _said(campaign: Any, answers: dict[str, Any]) -> str:
    """A callback's answers, a line a question, as the callback script asked it."""
    return "\n".join(f"{label}：{value}" for label, value in script.answer_rows(campaign, answers))


def _attempts(sample: Any) -> str:
    """Each call; a call's answers when they are not the sample's (which the 回访答案 column holds)."""
    return "\n".join(f"{_day(a.called_at)} {a.get_kind_display()}{('：' + a.note) if a.note else ''}"
                     + (("\n" + _said(sample.batch.campaign, a.answers)) if a.answers and a.answers != sample.answers
                        else "")
                     for a in sample.attempts.all())


def sections(holdings: Holdings) -> list[Section]:
    """The person's records, a section a kind: 走访对象, 走访记录, 问题与意见建议, 回访抽查."""
    targets = Section(_("走访对象"), [_("对象类型"), _("名称/户主姓名"), _("所在区划"), _("地址"), _("联系电话"), _("身份证号码"),
                                    _("联系人"), _("家庭人口"), _("困难家庭"), _("简介"), _("登记时间")], [],
                      (12, 16, 22, 24, 15, 21, 10, 8, 8, 30, MINUTE_WIDTH))
    for t in holdings.targets:
        targets.rows.append([t.get_kind_display(), t.name, t.region.local_name(), t.address, t.phone, t.id_number, t.contact_name,
                             t.member_count if t.member_count is not None else "", _yes(t.hardship), t.description,
                             _day(t.created_at)])
    visits = Section(_("走访记录"), [_("走访时间"), _("走访活动"), _("走访对象"), _("走访人"), _("走访方式"), _("走访情况"),
                                   _("调查表答案")], [], (MINUTE_WIDTH, 20, 14, 20, 10, 40, 50))
    for v in holdings.visits:
        visits.rows.append([_day(v.visited_at), v.campaign.name, v.target.name,
                            f"{v.cadre.name}（{v.cadre.unit.name}）", v.get_mode_display(), v.summary, _answers(v)])
    cases = Section(_("问题与意见建议"), [_("编号"), _("走访活动"), _("类型"), _("状态"), _("收集时间"), _("内容"), _("反映人"),
                                      _("反映人电话"), _("所在区划"), _("承办单位"), _("办理结果"), _("解释说明"),
                                      _("办理经过、答复和回访")], [],
                    (10, 18, 10, 10, MINUTE_WIDTH, 36, 12, 15, 22, 14, 30, 24, 44))
    for c in holdings.cases:
        cases.rows.append([c.number, c.campaign.name, c.get_kind_display(), c.get_status_display(), _day(c.raised_at),
                           c.description, c.target.name if c.target is not None else c.raiser_name, c.raiser_phone,
                           c.region.local_name() if c.region is not None else "",
                           c.unit.name if c.unit is not None else "", c.resolution, c.explanation, _history(c)])
    samples = Section(_("回访抽查"), [_("批次"), _("走访时间"), _("走访对象"), _("回访结果"), _("回访答案"), _("核实情况"),
                                    _("拨打记录")], [], (20, MINUTE_WIDTH, 14, 14, 44, 30, 40))
    for s in holdings.samples:
        samples.rows.append([str(s.batch), _day(s.visit.visited_at), s.visit.target.name, s.get_outcome_display(),
                             _said(s.batch.campaign, s.answers), s.verification_note, _attempts(s)])
    return [targets, visits, cases, samples]


def workbook(holdings: Holdings, *, by: Any) -> bytes:
    """The xlsx “个人信息副本”: a cover sheet saying whose, when and by whom, then a sheet a section."""
    book = ExportWorkbook()
    cover = book.active
    assert cover is not None  # noqa: S101 - a new workbook has its sheet
    cover.title = _("说明")
    cover.append([_("个人信息副本")])
    cover["A1"].font = TITLE
    listed = sections(holdings)
    for label, value in ((holdings.asked.label, holdings.asked.value),
                         (_("出具时间"), clock.minute(clock.now())),
                         (_("出具人"), by.get_full_name() or by.get_username()),
                         *((s.title, _("%(n)s 条") % {"n": len(s.rows)}) for s in listed),
                         (_("依据"), _("《中华人民共和国个人信息保护法》第四十五条：个人有权向个人信息处理者查阅、复制其个人信息。"))):
        cover.append([label, value])
    cover.column_dimensions["A"].width = 16
    cover.column_dimensions["B"].width = 70
    for section in listed:
        sheet = book.create_sheet(section.title)
        titled_table(sheet, _("个人信息副本：%(section)s") % {"section": section.title}, section.headers, section.widths)
        for row in section.rows:
            sheet.table_row(row)
    return book.to_bytes()
