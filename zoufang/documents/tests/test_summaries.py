"""The units' 工作总结 (decision 0071): handed in, refused, replaced, listed for the office, downloaded in scope."""

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse

from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.validation import validate_config
from zoufang.campaigns.yamlfile import parse_yaml
from zoufang.conftest import PASSWORD
from zoufang.core import request_keys
from zoufang.documents import summaries
from zoufang.documents.models import Summary
from zoufang.registry.models import Unit

DATA = Path(__file__).resolve().parents[2] / "campaigns" / "data"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE2 = summaries.OLE2 + b"\0" * 504


FIXED = (2017, 6, 15, 9, 0, 0)


def docx(text: str = "锦溪镇派出所走访调研工作总结") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # A fixed time in each entry: the same text makes the same bytes, whichever second it is built in.
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", FIXED), "<Types/>")
        archive.writestr(zipfile.ZipInfo("word/document.xml", FIXED),
                         f"<w:document><w:body><w:p>{text}</w:p></w:body></w:document>")
    return buffer.getvalue()


@pytest.fixture
def owed(office_town: Any) -> Any:
    """The counted campaign asks for 工作总结 by 6月30日 (today 6月15日): 派出所 and 镇党政班子 hold assignments."""
    counted = office_town
    campaign = counted.campaign
    campaign.config = {**campaign.config, "summaries": {"due": "2017-06-30", "label": "工作总结"}}
    campaign.save()
    counted.leadership = Unit.objects.get(name="镇党政班子")
    counted.users["leadership_handler"] = ensure_user(
        "leadership_handler", PASSWORD, role=RoleGrant.Role.UNIT_HANDLER, unit=counted.leadership, region=counted.town)
    return counted


def test_the_shipped_campaigns_ask_for_summaries_by_the_seeds_dates() -> None:
    for name, due in (("jinxi-2017.yaml", "2017-10-31"), ("menghe-dazoufang.yaml", "2018-06-01")):
        data = parse_yaml((DATA / name).read_text(encoding="utf-8")).data
        assert str(data["summaries"]["due"]) == due
        assert validate_config(data) == []
        data["summaries"]["due"] = "2030-06-01"
        assert any(error.startswith("summaries.due：") and "不在活动期间" in error for error in validate_config(data))
        del data["summaries"]["label"]
        assert any("summaries" in error and "label" in error for error in validate_config(data))


def test_the_owing_units_are_those_working_in_the_campaign(owed: Any) -> None:
    # 上下塘社区居委会 is of the town but holds no assignment here.
    assert {u.name for u in summaries.owing_units(owed.campaign)} == {"镇党政班子", "派出所"}


def test_a_units_handler_hands_in_a_docx_audited(owed: Any) -> None:
    handler = owed.users["handler"]
    summary, made = summaries.hand_in(handler, owed.campaign, owed.police, "派出所工作总结.docx", docx(), " 初稿 ")
    assert made
    assert summary.version == 1
    assert summary.kind == "docx"
    assert summary.note == "初稿"
    assert bytes(summary.content) == docx()
    assert summary.submitted_by == handler
    event = AuditEvent.objects.get(object_id=str(summary.public_id), action=AuditEvent.Action.CREATE)
    assert "第 1 版" in event.summary


@pytest.mark.parametrize(("name", "data", "rule"), [
    ("总结.xlsx", docx(), "只能提交 Word（.docx、.doc）、WPS 文字（.wps）或 PDF 文件"),
    ("总结.docx", b"", "是空文件"),
    ("总结.docx", PDF, "的内容不是Word 文档（.docx）（按文件内容判断，不看扩展名）"),
    ("总结.pdf", docx(), "的内容不是PDF 文件"),
    ("总结.doc", b"<html>saved as .doc</html>", "的内容不是Word 文档（.doc）"),
    ("总结", PDF, "只能提交"),
])
def test_a_file_of_another_type_or_empty_is_refused_naming_the_rule(owed: Any, name: str, data: bytes,
                                                                    rule: str) -> None:
    with pytest.raises(summaries.SummaryRefused, match=rule.replace("(", r"\(").replace(")", r"\)")):
        summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, name, data)
    assert not Summary.objects.exists()


def test_a_file_too_large_is_refused(owed: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(summaries, "MAX_MB", 1)
    with pytest.raises(summaries.SummaryRefused, match="超过 1 MB"):
        summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, "总结.pdf", PDF + b"0" * 1024 * 1024)


def test_pdf_doc_and_wps_are_read_by_their_content(owed: Any) -> None:
    handler = owed.users["handler"]
    kinds = [summaries.hand_in(handler, owed.campaign, owed.police, name, data)[0].kind
             for name, data in (("a.pdf", PDF), ("b.DOC", OLE2), ("c.wps", OLE2 + b"1"))]
    assert kinds == ["pdf", "doc", "wps"]


