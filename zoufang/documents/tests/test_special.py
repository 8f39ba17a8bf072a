"""The 专报 (decision 0074) on the oversight tests' hand-counted campaign (its conftest gives the counts): a
category's and a village's figures counted by hand, the quoted words masked, its own 第N期 series, the docx read
back, the page form and the API round trip."""

import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document as read_docx

from zoufang.cases.models import Case
from zoufang.documents import services
from zoufang.documents.models import Document
from zoufang.jobs.testing import api_job
from zoufang.regions.models import Region

pytestmark = pytest.mark.django_db
JUNE = (dt.date(2017, 6, 1), dt.date(2017, 6, 15))
ID_NUMBER, PHONE = "320583198001011234", "13812345678"


def text(document: Document, key: str) -> str:
    return next(item["text"] for item in document.sections if item["key"] == key)


def village_of(town: Any) -> Region:
    region = town.households["shangxiatang"][0].region
    while region.level != Region.Level.VILLAGE:
        region = region.parent
    return region


def subject(town: Any, value: str, numbers: str = "") -> dict[str, Any]:
    return services.subject_of(town.campaign, Document.Kind.SPECIAL, value, numbers, viewer=town.users["office"])


def report(town: Any, value: str, numbers: str = "") -> Document:
    return services.generate_draft(town.campaign, Document.Kind.SPECIAL, *JUNE, by=town.users["office"],
                                   subject=subject(town, value, numbers))


def test_a_category_report_counts_its_cases_by_village_and_names_the_overdue_unit(office_town: Any) -> None:
    top, _second = office_town.categories
    draft = report(office_town, f"category:{top.pk}")
    # c1, c2 and c6 are of 1.1 (under 1); c5 is merged into c1; c3 is of 2, c4 has no category.
    assert draft.title == "关于群众反映“在收集社情民意方面”类问题情况的专报"
    assert draft.addressee == "镇党委、政府主要领导"
    assert [item["heading"] for item in draft.sections] == ["一、基本情况", "二、群众反映的主要问题", "三、办理情况",
                                                            "四、意见建议"]
    assert text(draft, "basic") == (
        "2017年6月1日至2017年6月15日，“在收集社情民意方面”类共收集问题和意见建议3件，已交办3件，"
        "已办结1件（其中解决1件），按时办结率50.0%，解决率33.3%，满意率100.0%；超过办理期限尚未办结1件。")
    problems = text(draft, "problems")
    assert problems.startswith("按村（社区）分，反映较多的是：上下塘社区3件。")
    assert "（一）上下塘社区：如群众反映“c6”（2017年6月8日收集）。" in problems  # the latest of the group
    grouped = next(item for item in draft.sections if item["key"] == "problems")["blocks"][0]
    assert grouped["rows"] == [["上下塘社区", 3, 3, 1, 1, 1], ["合计", 3, 3, 1, 1, 1]]
    handling = text(draft, "handling")
    assert handling.startswith("截至2017年6月15日，已交办的3件问题中，已办结1件（其中解决1件，解释说明0件），正在办理2件。"
                               "其中已上报提请协调1件。")
    assert "超期未办结的问题涉及1个单位：派出所1件。" in handling
    suggestions = text(draft, "suggestions")
    assert "（一）建议督促派出所在5个工作日内办结超期问题" in suggestions
    assert "（二）对已上报的1件问题，建议提请镇党委、政府主要领导研究" in suggestions
    listed = next(item for item in draft.sections if item["key"] == "suggestions")["blocks"][0]
    assert listed["caption"] == "问题清单（共3件）"
    cases = office_town.cases
    assert [row[0] for row in listed["rows"]] == [cases["c2"].number, cases["c6"].number, cases["c1"].number]
    assert listed["rows"][0][1:] == ["上下塘社区", "派出所", "超期未办结", 14]  # raised 6/1, open on 6/15


def test_a_village_report_has_its_visits_and_its_cases_by_category(office_town: Any) -> None:
    village = village_of(office_town)
    draft = report(office_town, f"village:{village.public_id}")
    assert draft.subject["label"] == village.name
    assert draft.title == f"关于{village.name}走访和问题办理情况的专报"
    # 上下塘: h0 h1 h2 assigned, h0 visited (h1's visit was moved away); in June one visit (6/2, to h0).
    # Cases there in June: c1, c2, c4, c6 (c3 is in 计家墩).
    assert text(draft, "basic").startswith(
        f"截至2017年6月15日，{village.name}应走访对象3个，已走访1个，完成33.3%；2017年6月1日至2017年6月15日走访1次。"
        f"同期，{village.name}共收集问题和意见建议4件，已交办3件，已办结1件")
    problems = text(draft, "problems")
    assert problems.startswith("按问题类别分，反映较多的是：在收集社情民意方面3件、未分类1件。")  # the words, not the code
    assert "（一）在收集社情民意方面：如群众反映“c6”（2017年6月8日收集）。" in problems
    grouped = next(item for item in draft.sections if item["key"] == "problems")["blocks"][0]
    assert grouped["rows"] == [["1 在收集社情民意方面", 3, 3, 1, 1, 1], ["未分类", 1, 0, 0, 0, 0], ["合计", 4, 3, 1, 1, 1]]


def test_quoted_words_are_masked_in_the_draft_and_in_the_docx(office_town: Any) -> None:
    top, _second = office_town.categories
    Case.objects.filter(pk=office_town.cases["c6"].pk).update(
        description=f"反映人身份证{ID_NUMBER}，电话{PHONE}，要求修路")
    draft = report(office_town, f"category:{top.pk}")
    assert "要求修路" in text(draft, "problems")
    issued = services.issue_document(draft, by=office_town.users["office"])
    made = read_docx(io.BytesIO(services.file_of(issued, by=office_town.users["office"])))
    every = "\n".join([p.text for p in made.paragraphs] + [cell.text for t in made.tables for row in t.rows
                                                            for cell in row.cells])
    assert "要求修路" in every
    for planted in (ID_NUMBER, PHONE):
        assert planted not in every
        assert planted not in str(issued.sections)


def test_picked_cases_are_found_by_their_numbers_and_others_refused(office_town: Any) -> None:
    cases = office_town.cases
    cases["c3"].raised_at = dt.datetime(2017, 5, 2, 10, tzinfo=dt.UTC)  # before the period: picked all the same
    cases["c3"].save()
    draft = report(office_town, "cases", f"{cases['c3'].number}, {cases['c1'].number.lower()}")
    assert draft.title == "关于2件群众反映问题办理情况的专报"
    assert text(draft, "basic").startswith("本专报选定的问题中，共收集问题和意见建议2件，已交办2件，已办结2件")
    with pytest.raises(services.DocumentError, match="没有这些编号的问题：0000ABCD"):
        subject(office_town, "cases", f"{cases['c3'].number} 0000abcd")
    with pytest.raises(services.DocumentError, match="请选择专报的主题"):
        subject(office_town, f"village:{uuid.uuid4()}")
    with pytest.raises(services.DocumentError, match="请选择专报的主题"):
        services.generate_draft(office_town.campaign, Document.Kind.SPECIAL, *JUNE, by=office_town.users["office"])


def test_special_reports_are_numbered_in_a_series_of_their_own(office_town: Any) -> None:
    office = office_town.users["office"]
    top, second = office_town.categories
    briefing = services.generate_draft(office_town.campaign, Document.Kind.BRIEFING, *JUNE, by=office)
    assert services.issue_document(briefing, by=office).reference == "第1期"
    first = services.issue_document(report(office_town, f"category:{top.pk}"), by=office)
    second_report = services.issue_document(report(office_town, f"category:{second.pk}"), by=office)
    assert [(d.reference, d.serial) for d in (first, second_report)] == [("第1期", 1), ("第2期", 2)]
    again = services.generate_draft(office_town.campaign, Document.Kind.BRIEFING, *JUNE, by=office)
    assert services.issue_document(again, by=office).reference == "第2期"


def test_the_docx_has_the_red_head_its_number_the_title_the_sections_and_the_delivery_lines(
        office_town: Any) -> None:
    office = office_town.users["office"]
    services.update_issuer(services.issuer_for(office_town.campaign), {"copy_to": "市走访办"}, by=office)
    top, _second = office_town.categories
    draft = report(office_town, f"category:{top.pk}")
    assert draft.copy_to == "市走访办"  # the issuer's, to be edited on the draft
    draft = services.update_draft(draft, title=draft.title, addressee="镇党委书记、镇长", copy_to="镇纪委",
                                  texts={"suggestions": "（一）请领导研究。"}, by=office, version=draft.version)
    issued = services.issue_document(draft, by=office, version=draft.version)
    made = read_docx(io.BytesIO(services.file_of(issued, by=office)))
    lines = [p.text for p in made.paragraphs if p.text.strip()]
    assert lines[:3] == ["走访调研专报", "第1期", f"{issued.issuer.name}编\t2017年6月15日"]
    assert made.paragraphs[0].runs[0].font.color.rgb is not None  # the head in red
    assert lines[3] == draft.title
    assert [line for line in lines if line[:2] in ("一、", "二、", "三、", "四、")] == [
        "一、基本情况", "二、群众反映的主要问题", "三、办理情况", "四、意见建议"]
    assert "（一）请领导研究。" in lines
    record = [cell.text for row in made.tables[-1].rows for cell in row.cells]
    assert record == ["报送：镇党委书记、镇长。", "抄送：镇纪委。", f"{issued.issuer.printed_by}\t2017年6月15日印发"]