def test_replacing_keeps_the_earlier_version_until_the_due_date(owed: Any, settings: Any) -> None:
    handler = owed.users["handler"]
    first, _made = summaries.hand_in(handler, owed.campaign, owed.police, "初稿.docx", docx("初稿"))
    second, _made = summaries.hand_in(handler, owed.campaign, owed.police, "定稿.pdf", PDF, "定稿")
    assert (first.version, second.version) == (1, 2)
    row = summaries.roster(owed.campaign).rows
    police = next(r for r in row if r.unit == owed.police)
    assert [v.file_name for v in police.versions] == ["定稿.pdf", "初稿.docx"]
    assert police.current == second
    assert bytes(Summary.objects.get(pk=first.pk).content) == docx("初稿")
    settings.ZOUFANG_TODAY = "2017-07-01"
    with pytest.raises(summaries.SummaryRefused, match="已过截止日期 2017年6月30日，不能再更换工作总结"):
        summaries.hand_in(handler, owed.campaign, owed.police, "三稿.pdf", PDF + b"3")
    assert Summary.objects.count() == 2


def test_a_late_first_summary_is_taken_and_marked_late(owed: Any, settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-07-03"
    summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, "总结.pdf", PDF)
    roster = summaries.roster(owed.campaign)
    assert roster.overdue
    assert [(r.unit.name, r.late) for r in roster.rows if r.current] == [("派出所", True)]


def test_the_same_form_sent_twice_makes_one_version(owed: Any) -> None:
    handler, key = owed.users["handler"], uuid.uuid4()
    first, made = summaries.hand_in(handler, owed.campaign, owed.police, "总结.pdf", PDF, "说明", key=key)
    again, made_again = summaries.hand_in(handler, owed.campaign, owed.police, "总结.pdf", PDF, "说明", key=key)
    assert made
    assert not made_again
    assert again == first
    assert Summary.objects.count() == 1
    with pytest.raises(request_keys.KeyReused):
        summaries.hand_in(handler, owed.campaign, owed.police, "总结.pdf", PDF + b"x", "说明", key=key)
    assert Summary.objects.count() == 1


def test_only_the_units_own_handlers_hand_in_and_read_its_file(owed: Any) -> None:
    summary, _made = summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, "总结.pdf", PDF)
    for name in ("leadership_handler", "office", "dept", "outsider"):
        with pytest.raises(Http404):
            summaries.hand_in(owed.users[name], owed.campaign, owed.police, "x.pdf", PDF)
    for name in ("leadership_handler", "dept", "outsider", "village", "auditor"):
        with pytest.raises(Http404):
            summaries.readable_file(owed.users[name], owed.campaign, summary.public_id)
    for name in ("handler", "office", "leader", "assessor"):
        assert summaries.readable_file(owed.users[name], owed.campaign, summary.public_id) == summary
    reads = AuditEvent.objects.filter(object_id=str(summary.public_id), action=AuditEvent.Action.READ)
    assert reads.count() == 4


def test_a_campaign_without_summaries_asks_none(owed: Any) -> None:
    owed.campaign.config = {"pace": owed.campaign.config["pace"]}
    owed.campaign.save()
    with pytest.raises(Http404):
        summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, "总结.pdf", PDF)
    assert summaries.due_of(owed.campaign) is None