def test_the_office_makes_one_from_the_page_and_the_form_lists_its_subjects(client: Client, office_town: Any) -> None:
    client.force_login(office_town.users["office"])
    slug = office_town.campaign.slug
    page = client.get(reverse("documents:index", args=[slug])).content.decode()
    village = village_of(office_town)
    assert f'value="village:{village.public_id}"' in page
    assert "在收集社情民意方面" in page
    refused = client.post(reverse("documents:generate", args=[slug]),
                          {"kind": "special", "key": uuid.uuid4()}, follow=True)
    assert "请选择专报的主题" in refused.content.decode()
    assert not Document.objects.exists()
    client.post(reverse("documents:generate", args=[slug]), {
        "kind": "special", "subject": f"village:{village.public_id}", "key": uuid.uuid4(),
        "starts_on": "2017-06-01"})
    made = Document.objects.get()
    assert (made.kind, made.subject["kind"], made.period_starts_on) == ("special", "village", dt.date(2017, 6, 1))
    detail = client.get(reverse("documents:detail", args=[slug, made.public_id])).content.decode()
    assert 'name="copy_to"' in detail
    assert "报送" in detail


def test_the_api_makes_reads_and_issues_one(client: Client, office_town: Any, api_token: Any) -> None:
    office = api_token("office")
    top, _second = office_town.categories
    base = f"/api/v1/documents/{office_town.campaign.slug}"
    refused = client.post(f"{base}/drafts", {"kind": "special"}, content_type="application/json", **office)
    assert refused.status_code == 400
    assert "专报的主题" in refused.json()["detail"]
    job = api_job(client, client.post(f"{base}/drafts", {"kind": "special", "subject": f"category:{top.pk}",
                                                          "starts_on": "2017-06-01"},
                                      content_type="application/json", **office), office)
    body = client.get(job["made_url"], **office).json()
    assert body["kind"] == "special"
    assert body["subject"] == {"kind": "category", "label": "在收集社情民意方面", "cases": []}
    assert body["addressee"] == "镇党委、政府主要领导"
    issuing = api_job(client, client.post(f"{base}/{body['id']}/issue", HTTP_IF_MATCH=f'"{body["version"]}"',
                                          **office), office)
    issued = client.get(issuing["made_url"], **office).json()
    assert (issued["status"], issued["reference"]) == ("issued", "第1期")
    leader = api_token("leader")
    assert client.get(f"{base}/{body['id']}", **leader).json()["subject"]["kind"] == "category"


def test_a_stale_save_of_its_delivery_lines_is_refused_and_a_resend_saves_once(client: Client,
                                                                                office_town: Any) -> None:
    top, _second = office_town.categories
    draft = report(office_town, f"category:{top.pk}")
    url = reverse("documents:detail", args=[office_town.campaign.slug, draft.public_id])
    client.force_login(office_town.users["office"])
    opened = {"version": draft.version, "title": draft.title, "addressee": draft.addressee}
    first = client.post(url, {**opened, "copy_to": "镇纪委"})
    assert first.status_code == 302
    again = client.post(url, {**opened, "copy_to": "镇纪委"})  # the same form sent twice (decision 0058)
    assert again.status_code == 302
    draft.refresh_from_db()
    assert (draft.copy_to, draft.version) == ("镇纪委", opened["version"] + 1)
    stale = client.post(url, {**opened, "copy_to": "市走访办"})  # another page, opened before the first save
    assert stale.status_code == 200
    assert "抄送" in stale.content.decode().split('role="alert"', 1)[1].split("</div>", 1)[0]
    draft.refresh_from_db()
    assert draft.copy_to == "镇纪委"


def test_a_unit_report_has_its_assignments_and_its_cases(office_town: Any) -> None:
    draft = report(office_town, f"unit:{office_town.police.public_id}")
    assert draft.title == "关于派出所问题办理情况的专报"
    # 派出所 holds 上下塘 h0 h1 h2, h0 visited; in June one visit to them (6/2). Its cases in June: c1, c2, c6.
    assert text(draft, "basic").startswith(
        "截至2017年6月15日，派出所应走访对象3个，已走访1个，完成33.3%；2017年6月1日至2017年6月15日走访1次。"
        "同期，派出所共收集问题和意见建议3件，已交办3件，已办结1件")
    assert "（三）建议派出所对照问题清单逐件办理、逐件销号" in text(draft, "suggestions")