def _client(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_the_unit_hands_in_through_its_page_and_a_resend_stores_one_version(owed: Any, client: Any) -> None:
    c = _client(client, owed.users["handler"])
    url = reverse("documents:summary_unit", args=[owed.campaign.slug, owed.police.public_id])
    page = c.get(url)
    assert page.status_code == 200
    assert "未提交" in page.content.decode()
    assert "提交文件" in page.content.decode()
    hand_in = reverse("documents:summary_hand_in", args=[owed.campaign.slug, owed.police.public_id])
    key = str(uuid.uuid4())
    for _n in range(2):
        answer = c.post(hand_in, {"file": _upload("派出所总结.docx", docx()), "note": "定稿", "key": key}, follow=True)
        assert answer.status_code == 200
    assert Summary.objects.count() == 1
    text = answer.content.decode()
    assert "未重复保存" in text
    assert "派出所总结.docx" in text
    assert "第 1 版" in text
    refused = c.post(hand_in, {"file": _upload("总结.xlsx", docx()), "key": str(uuid.uuid4())})
    assert refused.status_code == 400
    assert "只能提交 Word" in refused.content.decode()
    assert Summary.objects.count() == 1


def test_the_office_lists_who_has_and_has_not_handed_in_and_takes_the_xlsx(owed: Any, client: Any) -> None:
    from openpyxl import load_workbook

    summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, "派出所总结.pdf", PDF, "定稿")
    c = _client(client, owed.users["office"])
    page = c.get(reverse("documents:summaries", args=[owed.campaign.slug]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "已提交 1 / 2 个单位" in text
    assert "派出所总结.pdf" in text
    assert "未提交 1" in text  # the filter's count; the 已退回（待重交） state is decision 0075's tests'
    assert "已提交 1" in text
    assert "镇党政班子" in text
    assert "工作总结" in c.get(reverse("documents:index", args=[owed.campaign.slug])).content.decode()
    answer = c.get(reverse("documents:summaries_xlsx", args=[owed.campaign.slug]))
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
    by_unit = {row[1]: row for row in rows}
    assert by_unit["派出所"][2:4] == ["已提交", None]
    assert by_unit["派出所"][6] == "派出所总结.pdf"
    assert by_unit["镇党政班子"][2] == "未提交"
    # The due date and the day the count stands at, each named (the title printed “（截止2017年6月30日，…，2017年6月15日）”).
    assert "（截止日期 2017年6月30日；截至2017年6月15日，1/2 个单位已提交）" in sheet["A1"].value
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, summary__contains="工作总结").exists()


def test_another_units_summary_is_not_there(owed: Any, client: Any) -> None:
    summary, _made = summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, "总结.pdf", PDF)
    c = _client(client, owed.users["leadership_handler"])
    slug = owed.campaign.slug
    assert c.get(reverse("documents:summary_file", args=[slug, summary.public_id])).status_code == 404
    assert c.get(reverse("documents:summary_unit", args=[slug, owed.police.public_id])).status_code == 404
    assert c.get(reverse("documents:summaries", args=[slug])).status_code == 404
    posted = c.post(reverse("documents:summary_hand_in", args=[slug, owed.police.public_id]),
                    {"file": _upload("x.pdf", PDF)})
    assert posted.status_code == 404
    assert Summary.objects.count() == 1
    office = _client(client, owed.users["office"])
    assert office.post(reverse("documents:summary_hand_in", args=[slug, owed.police.public_id]),
                       {"file": _upload("x.pdf", PDF)}).status_code == 404
    taken = office.get(reverse("documents:summary_file", args=[slug, summary.public_id]))
    assert taken.status_code == 200
    assert taken.content == PDF
    assert taken["Content-Type"] == "application/pdf"


def test_the_units_page_says_whether_its_summary_is_in(owed: Any, client: Any, settings: Any) -> None:
    c = _client(client, owed.users["handler"])
    url = reverse("oversight:unit", args=[owed.campaign.slug, owed.police.public_id])
    text = c.get(url).content.decode()
    assert "本单位工作总结" in text
    assert "未提交" in text
    assert "2017年6月30日</time>" in text
    summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, "总结.pdf", PDF)
    settings.ZOUFANG_TODAY = "2017-07-01"
    text = c.get(url).content.decode()
    assert "已提交（第 1 版" in text
    assert 'badge-bad">逾期<' not in text
    other = reverse("oversight:unit", args=[owed.campaign.slug, owed.leadership.public_id])
    text = _client(client, owed.users["office"]).get(other).content.decode()
    assert "本单位工作总结" in text
    assert 'badge-bad">逾期<' in text


NOTE = "已走访张建国，电话 139 1234 0099，身份证 3205 8319 7501 0100 1X"  # a resident's numbers typed in a note


@pytest.mark.parametrize("reader", ["handler", "office"])
def test_a_notes_personal_numbers_are_masked_for_every_reader(owed: Any, client: Any, reader: str) -> None:
    """A summary's note is the unit's free text: numbers in it are masked wherever it is shown, as a diary's are
    (decision 0073): no reader has a resident's record behind it to read in full."""
    from openpyxl import load_workbook

    summaries.hand_in(owed.users["handler"], owed.campaign, owed.police, "派出所总结.pdf", PDF, NOTE)
    c = _client(client, owed.users[reader])
    slug = owed.campaign.slug
    page = c.get(reverse("documents:summary_unit", args=[slug, owed.police.public_id])).content.decode()
    assert "139****0099" in page
    assert "13912340099" not in page.replace(" ", "")
    assert "0100 1X" not in page
    if reader == "office":
        answer = c.get(reverse("documents:summaries_xlsx", args=[slug]))
        cells = [str(c) for row in load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True)
                 for c in row if c]
        assert any("139****0099" in cell for cell in cells)
        assert not any("1234 0099" in cell or "0100 1X" in cell for cell in cells)
